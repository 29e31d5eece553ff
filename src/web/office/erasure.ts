import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import { notFound } from '../../platform/errors';
import { idParam } from '../../platform/http';
import { html } from '../html';
import { csrfField } from '../layout';
import { adminOnly, formValues, plural, pupilName, redirectWithFlash, sendPage } from './shared';

// "Erase now" (UK GDPR art. 17) for a pupil or a parent account: a page that says what goes,
// and a box to tick, so one stray click erases nothing.

const UNDERSTOOD = 'understood';

function confirmPage(req: Request, res: Response, o: {
  title: string; back: string; action: string; lines: string[]; error?: string;
}) {
  const body = html`<p class="breadcrumbs"><a href="${o.back}">Back</a></p>
<h1>${o.title}</h1>
<div class="card office-form">
<ul>${o.lines.map((l) => html`<li>${l}</li>`)}</ul>
<p><strong>This cannot be undone.</strong> The audit trail keeps only that an erasure happened, by number.</p>
${o.error ? html`<div class="alert alert-error" role="alert">${o.error}</div>` : null}
<form method="post" action="${o.action}">
${csrfField(req)}
<div class="choice"><input type="checkbox" id="erase-understood" name="${UNDERSTOOD}" value="yes"><label for="erase-understood">I understand that this erases it for good</label></div>
<div class="actions"><button type="submit" class="button button-danger">Erase now</button> <a href="${o.back}">Cancel</a></div>
</form></div>`;
  sendPage(req, res, { title: o.title, body, status: o.error ? 400 : 200 });
}

export function erasurePages(ctx: AppContext): Router {
  const { register, accounts } = ctx;
  const r = Router();
  const confirmed = (req: Request) => formValues(req.body)[UNDERSTOOD] === 'yes';

  const pupilPage = (req: Request, res: Response, error?: string) => {
    const id = idParam.parse(req.params.id);
    const d = register.pupilDetail(id);
    confirmPage(req, res, {
      title: `Erase ${pupilName(d.pupil)}?`, back: `/office/pupils/${id}`, action: `/office/pupils/${id}/erase`, error,
      lines: [
        'The pupil’s record, every consent answer and its history are deleted.',
        d.references.length ? `${plural(d.references.length, 'reference photo')} (face templates) are deleted.` : 'They have no reference photos.',
        d.guardians.length ? `The links to ${plural(d.guardians.length, 'parent')} are removed (the parents’ accounts stay).` : 'No parent is linked.',
        'Safe copies in which they are visible are deleted.',
      ],
    });
  };

  r.get('/office/pupils/:id/erase', adminOnly, (req, res) => pupilPage(req, res));
  r.post('/office/pupils/:id/erase', adminOnly, (req, res) => {
    if (!confirmed(req)) return pupilPage(req, res, 'Tick the box to confirm.');
    const id = idParam.parse(req.params.id);
    register.erasePupil(id, req.auth!.user.id, 'office');
    redirectWithFlash(res, '/office/pupils', `Pupil no. ${id} was erased.`);
  });

  const parentPage = (req: Request, res: Response, error?: string) => {
    const id = idParam.parse(req.params.id);
    const user = accounts.repo.userById(id);
    if (!user || user.role !== 'parent') throw notFound('parent');
    confirmPage(req, res, {
      title: `Erase ${user.name}’s account?`, back: `/office/parents/${id}`, action: `/office/parents/${id}/erase`, error,
      lines: [
        'The account (name, e-mail address, password), its sessions and API tokens are deleted.',
        'Its links to children are removed; the answers it gave stay in the children’s consent history without a name, and stop counting (an objection still stands).',
      ],
    });
  };

  r.get('/office/parents/:id/erase', adminOnly, (req, res) => parentPage(req, res));
  r.post('/office/parents/:id/erase', adminOnly, (req, res) => {
    if (!confirmed(req)) return parentPage(req, res, 'Tick the box to confirm.');
    const id = idParam.parse(req.params.id);
    const user = accounts.repo.userById(id);
    if (!user || user.role !== 'parent') throw notFound('parent');
    register.eraseAccount(id, req.auth!.user.id, 'office');
    redirectWithFlash(res, '/office/parents', `Parent account no. ${id} was erased.`);
  });

  return r;
}
