import type { Request } from 'express';
import type { ConsentKind, PhotoConsentState } from '../../features/register/consent-rules';
import type { ConsentPerson, ConsentPositionEntry } from '../../features/register/consents.repo';
import type { Guardian } from '../../features/register/pupils.repo';
import { html } from '../html';
import { csrfField } from '../layout';
import { errorSummary, radioGroup, textArea, textField } from './fields';
import { biometricBadge, emptyForm, formatDate, formatDateTime, photoBadge, type FormState } from './shared';

// The office's view of consent: everyone with a say, each one's latest position on each consent,
// the resulting state, and the whole history. Each person's form starts from their current
// answers, so recording one new form never blanks what someone else said.

/** One row of the "who said what" table; `key` names the person in form URLs. */
export interface PersonRow {
  key: string;
  label: string;
  isChild: boolean;
  note: string | null;
  photo: ConsentPositionEntry | null;
  biometric: ConsentPositionEntry | null;
}

const POSITION_LABEL = { consents: 'Consents', objects: 'Objects', withdrawn: 'No answer (withdrawn)' } as const;
const SOURCE_LABEL = { paper: 'paper form', online: 'online', office: 'noted by the office' } as const;
const CONSENT_LABEL: Record<ConsentKind, string> = { photo: 'Photo sharing', biometric: 'Face recognition' };

/** The child first, then linked parent accounts, then everyone else who has ever answered. */
export function personRows(people: ConsentPerson[], guardians: Guardian[], history: ConsentPositionEntry[]): PersonRow[] {
  const latest = (personId: number | undefined, consent: ConsentKind) =>
    personId === undefined ? null : history.find((h) => h.personId === personId && h.consent === consent) ?? null;
  const child = people.find((p) => p.kind === 'child');
  const rows: PersonRow[] = [{ key: 'child', label: 'The child', isChild: true, note: null, photo: latest(child?.id, 'photo'), biometric: latest(child?.id, 'biometric') }];
  for (const g of guardians) {
    const person = people.find((p) => p.kind === 'parent_account' && p.userId === g.userId);
    rows.push({ key: `account-${g.userId}`, label: `${g.name} (${g.relationship}, parent account)`, isChild: false, note: null,
      photo: latest(person?.id, 'photo'), biometric: latest(person?.id, 'biometric') });
  }
  for (const p of people) {
    if (p.kind === 'child' || (p.kind === 'parent_account' && guardians.some((g) => g.userId === p.userId))) continue;
    const label = p.kind === 'named' ? `${p.name}${p.relationship ? ` (${p.relationship})` : ''}, named on a form` : `${p.name ?? 'A former account'}`;
    rows.push({ key: `person-${p.id}`, label, isChild: false, note: p.kind === 'parent_account' ? 'No longer linked: a consent no longer counts, an objection still stands.' : null,
      photo: latest(p.id, 'photo'), biometric: latest(p.id, 'biometric') });
  }
  return rows;
}

function positionCell(p: ConsentPositionEntry | null) {
  if (!p || p.position === 'withdrawn') return html`<span class="muted">${p ? `Withdrawn ${formatDate(p.givenOn)}` : 'No answer'}</span>`;
  return html`<strong>${POSITION_LABEL[p.position]}</strong><br><span class="small">${SOURCE_LABEL[p.source]}, ${formatDate(p.givenOn)}${p.reviewOn ? `; review by ${formatDate(p.reviewOn)}` : ''}</span>`;
}

/** A person's current answers as form values: their form starts from what they said last. */
export const currentAnswers = (row: PersonRow, today: string): FormState => emptyForm({
  photo: row.photo?.position === 'consents' || row.photo?.position === 'objects' ? row.photo.position : 'withdrawn',
  biometric: row.biometric?.position === 'consents' || row.biometric?.position === 'objects' ? row.biometric.position : 'withdrawn',
  source: 'paper', givenOn: today,
});

function answerFields(form: FormState, idPrefix: string, isChild: boolean) {
  const options = (what: string): Array<[string, string]> => isChild
    ? [['objects', `Refuses or objects to ${what}`], ['withdrawn', 'No objection']]
    : [['consents', `Consents to ${what}`], ['objects', `Refuses or objects to ${what}`], ['withdrawn', 'No answer (withdraws an earlier one)']];
  return html`${radioGroup({ form, idPrefix, name: 'photo', label: 'Photo sharing', options: options('photo sharing') })}
${radioGroup({ form, idPrefix, name: 'biometric', label: 'Face recognition (biometric)', options: options('face recognition') })}
${isChild ? null : radioGroup({ form, idPrefix, name: 'source', label: 'How the school was told', options: [['paper', 'Paper form (written)'], ['office', 'In person or by phone (not written: a biometric consent must be written)']] })}
<div class="office-field-row">
${textField({ form, idPrefix, name: 'givenOn', label: 'Given on', type: 'date', optional: true, hint: 'Defaults to today.' })}
${isChild ? null : textField({ form, idPrefix, name: 'reviewOn', label: 'Photo consent review by', type: 'date', optional: true, hint: 'A photo consent defaults to a year later.' })}
</div>
${isChild ? null : textField({ form, idPrefix, name: 'shown', label: 'Which form', optional: true, hint: 'The form’s title or version, so the school can show what this person signed.', max: 100 })}
${textArea({ form, idPrefix, name: 'note', label: 'Note', optional: true })}`;
}

export function consentSection(req: Request, o: {
  pupilId: number; firstName: string; onRoll: boolean; photoState: PhotoConsentState; photoCurrent: boolean; photoReviewOn: string | null;
  biometricHolds: boolean; rows: PersonRow[]; history: ConsentPositionEntry[]; labels: Map<number, string>; canChange: boolean; today: string;
  forms: Record<string, FormState>;
}) {
  const photoSummary = !o.onRoll ? 'This pupil has left: photo consent no longer counts.'
    : o.photoState === 'granted' ? `Photos may be shared until ${formatDate(o.photoReviewOn)}: a person with parental responsibility consents and nobody objects.`
      : o.photoState === 'expired' ? 'The consents have passed their review date. Ask again; until then the face is blurred.'
        : o.photoState === 'refused' ? 'Someone objects, so the face is blurred in every parent’s photo except their own parents’. Only that person can withdraw the objection.'
          : 'Nobody with parental responsibility has consented yet: the face is blurred.';
  return html`<section class="card office-section" id="consents" aria-labelledby="consents-heading">
<h2 id="consents-heading">Consent</h2>
<p>Photo sharing ${photoBadge(o.photoState)} ${photoSummary}</p>
<p>Face recognition ${biometricBadge(o.biometricHolds)} It needs one parent’s written consent and stops at once if any parent or the child objects
(Protection of Freedoms Act 2012). When it stops, the reference photos are deleted.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Who has a say"><table class="office-history" id="consent-people">
<caption>Who said what (each person’s latest answer)</caption>
<thead><tr><th scope="col">Person</th><th scope="col">Photo sharing</th><th scope="col">Face recognition</th></tr></thead>
<tbody>${o.rows.map((r) => html`<tr data-person="${r.key}"><th scope="row">${r.label}${r.note ? html`<br><span class="small muted">${r.note}</span>` : null}</th>
<td>${positionCell(r.photo)}</td><td>${positionCell(r.biometric)}</td></tr>`)}</tbody>
</table></div>
${o.canChange ? o.rows.map((r) => {
    const form = o.forms[r.key] ?? currentAnswers(r, o.today);
    return html`<details class="office-form-toggle"${Object.keys(form.errors).length ? html` open` : null}>
<summary>${r.isChild ? `Record ${o.firstName}’s own refusal or objection` : `Record a form from ${r.label}`}</summary>
<form method="post" action="/office/pupils/${o.pupilId}/consents/${r.key}" novalidate class="office-form">
${csrfField(req)}
${errorSummary(form)}
${answerFields(form, `pos-${r.key}`, r.isChild)}
<div class="actions"><button type="submit" class="button">Save ${r.isChild ? 'the child’s answer' : 'these answers'}</button></div>
</form></details>`;
  }) : null}
${o.canChange ? (() => {
    const form = o.forms['new'] ?? emptyForm({ photo: 'withdrawn', biometric: 'withdrawn', source: 'paper', givenOn: o.today });
    return html`<details class="office-form-toggle"${Object.keys(form.errors).length ? html` open` : null}>
<summary>Record a paper form from someone else with parental responsibility</summary>
<form method="post" action="/office/pupils/${o.pupilId}/consents/new" novalidate class="office-form">
${csrfField(req)}
${errorSummary(form)}
${textField({ form, idPrefix: 'pos-new', name: 'name', label: 'Name on the form', required: true, max: 200 })}
${textField({ form, idPrefix: 'pos-new', name: 'relationship', label: 'Relationship', optional: true, hint: 'For example mother, father, carer.', max: 50 })}
${answerFields(form, 'pos-new', false)}
<div class="actions"><button type="submit" class="button">Save this form</button></div>
</form></details>`;
  })() : null}
${o.history.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Consent history"><table class="office-history">
<caption>History, newest first</caption>
<thead><tr><th scope="col">Person</th><th scope="col">Consent</th><th scope="col">Answer</th><th scope="col">How</th><th scope="col">Given on</th><th scope="col">Review by</th><th scope="col">Shown</th><th scope="col">Note</th><th scope="col">Recorded</th></tr></thead>
<tbody>${o.history.map((h) => html`<tr><td>${o.labels.get(h.personId) ?? ''}</td><td>${CONSENT_LABEL[h.consent]}</td><td>${POSITION_LABEL[h.position]}</td>
<td>${SOURCE_LABEL[h.source]}</td><td class="nowrap">${formatDate(h.givenOn)}</td><td class="nowrap">${formatDate(h.reviewOn)}</td>
<td class="small">${h.shown ?? ''}</td><td>${h.note ?? ''}</td><td class="nowrap">${formatDateTime(h.recordedAt)}</td></tr>`)}</tbody>
</table></div>` : html`<p class="muted">Nothing recorded yet.</p>`}
</section>`;
}
