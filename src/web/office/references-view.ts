import type { Request } from 'express';
import type { ReferenceInfo } from '../../features/register/consents.repo';
import { MAX_REFERENCES_PER_PUPIL } from '../../features/register/references.service';
import { html } from '../html';
import { csrfField } from '../layout';
import type { UnrecognisedCounts } from '../../features/register/recognition.service';
import { formatDate } from './shared';

export function referencesSection(req: Request, o: {
  pupilId: number; firstName: string; references: ReferenceInfo[]; isAdmin: boolean; onRoll: boolean; biometricHolds: boolean;
  rejection?: string;
  /** Photos checked by this pupil's parents that did not recognise them (counts only). */
  unrecognised?: UnrecognisedCounts | null;
}) {
  const n = o.references.length;
  const blocked = !o.onRoll ? 'This pupil has left, so no reference photo can be added.'
    : !o.biometricHolds ? 'Reference photos need biometric consent from a parent, with no objection from a parent or the child. Record it above first.'
      : n >= MAX_REFERENCES_PER_PUPIL ? `${o.firstName} has the most reference photos allowed (${MAX_REFERENCES_PER_PUPIL}). Remove one to add another.`
        : null;
  return html`<section class="card office-section" id="references" aria-labelledby="references-heading">
<h2 id="references-heading">Reference photos</h2>
<p>ShareSafe recognises ${o.firstName} from these. Only a measurement of the face and a small thumbnail are kept, encrypted; the uploaded photo is never stored.</p>
${unrecognisedLine(o.firstName, o.unrecognised)}
${o.rejection && (blocked || !o.isAdmin) ? rejectionAlert(o.rejection) : null}
${!o.isAdmin ? html`<p>${n === 0 ? 'None yet.' : n === 1 ? '1 reference photo.' : `${n} reference photos.`}</p>`
    : n ? html`<ul class="office-thumbs">
${o.references.map((ref, i) => html`<li>
<img src="/office/pupils/${o.pupilId}/references/${ref.id}/thumbnail" width="96" height="96" alt="Reference photo ${i + 1} of ${o.firstName}">
<span class="muted">Added ${formatDate(ref.createdAt)}</span>
<form method="post" action="/office/pupils/${o.pupilId}/references/${ref.id}/remove" class="inline-form">
${csrfField(req)}<button type="submit" class="button button-small button-danger">Remove</button></form>
</li>`)}
</ul>` : html`<p class="muted">None yet.</p>`}
${o.isAdmin ? blocked ? html`<p class="alert alert-info">${blocked}</p>` : html`<form class="office-form office-upload" method="post" enctype="multipart/form-data"
 action="/office/pupils/${o.pupilId}/references" data-busy-label="Checking the photo…">
${csrfField(req)}
<div class="field${o.rejection ? ' field-error' : ''}"><label for="reference-photo">Add a reference photo</label>
<p class="hint" id="reference-photo-hint">A clear, front-on colour photo of ${o.firstName} alone, face well lit and in focus. It is checked before anything is stored.</p>
${o.rejection ? rejectionAlert(o.rejection) : null}
<input id="reference-photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp,image/heic,.heic" required${o.rejection ? html` autofocus aria-invalid="true"` : null} aria-describedby="reference-photo-hint${o.rejection ? ' reference-rejected' : ''}"></div>
<div class="actions"><button type="submit" class="button">Check and add photo</button></div>
</form>` : null}
</section>`;
}

/** Right where the office's eye is: in the form, above the file box (which takes the focus). */
const rejectionAlert = (message: string) =>
  html`<div class="alert alert-error" role="alert" id="reference-rejected"><p><strong>Photo not accepted. Nothing was stored.</strong></p><p>${message}</p></div>`;

function unrecognisedLine(firstName: string, c: UnrecognisedCounts | null | undefined) {
  if (!c || c.noMatch + c.noReference === 0) return null;
  const parts = [
    c.noMatch ? `${c.noMatch} ${c.noMatch === 1 ? 'photo' : 'photos'} where ShareSafe found no confident match` : '',
    c.noReference ? `${c.noReference} ${c.noReference === 1 ? 'photo' : 'photos'} checked before ${firstName} could be recognised (no reference photo or no biometric consent)` : '',
  ].filter(Boolean);
  return html`<p class="alert alert-warn" id="unrecognised-counts">Photos checked by ${firstName}'s parents did not recognise ${firstName}: ${parts.join('; ')}. The last was on ${formatDate(c.lastAt)}.${c.noMatch ? ` A clearer, more recent reference photo may help.` : ''}</p>`;
}
