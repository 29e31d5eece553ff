import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import type { User } from '../../features/accounts/accounts.repo';
import { email, staffRole } from '../../features/accounts/accounts.schemas';
import { AppError, notFound } from '../../platform/errors';
import { idParam } from '../../platform/http';
import { html } from '../html';
import { csrfField } from '../layout';
import { errorSummary, selectField, textField } from './fields';
import { adminOnly, emptyForm, failedForm, formValues, redirectWithFlash, sendPage, type FormState } from './shared';

// The office's staff: admins (the school office) and organisers (teachers running events).
// The last active admin can be neither disabled, demoted nor removed (the service refuses).

const ROLE_LABEL = { admin: 'Office admin', organiser: 'Organiser', parent: 'Parent' } as const;
const ROLE_OPTIONS: Array<[string, string]> = [['organiser', 'Organiser: runs events, sees their participants'], ['admin', 'Office admin: everything']];

const addStaffForm = z.object({
  name: z.string({ message: 'Enter their name.' }).trim().min(1, 'Enter their name.').max(200, 'Use at most 200 characters.'),
  email,
  role: staffRole,
});

const statusBadge = (u: User) => (u.status === 'disabled' ? html`<span class="badge badge-bad">Disabled</span>`
  : u.hasPassword ? html`<span class="badge badge-ok">Active</span>` : html`<span class="badge badge-warn">Invitation pending</span>`);

export function staffPages(ctx: AppContext): Router {
  const { accounts } = ctx;
  const r = Router();
  const actor = (req: Request) => req.auth!.user.id;

  function staffMember(id: number): User {
    const u = accounts.repo.userById(id);
    if (!u || u.role === 'parent') throw notFound('staff member');
    return u;
  }

  function renderList(req: Request, res: Response, form: FormState = emptyForm({ role: 'organiser' }), status = 200) {
    const staff = accounts.staff();
    const me = actor(req);
    const action = (u: User, path: string, label: string, extra: Record<string, string> = {}) => html`<form method="post" action="/office/staff/${u.id}/${path}" class="inline-form">${csrfField(req)}${Object.entries(extra).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit" class="button button-small button-secondary">${label}</button></form>`;
    const body = html`<h1>Staff</h1>
<p class="lead">Office admins run the register; organisers run their own events and see only those events’ pupils and consent states.</p>
<div class="table-wrap"><table class="office-staff">
<caption>${staff.length === 1 ? '1 member of staff' : `${staff.length} members of staff`}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Account</th><th scope="col">Change</th></tr></thead>
<tbody>${staff.map((u) => html`<tr data-user="${u.id}"><td>${u.name}${u.id === me ? ' (you)' : ''}</td><td>${u.email}</td><td>${ROLE_LABEL[u.role]}</td><td>${statusBadge(u)}</td>
<td class="office-staff-actions">${u.role === 'admin' ? action(u, 'role', 'Make organiser', { role: 'organiser' }) : action(u, 'role', 'Make office admin', { role: 'admin' })}
${u.status === 'active' ? action(u, 'status', 'Disable', { status: 'disabled' }) : action(u, 'status', 'Enable', { status: 'active' })}
${!u.hasPassword && u.status === 'active' ? action(u, 'invitation', 'Send invitation again') : null}
<a class="button button-small button-secondary" href="/office/staff/${u.id}/remove">Remove</a></td></tr>`)}</tbody>
</table></div>
<section class="card office-section" id="add" aria-labelledby="add-heading">
<h2 id="add-heading">Add a member of staff</h2>
<form method="post" action="/office/staff" novalidate class="office-form">
${csrfField(req)}
${errorSummary(form)}
<div class="office-field-row">
${textField({ form, idPrefix: 'staff', name: 'name', label: 'Name', required: true, max: 200 })}
${textField({ form, idPrefix: 'staff', name: 'email', label: 'Email address', type: 'email', required: true, autocomplete: 'off' })}
</div>
${selectField({ form, idPrefix: 'staff', name: 'role', label: 'Role', options: ROLE_OPTIONS })}
<p class="hint">They get an email with a link to set their password (valid for 14 days).</p>
<div class="actions"><button type="submit" class="button">Add and send invitation</button></div>
</form></section>`;
    sendPage(req, res, { title: 'Staff', body, status, wide: true });
  }

  /** Runs a change; a refusal (the last admin, an unknown account) comes back as a flash message. */
  async function change(req: Request, res: Response, run: () => Promise<string> | string) {
    let message: string;
    try {
      message = await run();
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      message = err.message;
    }
    redirectWithFlash(res, '/office/staff', message);
  }

  r.get('/office/staff', adminOnly, (req, res) => renderList(req, res));

  r.post('/office/staff', adminOnly, async (req, res) => {
    const values = formValues(req.body);
    try {
      const input = addStaffForm.parse(values);
      await accounts.createUser(input, actor(req), { sendEmail: true });
    } catch (err) {
      return renderList(req, res, failedForm(values, err), 400);
    }
    redirectWithFlash(res, '/office/staff', `Invitation sent to ${values.email?.trim() ?? ''}.`);
  });

  r.post('/office/staff/:id/role', adminOnly, (req, res) => change(req, res, () => {
    const u = staffMember(idParam.parse(req.params.id));
    const role = staffRole.parse(formValues(req.body).role);
    accounts.changeRole(u.id, role, actor(req));
    return `${u.name} is now ${role === 'admin' ? 'an office admin' : 'an organiser'}.`;
  }));

  r.post('/office/staff/:id/status', adminOnly, (req, res) => change(req, res, () => {
    const u = staffMember(idParam.parse(req.params.id));
    const status = z.enum(['active', 'disabled']).parse(formValues(req.body).status);
    accounts.setStatus(u.id, status, actor(req));
    return status === 'disabled' ? `${u.name} is disabled and signed out everywhere.` : `${u.name} can sign in again.`;
  }));

  r.post('/office/staff/:id/invitation', adminOnly, (req, res) => change(req, res, async () => {
    const u = staffMember(idParam.parse(req.params.id));
    await accounts.resendInvitation(u.id, actor(req));
    return `A new invitation was sent to ${u.email}; earlier links no longer work.`;
  }));

  const removePage = (req: Request, res: Response, error?: string) => {
    const u = staffMember(idParam.parse(req.params.id));
    const body = html`<p class="breadcrumbs"><a href="/office/staff">Staff</a></p>
<h1>Remove ${u.name}?</h1>
<div class="card office-form">
<p>Their account (name, e-mail address, password), sessions and API tokens are deleted, and they stop organising their events. What they recorded stays, without their name. This cannot be undone; to stop them signing in for a while, disable the account instead.</p>
${error ? html`<div class="alert alert-error" role="alert">${error}</div>` : null}
<form method="post" action="/office/staff/${u.id}/remove">
${csrfField(req)}
<div class="actions"><button type="submit" class="button button-danger">Remove ${u.name}</button> <a href="/office/staff">Cancel</a></div>
</form></div>`;
    sendPage(req, res, { title: `Remove ${u.name}`, body, status: error ? 409 : 200 });
  };

  r.get('/office/staff/:id/remove', adminOnly, (req, res) => removePage(req, res));
  r.post('/office/staff/:id/remove', adminOnly, (req, res) => {
    const u = staffMember(idParam.parse(req.params.id));
    try {
      ctx.register.eraseAccount(u.id, actor(req), 'office');
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return removePage(req, res, err.message);
      throw err;
    }
    if (u.id === actor(req)) return res.redirect(303, '/login');
    redirectWithFlash(res, '/office/staff', `${u.name} was removed.`);
  });

  return r;
}
