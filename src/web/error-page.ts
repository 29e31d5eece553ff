import type { AppContext } from '../context';
import type { PageErrorRenderer } from '../platform/http';
import { loginRedirect } from './auth-pages';
import { html } from './html';
import { layout } from './layout';

const TITLES: Record<number, string> = {
  400: 'Something in that request was not right',
  403: 'You do not have access to this page',
  404: 'Page not found',
  409: 'That cannot be done',
  410: 'This link has expired',
  413: 'That upload is too large',
  415: 'That file type is not supported',
  507: 'The disk is full',
};

/** Friendly HTML error pages for browsers; a signed-out visitor hitting a 401 goes to sign in. */
export function pageErrorRenderer(ctx: AppContext): PageErrorRenderer {
  return (req, res, err) => {
    req.app.locals.schoolName ??= ctx.config.SCHOOL_NAME;
    if (err.status === 401 && !req.auth) return res.redirect(303, loginRedirect(req));
    const title = TITLES[err.status] ?? (err.status >= 500 ? 'Sorry, something went wrong' : 'That did not work');
    // A 404 never says whether the thing exists for someone else.
    const message = err.status === 404 ? 'The page you asked for is not here. It may have expired, or the link may be mistyped.' : err.message;
    const home = req.auth ? (req.auth.user.role === 'parent' ? '/check' : '/office') : '/login';
    const body = html`<section class="card error-card">
<h1>${title}</h1>
<p>${message}</p>
<p class="actions"><a class="button" href="${home}">${req.auth ? 'Go to the start page' : 'Sign in'}</a> <a class="button button-secondary" href="/guidance">Read the photo guidance</a></p>
${err.status >= 500 && res.locals.requestId ? html`<p class="muted small">If this keeps happening, tell the school office, and mention this reference so they can find what went wrong: ${String(res.locals.requestId)}</p>` : ''}
</section>`;
    res.status(err.status).type('html').send(layout(req, { title, body }));
  };
}
