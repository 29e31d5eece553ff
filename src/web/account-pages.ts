import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import * as s from '../features/accounts/accounts.schemas';
import { SESSION_COOKIE, setSessionCookie } from '../features/accounts/auth.middleware';
import type { User } from '../features/accounts/accounts.repo';
import { AppError } from '../platform/errors';
import { safeNext } from './auth-pages';
import { html, type SafeHtml } from './html';
import { csrfField, layout } from './layout';

const loginForm = z.object({ email: z.string().default(''), password: z.string().default(''), next: z.string().optional() });
const passwordForm = z.object({ password: z.string().default(''), confirm: z.string().default('') });
const forgotForm = z.object({ email: z.string().default('') });

export const homeOf = (u: User | undefined): string => (!u ? '/login' : u.role === 'parent' ? '/check' : '/office');

const errorBox = (message?: string): SafeHtml | '' =>
  message ? html`<div class="alert alert-error" role="alert" id="form-error"><p>${message}</p></div>` : '';

/** Sign in, sign out, invitations and password reset, as plain HTML forms (no script needed). */
export function accountPages(ctx: AppContext): Router {
  const { accounts, config } = ctx;
  const r = Router();
  const startSession = (res: Response, token: string) => setSessionCookie(res, token, config.SECURE_COOKIES, config.SESSION_DAYS);

  function loginPage(req: Request, res: Response, o: { email?: string; next?: string; error?: string; flash?: string } = {}) {
    const body = html`<section class="card narrow">
<h1>Sign in</h1>
<p class="lead">Check your event photos before you share them.</p>
${errorBox(o.error)}
<form method="post" action="/login" class="form" novalidate>
<input type="hidden" name="next" value="${o.next ?? ''}">
<div class="field"><label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${o.email ?? ''}"${o.error ? html` aria-describedby="form-error"` : ''}></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button type="submit" class="button button-block">Sign in</button>
</form>
<p class="form-footer"><a href="/forgot-password">Forgotten your password?</a></p>
<p class="muted small">New here? The school office sends you an invitation by email; open its link to set your password.</p>
</section>`;
    res.status(o.error ? 401 : 200).type('html').send(layout(req, { title: 'Sign in', body, flash: o.flash }));
  }

  r.get('/', (req, res) => res.redirect(303, homeOf(req.auth?.user)));

  r.get('/login', (req, res) => {
    const next = safeNext(req.query.next, '');
    if (req.auth) return res.redirect(303, next || homeOf(req.auth.user));
    const flash = req.query.signedOut !== undefined ? 'You are signed out.' : req.query.reset !== undefined ? 'If that address has an account, a reset link is on its way. Check your email.' : undefined;
    loginPage(req, res, { next, flash });
  });

  r.post('/login', async (req, res) => {
    const form = loginForm.parse(req.body ?? {});
    const next = safeNext(form.next, '');
    try {
      const session = await accounts.login(form.email.trim().toLowerCase(), form.password);
      startSession(res, session.sessionToken);
      res.redirect(303, next || homeOf(session.user));
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'invalid_credentials') throw err;
      loginPage(req, res, { email: form.email, next, error: err.message });
    }
  });

  r.post('/logout', (req, res) => {
    if (req.auth?.sessionToken) accounts.logout(req.auth.sessionToken);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login?signedOut');
  });

  function passwordPage(req: Request, res: Response, o: { title: string; intro: SafeHtml; action: string; button: string; error?: string }) {
    const body = html`<section class="card narrow">
<h1>${o.title}</h1>
${o.intro}
${errorBox(o.error)}
<form method="post" action="${o.action}" class="form" novalidate>
<div class="field"><label for="password">New password</label>
<p class="hint" id="password-hint">At least 10 characters. A few unrelated words make a strong password.</p>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required aria-describedby="password-hint"></div>
<div class="field"><label for="confirm">Type it again</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required></div>
<button type="submit" class="button button-block">${o.button}</button>
</form>
</section>`;
    res.status(o.error ? 400 : 200).type('html').send(layout(req, { title: o.title, body }));
  }

  /** Checks the two password fields; returns a message for the form, or null when they are fine. */
  function passwordProblem(form: z.infer<typeof passwordForm>): string | null {
    const parsed = s.password.safeParse(form.password);
    if (!parsed.success) return parsed.error.issues[0]?.message ?? 'Choose another password.';
    return form.password === form.confirm ? null : 'The two passwords are different. Type them again.';
  }

  r.get('/invite/:token', (req, res) => {
    const user = accounts.invitationUser(req.params.token);
    passwordPage(req, res, {
      title: 'Welcome to ShareSafe', action: `/invite/${encodeURIComponent(req.params.token)}`, button: 'Set password and continue',
      intro: html`<p class="lead">Hello ${user.name}. Choose a password for <strong>${user.email}</strong> to finish setting up your account.</p>`,
    });
  });

  r.post('/invite/:token', async (req, res) => {
    const form = passwordForm.parse(req.body ?? {});
    const problem = passwordProblem(form);
    if (problem) {
      const user = accounts.invitationUser(req.params.token);
      return passwordPage(req, res, {
        title: 'Welcome to ShareSafe', action: `/invite/${encodeURIComponent(req.params.token)}`, button: 'Set password and continue', error: problem,
        intro: html`<p class="lead">Hello ${user.name}. Choose a password for <strong>${user.email}</strong> to finish setting up your account.</p>`,
      });
    }
    const session = await accounts.acceptInvitation(req.params.token, form.password);
    startSession(res, session.sessionToken);
    res.redirect(303, homeOf(session.user));
  });

  r.get('/forgot-password', (req, res) => {
    const body = html`<section class="card narrow">
<h1>Reset your password</h1>
<p class="lead">Enter the email address you use for ShareSafe. We will email you a link to choose a new password. The link works for one hour.</p>
<form method="post" action="/forgot-password" class="form" novalidate>
${csrfField(req)}
<div class="field"><label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required></div>
<button type="submit" class="button button-block">Email me a reset link</button>
</form>
<p class="form-footer"><a href="/login">Back to sign in</a></p>
</section>`;
    res.type('html').send(layout(req, { title: 'Reset your password', body }));
  });

  r.post('/forgot-password', async (req, res) => {
    const email = s.email.safeParse(forgotForm.parse(req.body ?? {}).email);
    // Same answer whether or not the address has an account.
    if (email.success) await accounts.requestPasswordReset(email.data);
    res.redirect(303, '/login?reset');
  });

  const resetIntro = html`<p class="lead">Choose a new password. You will be signed in straight away.</p>`;

  r.get('/reset-password/:token', (req, res) => {
    passwordPage(req, res, { title: 'Choose a new password', intro: resetIntro, action: `/reset-password/${encodeURIComponent(req.params.token)}`, button: 'Save new password' });
  });

  r.post('/reset-password/:token', async (req, res) => {
    const form = passwordForm.parse(req.body ?? {});
    const problem = passwordProblem(form);
    const action = `/reset-password/${encodeURIComponent(req.params.token)}`;
    if (problem) return passwordPage(req, res, { title: 'Choose a new password', intro: resetIntro, action, button: 'Save new password', error: problem });
    const session = await accounts.resetPassword(req.params.token, form.password);
    startSession(res, session.sessionToken);
    res.redirect(303, homeOf(session.user));
  });

  return r;
}
