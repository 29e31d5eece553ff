import type { Request, Response } from 'express';
import { html } from '../html';
import { csrfField } from '../layout';
import { sendPage } from './shared';

// "Are you sure?" before an action that mails many people or deletes biometric data. The action's
// form posts without `confirm`; the route answers with this page, whose button posts again with
// confirm=yes. Works the same with or without scripts.

export const confirmed = (req: Request): boolean => (req.body as Record<string, unknown> | undefined)?.confirm === 'yes';

export function confirmPage(req: Request, res: Response, o: { title: string; message: string; confirmLabel: string; cancelHref: string; danger?: boolean }): void {
  const body = html`<h1>${o.title}</h1>
<section class="card">
<p>${o.message}</p>
<form method="post" action="${req.originalUrl}">${csrfField(req)}<input type="hidden" name="confirm" value="yes">
<p class="actions"><button type="submit" class="button${o.danger ? ' button-danger' : ''}">${o.confirmLabel}</button>
<a class="button button-secondary" href="${o.cancelHref}">Cancel</a></p>
</form>
</section>`;
  sendPage(req, res, { title: o.title, body });
}
