import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import type { User } from '../../features/accounts/accounts.repo';
import { AppError, notFound } from '../../platform/errors';
import { idParam } from '../../platform/http';
import { html } from '../html';
import { csrfField } from '../layout';
import { errorSummary, selectField, textField } from './fields';
import { inviteParentWithPupilForm, linkPupilForm } from './forms';
import { guardianLinksRepo } from './guardian-links.repo';
import { adminOnly, emptyForm, isAdmin, staffOnly, failedForm, formValues, pupilName, redirectWithFlash, sendPage, type FormState } from './shared';

// Organisers already see each pupil's parents (name, email) in the register, so they may read
// these pages; only admins invite, link and unlink, as the API.

const statusBadge = (u: User) => (u.status === 'disabled' ? html`<span class="badge badge-bad">Disabled</span>`
  : u.hasPassword ? html`<span class="badge badge-ok">Active</span>` : html`<span class="badge badge-warn">Invitation pending</span>`);

export function parentPages(ctx: AppContext): Router {
  const { accounts, register } = ctx;
  const links = guardianLinksRepo(ctx.db);
  const r = Router();
  const actor = (req: Request) => req.auth!.user.id;
  const onRollOptions = (exclude: Set<number> = new Set()): Array<[string, string]> => register.registerRows()
    .filter((row) => row.pupil.status === 'on_roll' && !exclude.has(row.pupil.id))
    .map((row) => [String(row.pupil.id), `${row.pupil.lastName}, ${row.pupil.firstName} (${row.pupil.className})`]);

  function renderList(req: Request, res: Response, invite: FormState, status = 200) {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const parents = accounts.repo.listUsers('parent', q || null);
    const linked = links.byParent();
    const body = html`<h1>Parents</h1>
<form class="office-filters" method="get" action="/office/parents" role="search">
${textField({ form: emptyForm({ q }), name: 'q', label: 'Name or email', type: 'search' })}
<div class="office-filter-actions"><button type="submit" class="button">Search</button>${q ? html` <a href="/office/parents">Clear</a>` : null}</div>
</form>
<p class="office-count" role="status">${parents.length === 1 ? '1 parent' : `${parents.length} parents`}.</p>
${inviteAllNotice(req)}
${parents.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Parents"><table class="office-parents">
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Children</th><th scope="col">Account</th></tr></thead>
<tbody>${parents.map((u) => html`<tr><td><a href="/office/parents/${u.id}">${u.name}</a></td><td>${u.email}</td>
<td>${(linked.get(u.id) ?? []).map((p) => html`<a href="/office/pupils/${p.pupilId}">${pupilName(p)}</a>${p.status === 'left' ? ' (left)' : ''} `)}</td>
<td>${statusBadge(u)}</td></tr>`)}</tbody></table></div>` : html`<p class="empty">No parent accounts${q ? ' match' : ' yet'}.</p>`}
${isAdmin(req) ? html`<section class="card office-section" id="invite" aria-labelledby="invite-heading">
<h2 id="invite-heading">Invite a parent</h2>
<form method="post" action="/office/parents/invite" novalidate class="office-form">
${csrfField(req)}
${errorSummary(invite)}
<div class="office-field-row">
${textField({ form: invite, idPrefix: 'invite', name: 'name', label: 'Name', required: true, max: 200 })}
${textField({ form: invite, idPrefix: 'invite', name: 'email', label: 'Email address', type: 'email', required: true, autocomplete: 'off' })}
</div>
${selectField({ form: invite, idPrefix: 'invite', name: 'pupilId', label: 'Their child', optional: true, options: [['', 'Link later'], ...onRollOptions()] })}
<p class="hint">They get an email with a link to set their password (valid for 14 days).</p>
<div class="actions"><button type="submit" class="button">Send invitation</button></div>
</form></section>` : null}`;
    sendPage(req, res, { title: 'Parents', body, status });
  }

  function inviteAllNotice(req: Request) {
    const n = accounts.uninvitedParents().length;
    if (!n || !isAdmin(req)) return null;
    return html`<div class="alert alert-info office-invite-all"><p>${n === 1 ? '1 parent with a child on roll has' : `${n} parents with a child on roll have`} never been sent an invitation (for example after an import).
<a class="button button-small" href="/office/parents/invite-all">Invite all new parents</a></p></div>`;
  }

  function renderInviteAll(req: Request, res: Response, error?: string) {
    const parents = accounts.uninvitedParents();
    const body = html`<p class="breadcrumbs"><a href="/office/parents">Parents</a></p>
<h1>Invite all new parents?</h1>
<div class="card office-form">
${error ? html`<div class="alert alert-error" role="alert">${error}</div>` : null}
${parents.length ? html`<p>Each of these <strong>${parents.length === 1 ? '1 parent' : `${parents.length} parents`}</strong> gets an e-mail with a link to set their password (valid for 14 days).</p>
<ul class="office-people">${parents.slice(0, 50).map((u) => html`<li>${u.name} (${u.email})</li>`)}</ul>
${parents.length > 50 ? html`<p class="muted">… and ${parents.length - 50} more.</p>` : null}
<form method="post" action="/office/parents/invite-all">
${csrfField(req)}<input type="hidden" name="expected" value="${parents.length}">
<div class="actions"><button type="submit" class="button">Send ${parents.length === 1 ? '1 invitation' : `${parents.length} invitations`}</button> <a href="/office/parents">Cancel</a></div>
</form>` : html`<p>Every parent with a child on roll has been invited.</p>`}
</div>`;
    sendPage(req, res, { title: 'Invite all new parents', body, status: error ? 409 : 200 });
  }

  function renderParent(req: Request, res: Response, userId: number, linkForm: FormState = emptyForm(), status = 200) {
    const user = accounts.repo.userById(userId);
    if (!user || user.role !== 'parent') throw notFound('parent');
    const children = links.ofParent(userId);
    const admin = isAdmin(req);
    const body = html`<p class="breadcrumbs"><a href="/office/parents">Parents</a></p>
<h1>${user.name}</h1>
<p class="office-facts">${user.email} · ${statusBadge(user)}${admin ? html` · <a href="/office/parents/${user.id}/erase">Erase this account now</a>` : null}</p>
${!user.hasPassword && admin ? html`<form method="post" action="/office/parents/${user.id}/invitation" class="office-confirm">
${csrfField(req)}<p>They have not set a password yet. <button type="submit" class="button button-secondary button-small">Send the invitation again</button></p></form>` : null}
<section class="card office-section" aria-labelledby="children-heading">
<h2 id="children-heading">Children</h2>
${children.length ? html`<ul class="office-people">${children.map((p) => html`<li>
<span><a href="/office/pupils/${p.pupilId}">${pupilName(p)}</a> <span class="muted">${p.className} · ${p.relationship}</span>${p.status === 'left' ? html` <span class="badge">Left</span>` : null}</span>
${admin ? html`<form method="post" action="/office/parents/${user.id}/pupils/${p.pupilId}/remove" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small button-secondary">Unlink</button></form>` : null}
</li>`)}</ul>` : html`<p class="muted">No child linked yet.</p>`}
${admin ? html`<form method="post" action="/office/parents/${user.id}/pupils" novalidate class="office-form">
${csrfField(req)}
${errorSummary(linkForm)}
<div class="office-field-row">
${selectField({ form: linkForm, idPrefix: 'link', name: 'pupilId', label: 'Link a child', options: [['', 'Choose a pupil…'], ...onRollOptions(new Set(children.map((c) => c.pupilId)))] })}
${textField({ form: linkForm, idPrefix: 'link', name: 'relationship', label: 'Relationship', optional: true, max: 50 })}
</div>
<div class="actions"><button type="submit" class="button">Link child</button></div>
</form>` : null}</section>`;
    sendPage(req, res, { title: user.name, body, status });
  }

  r.get('/office/parents', adminOnly, (req, res) => renderList(req, res, emptyForm()));

  r.post('/office/parents/invite', adminOnly, async (req, res) => {
    const values = formValues(req.body);
    let userId: number;
    try {
      const input = inviteParentWithPupilForm.parse(values);
      userId = input.pupilId
        ? (await register.addGuardian(input.pupilId, { email: input.email, name: input.name, relationship: null, sendInvitation: true }, actor(req))).guardian.userId
        : (await accounts.createUser({ email: input.email, name: input.name, role: 'parent' }, actor(req), { sendEmail: true })).user.id;
    } catch (err) {
      return renderList(req, res, failedForm(values, err), 400);
    }
    redirectWithFlash(res, `/office/parents/${userId}`, `Invitation sent to ${values.email?.trim() ?? ''}.`);
  });

  r.get('/office/parents/invite-all', adminOnly, (req, res) => renderInviteAll(req, res));

  r.post('/office/parents/invite-all', adminOnly, async (req, res) => {
    const expected = Number(formValues(req.body).expected ?? '');
    try {
      const { sent } = await accounts.inviteAllParents(Number.isInteger(expected) ? expected : -1, actor(req));
      redirectWithFlash(res, '/office/parents', `${sent === 1 ? '1 invitation' : `${sent} invitations`} sent.`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'count_changed') return renderInviteAll(req, res, err.message);
      throw err;
    }
  });

  r.get('/office/parents/:id', adminOnly, (req, res) => renderParent(req, res, idParam.parse(req.params.id)));

  r.post('/office/parents/:id/invitation', adminOnly, async (req, res) => {
    const userId = idParam.parse(req.params.id);
    await accounts.resendInvitation(userId, actor(req));
    redirectWithFlash(res, `/office/parents/${userId}`, 'A new invitation was sent; earlier links no longer work.');
  });

  r.post('/office/parents/:id/pupils', adminOnly, async (req, res) => {
    const userId = idParam.parse(req.params.id);
    const values = formValues(req.body);
    let name: string;
    try {
      const input = linkPupilForm.parse(values);
      const { guardian } = await register.addGuardian(input.pupilId, { userId, relationship: input.relationship }, actor(req));
      name = `${pupilName(register.pupilDetail(input.pupilId).pupil)} (${guardian.relationship})`;
    } catch (err) {
      return renderParent(req, res, userId, failedForm(values, err), 400);
    }
    redirectWithFlash(res, `/office/parents/${userId}`, `${name} is now linked.`);
  });

  r.post('/office/parents/:id/pupils/:pupilId/remove', adminOnly, (req, res) => {
    const userId = idParam.parse(req.params.id);
    register.removeGuardian(idParam.parse(req.params.pupilId), userId, actor(req));
    redirectWithFlash(res, `/office/parents/${userId}`, 'The child is no longer linked.');
  });

  return r;
}
