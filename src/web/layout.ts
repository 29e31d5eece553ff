import type { Request } from 'express';
import type { Role } from '../features/accounts/accounts.repo';
import { html, raw, type SafeHtml } from './html';

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** A one-line notice shown above the page content (e.g. "You are signed out."). */
  flash?: string;
  /** Wider content column (tables in the office pages). */
  wide?: boolean;
  /** Extra static bundles: 'office' adds /static/office.css and /static/office.js. */
  assets?: Array<'office'>;
}

export interface NavItem {
  href: string;
  label: string;
  /** Only these roles see the link (default: every role the list is for). */
  roles?: Role[];
}

const PARENT_NAV: NavItem[] = [
  { href: '/check', label: 'Check photos' },
  { href: '/videos', label: 'Videos' },
  { href: '/consents', label: 'Consent' },
  { href: '/guidance', label: 'Guidance' },
  { href: '/account', label: 'My account' },
];

const STAFF_NAV: NavItem[] = [
  { href: '/office', label: 'Dashboard' },
  { href: '/office/pupils', label: 'Pupils', roles: ['admin'] },
  { href: '/office/import', label: 'Import', roles: ['admin'] },
  { href: '/office/parents', label: 'Parents', roles: ['admin'] },
  { href: '/office/events', label: 'Events' },
  { href: '/office/audit', label: 'Audit', roles: ['admin'] },
  { href: '/office/staff', label: 'Staff', roles: ['admin'] },
  { href: '/account', label: 'My account' },
];

export function navFor(role: Role | undefined): NavItem[] {
  if (!role) return [];
  return (role === 'parent' ? PARENT_NAV : STAFF_NAV).filter((i) => !i.roles || i.roles.includes(role));
}

/** The school's name; set once per app by the web pages (see pages.ts) from the app's config. */
export const schoolNameOf = (req: Request): string => (req.app?.locals.schoolName as string | undefined) ?? 'ShareSafe';

/** Hidden form field with the session's CSRF token (empty when signed out). */
export const csrfField = (req: Request): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${req.auth?.csrfToken ?? ''}">`;



function isCurrent(req: Request, href: string): boolean {
  if (href === '/office') return req.path === '/office' || req.path === '/office/';
  return req.path === href || req.path.startsWith(`${href}/`) || (href === '/check' && req.path.startsWith('/checks/'));
}

function header(req: Request): SafeHtml {
  const user = req.auth?.user;
  const links = navFor(user?.role).map((i) =>
    html`<li><a href="${i.href}"${isCurrent(req, i.href) ? raw(' aria-current="page"') : ''}>${i.label}</a></li>`);
  const signOut = user
    ? html`<form method="post" action="/logout" class="signout">${csrfField(req)}<button type="submit" class="link-button">Sign out</button></form>`
    : '';
  const home = user ? (user.role === 'parent' ? '/check' : '/office') : '/login';
  return html`<header class="site-header">
<div class="site-header-inner">
<a class="brand" href="${home}"><span class="brand-mark" aria-hidden="true"></span><span class="brand-text"><span class="brand-school">${schoolNameOf(req)}</span><span class="brand-app">ShareSafe</span></span></a>
${user ? html`<nav class="site-nav" aria-label="Main"><ul>${links}</ul>${signOut}</nav>` : ''}
</div>
</header>`;
}

/** A whole page in the site's design: header with nav by role, skip link, main content. */
export function layout(req: Request, opts: LayoutOptions): string {
  const school = schoolNameOf(req);
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} – ${school}</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
${(opts.assets ?? []).map((a) => html`<link rel="stylesheet" href="/static/${a}.css"><script src="/static/${a}.js" defer></script>`)}
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
${header(req)}
<main id="main" class="${opts.wide ? 'container wide' : 'container'}" tabindex="-1">
${opts.flash ? html`<div class="alert alert-info" role="status">${opts.flash}</div>` : ''}
${opts.body}
</main>
<footer class="site-footer"><div class="container${opts.wide ? ' wide' : ''}"><p>${school} · ShareSafe keeps other children's faces private. <a href="/guidance">Photo guidance</a></p></div></footer>
</body>
</html>
`.value;
}
