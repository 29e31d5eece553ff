import type { Request } from 'express';
import type { BiometricConsent, PhotoConsent } from '../../features/register/consents.repo';
import type { PhotoConsentState } from '../../features/register/consent-rules';
import { html } from '../html';
import { csrfField } from '../layout';
import { checkbox, errorSummary, radioGroup, textArea, textField } from './fields';
import { biometricBadge, formatDate, formatDateTime, photoBadge, type FormState } from './shared';

const STATUS_LABEL = { granted: 'Granted', refused: 'Refused', not_asked: 'Not asked' } as const;
const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

export function photoConsentSection(req: Request, o: {
  pupilId: number; state: PhotoConsentState; current: boolean; history: PhotoConsent[]; form: FormState | null; onRoll: boolean;
}) {
  const latest = o.history[0];
  const summary = o.state === 'granted' ? `Photos may be shared until the review on ${formatDate(latest?.reviewOn)}.`
    : o.state === 'expired' ? `The grant lapsed at its review date (${formatDate(latest?.reviewOn) || 'none set'}). Ask again; until then the face is blurred.`
      : o.state === 'refused' ? 'The face is blurred in every parent’s photo except their own parents’.'
        : 'No answer recorded yet: the face is blurred.';
  return html`<section class="card office-section" id="photo-consent" aria-labelledby="photo-consent-heading">
<h2 id="photo-consent-heading">Photo-sharing consent ${photoBadge(o.state)}</h2>
<p>${o.onRoll ? summary : 'This pupil has left: photo consent no longer counts.'}</p>
${o.history.length ? html`<div class="table-wrap"><table class="office-history">
<caption>History, newest first</caption>
<thead><tr><th scope="col">Answer</th><th scope="col">Given by</th><th scope="col">Given on</th><th scope="col">Review by</th><th scope="col">Note</th><th scope="col">Recorded</th></tr></thead>
<tbody>${o.history.map((c) => html`<tr><td>${STATUS_LABEL[c.status]}</td><td>${c.givenBy}</td><td class="nowrap">${formatDate(c.givenOn)}</td>
<td class="nowrap">${formatDate(c.reviewOn)}</td><td>${c.note ?? ''}</td><td class="nowrap">${formatDateTime(c.recordedAt)}</td></tr>`)}</tbody>
</table></div>` : html`<p class="muted">Nothing recorded yet.</p>`}
${o.form ? html`<details class="office-form-toggle"${Object.keys(o.form.errors).length ? html` open` : null}>
<summary>Record a new answer</summary>
<form method="post" action="/office/pupils/${o.pupilId}/photo-consent" novalidate class="office-form">
${csrfField(req)}
${errorSummary(o.form)}
${radioGroup({ form: o.form, idPrefix: 'photo', name: 'status', label: 'Answer', options: [['granted', 'Granted'], ['refused', 'Refused'], ['not_asked', 'Not asked (clear the answer)']] })}
${textField({ form: o.form, idPrefix: 'photo', name: 'givenBy', label: 'Given by', required: true, hint: 'Who answered and how, for example "Mother, paper form".', max: 200 })}
<div class="office-field-row">
${textField({ form: o.form, idPrefix: 'photo', name: 'givenOn', label: 'Given on', type: 'date', optional: true, hint: 'Defaults to today.' })}
${textField({ form: o.form, idPrefix: 'photo', name: 'reviewOn', label: 'Review by', type: 'date', optional: true, hint: 'A grant defaults to a year later.' })}
</div>
${textArea({ form: o.form, idPrefix: 'photo', name: 'note', label: 'Note', optional: true })}
<div class="actions"><button type="submit" class="button">Record photo consent</button></div>
</form></details>` : null}
</section>`;
}

export function biometricSection(req: Request, o: {
  pupilId: number; holds: boolean; history: BiometricConsent[]; form: FormState | null;
}) {
  return html`<section class="card office-section" id="biometric-consent" aria-labelledby="biometric-heading">
<h2 id="biometric-heading">Biometric consent ${biometricBadge(o.holds)}</h2>
<p>Face recognition needs a parent’s written consent, and stops at once if a parent or the child objects
(Protection of Freedoms Act 2012). When consent stops, the pupil’s reference photos are deleted.</p>
${o.history.length ? html`<div class="table-wrap"><table class="office-history">
<caption>History, newest first</caption>
<thead><tr><th scope="col">Parent consent</th><th scope="col">Parent objection</th><th scope="col">Child objection</th><th scope="col">Result</th><th scope="col">Given by</th><th scope="col">Note</th><th scope="col">Recorded</th></tr></thead>
<tbody>${o.history.map((c) => html`<tr><td>${yesNo(c.parentConsent)}</td><td>${yesNo(c.parentObjection)}</td><td>${yesNo(c.childObjection)}</td>
<td>${biometricBadge(c.parentConsent && !c.parentObjection && !c.childObjection)}</td><td>${c.givenBy}</td><td>${c.note ?? ''}</td><td class="nowrap">${formatDateTime(c.recordedAt)}</td></tr>`)}</tbody>
</table></div>` : html`<p class="muted">Nothing recorded yet: no consent.</p>`}
${o.form ? html`<details class="office-form-toggle"${Object.keys(o.form.errors).length ? html` open` : null}>
<summary>Record biometric consent or an objection</summary>
<form method="post" action="/office/pupils/${o.pupilId}/biometric-consent" novalidate class="office-form">
${csrfField(req)}
${errorSummary(o.form)}
<fieldset class="field"><legend>What is the position now?</legend>
${checkbox({ form: o.form, idPrefix: 'bio', name: 'parentConsent', label: 'A parent has given written consent' })}
${checkbox({ form: o.form, idPrefix: 'bio', name: 'parentObjection', label: 'A parent objects' })}
${checkbox({ form: o.form, idPrefix: 'bio', name: 'childObjection', label: 'The child objects or refuses (at any age)' })}
</fieldset>
${textField({ form: o.form, idPrefix: 'bio', name: 'givenBy', label: 'Given by', required: true, hint: 'Who told the school and how, for example "Father, email".', max: 200 })}
${textArea({ form: o.form, idPrefix: 'bio', name: 'note', label: 'Note', optional: true })}
<div class="actions"><button type="submit" class="button">Record biometric consent</button></div>
</form></details>` : null}
</section>`;
}
