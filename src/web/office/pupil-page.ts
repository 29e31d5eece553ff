import type { Request, Response } from 'express';
import type { AppContext } from '../../context';
import { isoDate } from '../../platform/clock';
import { html } from '../html';
import { csrfField } from '../layout';
import { consentSection, personRows } from './consent-view';
import { errorSummary } from './fields';
import { guardiansSection } from './guardians-view';
import { lookalikeSection } from './lookalike-view';
import { yearGroupLabel } from './forms';
import { pupilFields } from './pupils';
import { referencesSection } from './references-view';
import { emptyForm, formatDate, isAdmin, photoBadge, biometricBadge, pupilName, sendPage, type FormState } from './shared';

/** Forms of the pupil page that came back refused, with what was entered. */
export interface PupilPageState {
  details?: FormState;
  /** Consent forms by person key ('child', 'account-3', 'person-7', 'new'). */
  consents?: Record<string, FormState>;
  link?: FormState;
  invite?: FormState;
  referenceRejection?: string;
}

/** The pupil page: details, consents, reference photos and parents. Organisers see it read-only. */
export function renderPupilPage(ctx: AppContext, req: Request, res: Response, pupilId: number, state: PupilPageState = {}, status = 200) {
  const d = ctx.register.pupilDetail(pupilId);
  const p = d.pupil;
  const admin = isAdmin(req);
  const onRoll = p.status === 'on_roll';
  const canChange = admin && onRoll;
  const details = state.details ?? emptyForm({
    upn: p.upn ?? '', firstName: p.firstName, lastName: p.lastName, className: p.className, yearGroup: p.yearGroup,
  });
  const today = isoDate(ctx.clock.now());

  const body = html`<p class="breadcrumbs"><a href="/office/pupils">Pupils</a></p>
<div class="office-heading"><h1>${pupilName(p)}</h1>
${canChange ? html`<a class="button button-secondary" href="/office/pupils/${p.id}/leave">Mark as left</a>` : null}
${admin ? html`<a class="button button-secondary" href="/office/pupils/${p.id}/erase">Erase now</a>` : null}</div>
<p class="office-facts">Class ${p.className} · ${yearGroupLabel(p.yearGroup)}${p.upn ? ` · UPN ${p.upn}` : ''}
${onRoll ? null : html` · <span class="badge badge-bad">Left ${formatDate(p.leftAt)}</span>`}</p>
<p class="office-facts">Photo consent ${photoBadge(d.photoState)} · Biometric ${biometricBadge(d.biometricHolds)} · ${d.references.length === 1 ? '1 reference photo' : `${d.references.length} reference photos`}</p>
${state.details ? errorSummary(details) : null}
${consentSection(req, {
    pupilId: p.id, firstName: p.firstName, onRoll, photoState: d.photoState, photoCurrent: d.photoCurrent, photoReviewOn: d.photo.reviewOn,
    biometricHolds: d.biometricHolds, rows: personRows(d.people, d.guardians, d.positions), history: d.positions,
    labels: new Map(d.people.map((x) => [x.id, x.kind === 'child' ? `${p.firstName} (the child)` : x.name ?? 'A former account'])),
    canChange, today, forms: state.consents ?? {},
  })}
${referencesSection(req, {
    pupilId: p.id, firstName: p.firstName, references: d.references, isAdmin: admin, onRoll, biometricHolds: d.biometricHolds,
    rejection: state.referenceRejection, unrecognised: ctx.register.unrecognisedCounts(p.id),
  })}
${guardiansSection(req, { pupilId: p.id, guardians: d.guardians, canChange, linkForm: state.link ?? emptyForm(), inviteForm: state.invite ?? emptyForm() })}
${lookalikeSection(req, {
    pupilId: p.id, firstName: p.firstName, confirmedAt: p.noLookalikeSiblingAt, canChange,
    unenrolledSiblings: ctx.register.unenrolledSiblingIds(p.id).length,
  })}
${admin ? html`<section class="card office-section" id="details" aria-labelledby="details-heading">
<h2 id="details-heading">Details</h2>
<form method="post" action="/office/pupils/${p.id}/details" novalidate class="office-form">
${csrfField(req)}
${errorSummary(details)}
${pupilFields(details, 'details')}
<div class="actions"><button type="submit" class="button">Save details</button></div>
</form></section>` : null}`;
  sendPage(req, res, { title: pupilName(p), body, status, wide: true });
}

/** The confirmation step before a pupil is marked as left: it says what will be deleted. */
export function renderLeaveConfirmation(ctx: AppContext, req: Request, res: Response, pupilId: number) {
  const d = ctx.register.pupilDetail(pupilId);
  const refs = d.references.length;
  const body = html`<p class="breadcrumbs"><a href="/office/pupils">Pupils</a> › <a href="/office/pupils/${pupilId}">${pupilName(d.pupil)}</a></p>
<h1>Mark ${pupilName(d.pupil)} as left?</h1>
<div class="card office-form">
<ul>
<li>Their photo-sharing consent stops counting: their face will be blurred in every check.</li>
<li>${refs === 0 ? 'They have no reference photos.' : html`<strong>${refs === 1 ? 'Their reference photo' : `Their ${refs} reference photos`} will be deleted at once.</strong> This cannot be undone.`}</li>
<li>Safe copies from the last hour in which they are visible are deleted.</li>
<li>Their consent history stays in the register.</li>
</ul>
<form method="post" action="/office/pupils/${pupilId}/leave">
${csrfField(req)}
<div class="actions"><button type="submit" class="button button-danger">Yes, mark as left${refs ? ` and delete ${refs === 1 ? 'the reference photo' : 'the reference photos'}` : ''}</button>
<a href="/office/pupils/${pupilId}">Cancel</a></div>
</form></div>`;
  sendPage(req, res, { title: `Mark ${pupilName(d.pupil)} as left`, body });
}
