import type { Request } from 'express';
import type { Guardian } from '../../features/register/pupils.repo';
import { html } from '../html';
import { csrfField } from '../layout';
import { errorSummary, textField } from './fields';
import type { FormState } from './shared';

export function guardiansSection(req: Request, o: {
  pupilId: number; guardians: Guardian[]; canChange: boolean; linkForm: FormState; inviteForm: FormState;
}) {
  const open = (f: FormState) => (Object.keys(f.errors).length ? html` open` : null);
  return html`<section class="card office-section" id="guardians" aria-labelledby="guardians-heading">
<h2 id="guardians-heading">Parents and carers</h2>
<p class="muted">Linked parents see this child’s face in their own photos, whatever the consent.</p>
${o.guardians.length ? html`<ul class="office-people">
${o.guardians.map((g) => html`<li>
<span><a href="/office/parents/${g.userId}">${g.name}</a> <span class="muted">${g.email} · ${g.relationship}</span>
${g.invitationPending ? html` <span class="badge badge-warn">Invitation pending</span>` : null}</span>
${o.canChange ? html`<form method="post" action="/office/pupils/${o.pupilId}/guardians/${g.userId}/remove" class="inline-form">
${csrfField(req)}<button type="submit" class="button button-small button-secondary">Unlink</button></form>` : null}
</li>`)}
</ul>` : html`<p class="muted">No parent is linked yet.</p>`}
${o.canChange ? html`<div class="office-two-forms">
<details class="office-form-toggle"${open(o.linkForm)}><summary>Link a parent who has an account</summary>
<form method="post" action="/office/pupils/${o.pupilId}/guardians/link" novalidate class="office-form">
${csrfField(req)}
${errorSummary(o.linkForm)}
${textField({ form: o.linkForm, idPrefix: 'link', name: 'email', label: 'Their email address', type: 'email', required: true, autocomplete: 'off' })}
${textField({ form: o.linkForm, idPrefix: 'link', name: 'relationship', label: 'Relationship', optional: true, hint: 'For example mother, father, carer.', max: 50 })}
<div class="actions"><button type="submit" class="button">Link parent</button></div>
</form></details>
<details class="office-form-toggle"${open(o.inviteForm)}><summary>Invite a new parent</summary>
<form method="post" action="/office/pupils/${o.pupilId}/guardians/invite" novalidate class="office-form">
${csrfField(req)}
${errorSummary(o.inviteForm)}
${textField({ form: o.inviteForm, idPrefix: 'invite', name: 'name', label: 'Name', required: true, max: 200 })}
${textField({ form: o.inviteForm, idPrefix: 'invite', name: 'email', label: 'Email address', type: 'email', required: true, autocomplete: 'off' })}
${textField({ form: o.inviteForm, idPrefix: 'invite', name: 'relationship', label: 'Relationship', optional: true, max: 50 })}
<p class="hint">They get an email with a link to set their password.</p>
<div class="actions"><button type="submit" class="button">Send invitation</button></div>
</form></details>
</div>` : null}
</section>`;
}
