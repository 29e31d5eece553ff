import type { Request } from 'express';
import { html } from '../html';
import { csrfField } from '../layout';
import { formatDate } from './shared';

/** Twins and look-alike siblings: why a recognised pupil may still be blurred for other parents,
 *  and the office's confirmation that lifts it. */
export function lookalikeSection(req: Request, o: {
  pupilId: number; firstName: string; confirmedAt: string | null; unenrolledSiblings: number; canChange: boolean;
}) {
  const status = o.confirmedAt
    ? html`<p>The office confirmed on ${formatDate(o.confirmedAt)} that no brother or sister looks like ${o.firstName}.</p>`
    : o.unenrolledSiblings > 0
      ? html`<p class="alert alert-warn">${o.firstName} has ${o.unenrolledSiblings === 1 ? 'a brother or sister' : `${o.unenrolledSiblings} brothers or sisters`} (sharing a parent here) who cannot be recognised. A twin or look-alike could be taken for ${o.firstName}, so ${o.firstName} is blurred for other parents even when recognised, until you confirm that no sibling looks like ${o.firstName}.</p>`
      : html`<p>No brother or sister who cannot be recognised is linked to ${o.firstName}.</p>`;
  const form = !o.canChange ? null : html`<form method="post" action="/office/pupils/${o.pupilId}/no-lookalike-sibling" class="office-form">
${csrfField(req)}
<input type="hidden" name="confirmed" value="${o.confirmedAt ? 'no' : 'yes'}">
<div class="actions"><button type="submit" class="button button-secondary">${o.confirmedAt ? 'Withdraw the confirmation' : `Confirm: no brother or sister looks like ${o.firstName}`}</button></div>
</form>`;
  return html`<section class="card office-section" id="lookalike-sibling" aria-labelledby="lookalike-heading">
<h2 id="lookalike-heading">Twins and look-alike siblings</h2>
${status}
${form}
</section>`;
}
