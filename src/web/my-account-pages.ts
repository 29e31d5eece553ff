import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import * as s from '../features/accounts/accounts.schemas';
import { AppError } from '../platform/errors';
import { idParam } from '../platform/http';
import { requirePageUser } from './auth-pages';
import { html, type SafeHtml } from './html';
import { csrfField, layout } from './layout';
import { formatDate, formatDateTime } from './office/shared';

// My account, for everyone: name, e-mail (confirmed by a link to the new address), password,
// API tokens and signed-in sessions. Plain forms; each change comes back with a one-line notice.

const DONE: Record<string, string> = {
  name: 'Your name is saved.',
  email: 'We sent a link to the new address. Your e-mail changes when you open it.',
  password: 'Your password is changed. You were signed out everywhere else.',
  token: 'The API token was revoked.',
  session: 'That session was signed out.',
};

const passwordForm = z.object({ current: z.string().default(''), password: z.string().default(''), confirm: z.string().default('') });

interface Problems { name?: string; email?: string; password?: string; token?: string }

export function myAccountPages(ctx: AppContext): Router {
  const { accounts } = ctx;
  const r = Router();

  function render(req: Request, res: Response, o: { problems?: Problems; newToken?: string; status?: number } = {}) {
    const user = req.auth!.user;
    const p = o.problems ?? {};
    const done = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined;
    const tokens = accounts.repo.apiTokensOf(user.id);
    const sessions = accounts.sessionsOf(user.id, req.auth!.sessionToken);
    const err = (m?: string): SafeHtml | null => (m ? html`<div class="alert alert-error" role="alert">${m}</div>` : null);
    const body = html`<h1>My account</h1>
<section class="card" aria-labelledby="name-heading"><h2 id="name-heading">Name</h2>
<form method="post" action="/account/name" class="form">${csrfField(req)}${err(p.name)}
<div class="field"><label for="account-name">Your name</label><input id="account-name" name="name" value="${user.name}" maxlength="200" required autocomplete="name"></div>
<button type="submit" class="button">Save name</button></form></section>
<section class="card" aria-labelledby="email-heading"><h2 id="email-heading">E-mail address</h2>
<p>Now: <strong>${user.email}</strong>. A new address is used once you open the link we send to it.</p>
<form method="post" action="/account/email" class="form" novalidate>${csrfField(req)}${err(p.email)}
<div class="field"><label for="account-email">New e-mail address</label><input id="account-email" name="email" type="email" required autocomplete="email"></div>
<button type="submit" class="button">Send confirmation link</button></form></section>
<section class="card" aria-labelledby="password-heading"><h2 id="password-heading">Password</h2>
<form method="post" action="/account/password" class="form" novalidate>${csrfField(req)}${err(p.password)}
<div class="field"><label for="account-current">Current password</label><input id="account-current" name="current" type="password" autocomplete="current-password" required></div>
<div class="field"><label for="account-password">New password</label><p class="hint" id="account-password-hint">At least 10 characters.</p>
<input id="account-password" name="password" type="password" autocomplete="new-password" minlength="10" required aria-describedby="account-password-hint"></div>
<div class="field"><label for="account-confirm">Type it again</label><input id="account-confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required></div>
<button type="submit" class="button">Change password</button></form></section>
<section class="card" aria-labelledby="sessions-heading"><h2 id="sessions-heading">Where you are signed in</h2>
<ul class="account-list">${sessions.map((x) => html`<li>Signed in ${formatDateTime(x.createdAt)}, until ${formatDate(x.expiresAt)}${x.current ? html` <strong>(this browser)</strong>` : html`
<form method="post" action="/account/sessions/${x.id}/revoke" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small button-secondary">Sign out there</button></form>`}</li>`)}</ul></section>
<section class="card" aria-labelledby="tokens-heading"><h2 id="tokens-heading">API tokens</h2>
<p class="muted">For scripts (e.g. a nightly import). Each works for a year unless revoked.</p>
${o.newToken ? html`<div class="alert alert-info" role="status"><p>Your new token (shown once; copy it now):</p><p><code>${o.newToken}</code></p></div>` : null}
${tokens.length ? html`<ul class="account-list">${tokens.map((t) => html`<li><strong>${t.name}</strong>: made ${formatDate(t.createdAt)}, ${t.lastUsedAt ? `last used ${formatDateTime(t.lastUsedAt)}` : 'never used'}, ${t.expiresAt && t.expiresAt <= ctx.clock.now().toISOString() ? 'expired' : `expires ${formatDate(t.expiresAt)}`}
<form method="post" action="/account/tokens/${t.id}/revoke" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small button-secondary">Revoke</button></form></li>`)}</ul>` : html`<p>No API tokens.</p>`}
<form method="post" action="/account/tokens" class="form">${csrfField(req)}${err(p.token)}
<div class="field"><label for="token-name">Name of a new token</label><input id="token-name" name="name" maxlength="100" required></div>
<button type="submit" class="button button-secondary">Create token</button></form></section>`;
    res.status(o.status ?? (Object.keys(p).length ? 400 : 200)).type('html').set('Cache-Control', 'no-store')
      .send(layout(req, { title: 'My account', body, flash: done }));
  }

  const field = (body: unknown, name: string) => String((body as Record<string, unknown> | undefined)?.[name] ?? '');
  const messageOf = (err: unknown): string => {
    if (err instanceof z.ZodError) return err.issues[0]?.message ?? 'Check what you entered.';
    if (err instanceof AppError && err.status < 500) return err.message;
    throw err;
  };

  r.get('/account', requirePageUser, (req, res) => render(req, res));

  r.post('/account/name', requirePageUser, (req, res) => {
    const parsed = s.nameBody.safeParse({ name: field(req.body, 'name') });
    if (!parsed.success) return render(req, res, { problems: { name: messageOf(parsed.error) } });
    accounts.updateName(req.auth!.user.id, parsed.data.name);
    res.redirect(303, '/account?done=name');
  });

  r.post('/account/email', requirePageUser, async (req, res) => {
    try {
      await accounts.requestEmailChange(req.auth!.user.id, s.email.parse(field(req.body, 'email')));
    } catch (err) {
      return render(req, res, { problems: { email: messageOf(err) } });
    }
    res.redirect(303, '/account?done=email');
  });

  r.post('/account/password', requirePageUser, async (req, res) => {
    const f = passwordForm.parse(req.body ?? {});
    try {
      s.password.parse(f.password);
      if (f.password !== f.confirm) throw new AppError('mismatch', 400, 'The two new passwords are different. Type them again.');
      await accounts.changePassword(req.auth!.user.id, f.current, f.password, req.auth!.sessionToken);
    } catch (err) {
      return render(req, res, { problems: { password: messageOf(err) } });
    }
    res.redirect(303, '/account?done=password');
  });

  r.post('/account/tokens', requirePageUser, (req, res) => {
    const parsed = s.apiTokenBody.safeParse({ name: field(req.body, 'name') });
    if (!parsed.success) return render(req, res, { problems: { token: 'Give the token a name.' } });
    const created = accounts.createApiToken(req.auth!.user.id, parsed.data.name);
    render(req, res, { newToken: created.token, status: 201 });
  });

  r.post('/account/tokens/:id/revoke', requirePageUser, (req, res) => {
    accounts.revokeApiToken(req.auth!.user.id, idParam.parse(req.params.id));
    res.redirect(303, '/account?done=token');
  });

  r.post('/account/sessions/:id/revoke', requirePageUser, (req, res) => {
    accounts.revokeSession(req.auth!.user.id, idParam.parse(req.params.id));
    res.redirect(303, '/account?done=session');
  });

  // The link in the e-mail: a GET shows a button (mail scanners follow links; only a person posts).
  r.get('/confirm-email/:token', (req, res) => {
    const body = html`<section class="card narrow"><h1>Confirm your new e-mail address</h1>
<form method="post" action="/confirm-email/${encodeURIComponent(req.params.token)}" class="form">
<button type="submit" class="button button-block">Use this address</button></form></section>`;
    res.type('html').send(layout(req, { title: 'Confirm your e-mail address', body }));
  });

  r.post('/confirm-email/:token', (req, res) => {
    const user = accounts.confirmEmailChange(req.params.token);
    const body = html`<section class="card narrow"><h1>Done</h1><p>Your account now uses <strong>${user.email}</strong>.</p>
<p><a class="button" href="${req.auth ? '/account' : '/login'}">${req.auth ? 'Back to My account' : 'Sign in'}</a></p></section>`;
    res.type('html').send(layout(req, { title: 'E-mail address changed', body }));
  });

  return r;
}
