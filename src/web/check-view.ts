import {
  presentCheck, type CheckRecord, type ParentCheck, type ParentFace, type ParentPhoto, type ParentPhotoFailure,
} from '../features/checks/checks.presenter';
import { html, type SafeHtml } from './html';

// How one check's photos look on a page: the safe copy with face outlines, the plain-words
// summary, a legend and the download and share actions. Pages render only the parent's view
// (presentCheck), never the stored record: no detailed verdict, no other pupil's id or name.

type Kind = 'own' | 'visible' | 'blurred';

const kindOf = (f: ParentFace): Kind => (f.outcome === 'own_child' ? 'own' : f.outcome);

function faceTitle(f: ParentFace): string {
  const kind = kindOf(f);
  if (kind === 'own') return f.child ? `Your child ${f.child.firstName}` : 'Your child';
  return kind === 'visible' ? 'Stays visible' : 'Blurred face';
}

function overlay(p: ParentPhoto): SafeHtml {
  const rects = p.faces.map((f) => {
    const b = f.box;
    return html`<rect class="face-${kindOf(f)}" x="${Math.round(b.x)}" y="${Math.round(b.y)}" width="${Math.round(b.width)}" height="${Math.round(b.height)}" rx="4"><title>${faceTitle(f)}</title></rect>`;
  });
  return html`<svg class="face-overlay" viewBox="0 0 ${p.width} ${p.height}" aria-hidden="true" focusable="false">${rects}</svg>`;
}

function legend(p: ParentPhoto): SafeHtml {
  const count = (k: Kind) => p.faces.filter((f) => kindOf(f) === k).length;
  return html`<ul class="legend" aria-label="Key to the outlines">
<li><span class="swatch swatch-own" aria-hidden="true"></span>Your child (${count('own')})</li>
<li><span class="swatch swatch-visible" aria-hidden="true"></span>Visible (${count('visible')})</li>
<li><span class="swatch swatch-blurred" aria-hidden="true"></span>Blurred (${count('blurred')})</li>
</ul>`;
}

function badge(p: ParentPhoto): SafeHtml {
  if (p.faces.length === 0) return html`<span class="badge badge-warn">No faces found</span>`;
  const blurred = p.faces.filter((f) => f.blurred).length;
  return blurred === 0 ? html`<span class="badge badge-ok">Safe as it was</span>` : html`<span class="badge badge-ok">Ready to share · ${blurred} blurred</span>`;
}

/** The parent's own children the check did not recognise: what happened and what to do. */
function notRecognised(p: ParentPhoto): SafeHtml | '' {
  if (p.notRecognised.length === 0) return '';
  return html`<div class="alert alert-info not-recognised">
${p.notRecognised.map((c) => html`<p>${c.message}${c.reason === 'no_biometric_consent' ? html` <a href="/consents">Go to the Consent page</a>` : ''}</p>`)}
</div>`;
}

/** Weak detections blurred "to be safe": each may be looked at, and put back if it is no person. */
function maybeFaces(check: ParentCheck, p: ParentPhoto, label: string): SafeHtml | '' {
  const places = p.faces.map((f, i) => ({ f, i })).filter(({ f }) => f.mayReveal);
  if (places.length === 0) return '';
  return html`<details class="maybe-faces">
<summary>${places.length === 1 ? 'A place that may be a face was blurred to be safe' : `${places.length} places that may be faces were blurred to be safe`}</summary>
<p class="small">If one is not a person (a pattern, a poster, a toy), you can look at it and put it back. Faces always stay blurred.</p>
<ul>${places.map(({ i }, n) => html`<li><a href="/checks/${check.id}/photos/${p.index}/regions/${i}">Look at place ${n + 1} in ${label.toLowerCase()}</a></li>`)}</ul>
</details>`;
}

/** "Blur more": the editor (check.js) opens here; without scripts it is not offered. */
function blurMore(check: ParentCheck, p: ParentPhoto): SafeHtml {
  return html`<div class="blur-more js-only" data-check-id="${check.id}" data-photo-index="${p.index}" data-width="${p.width}" data-height="${p.height}" data-cover="${p.maskStyle}">
<button type="button" class="button button-secondary" data-edit-blurs>Add a blur</button>
<p class="small muted">Cover anything else you do not want to share: a face we missed, a name badge, a house number, a car number plate.</p>
</div>`;
}

function crowdedTip(check: ParentCheck): SafeHtml | '' {
  if (check.mode === 'only_my_child') return '';
  return html`<div class="alert alert-warn suggest">
<p><strong>Lots of small faces in this photo.</strong> Faces this small are harder to recognise. For a safer copy, check it again with <strong>Only my child</strong>: everyone else is blurred.</p>
<p class="actions"><button type="button" class="button button-secondary js-only" data-recheck="only_my_child">Check again: only my child</button><a class="button button-secondary no-js-only" href="/check?mode=only_my_child">Check again: only my child</a></p>
</div>`;
}

function photoCard(check: ParentCheck, p: ParentPhoto, label: string, level: 2 | 3): SafeHtml {
  const url = p.safeCopyUrl;
  const added = p.addedMasks.length;
  return html`<article class="card photo-result" data-check-id="${check.id}" data-photo-index="${p.index}">
<div class="photo-result-head">${heading(level, label)}${badge(p)}</div>
<div class="photo-grid">
<figure class="figure">
<div class="figure-frame"><img src="${url}" alt="Safe copy of ${label.toLowerCase()}: faces that need it are blurred" width="${p.width}" height="${p.height}" loading="lazy">${overlay(p)}</div>
<figcaption>The outlines are only on this preview, not in your download.</figcaption>
</figure>
<div class="photo-side">
<p class="summary">${p.summary}${added > 0 ? ` You added ${added === 1 ? '1 blur' : `${added} blurs`}.` : ''}</p>
${notRecognised(p)}
${legend(p)}
<p class="actions">
<a class="button" href="${p.downloadUrl}" download="${p.fileName}">Download safe copy</a>
<button type="button" class="button button-secondary js-only" data-share="${url}" data-file-name="${p.fileName}" hidden>Share…</button>
</p>
${blurMore(check, p)}
${maybeFaces(check, p, label)}
${p.crowded ? crowdedTip(check) : ''}
</div>
</div>
</article>`;
}

const heading = (level: 2 | 3, text: string): SafeHtml => (level === 2 ? html`<h2>${text}</h2>` : html`<h3>${text}</h3>`);

function failureCard(p: ParentPhotoFailure, label: string, level: 2 | 3): SafeHtml {
  return html`<article class="card photo-result">
<div class="photo-result-head">${heading(level, label)}<span class="badge badge-bad">Not checked</span></div>
<div class="alert alert-error"><p>${p.error.message}</p></div>
<p>No copy was made of this photo. Do not share it; try another photo or ask the school office.</p>
</article>`;
}

/** The cards of one check; `offset` numbers photos when several checks share a page; `level` is
 *  the cards' heading level (3 under the check page's "Your safe copies" h2, 2 under an h1). */
export function photoCards(record: CheckRecord, offset = 0, level: 2 | 3 = 3): SafeHtml {
  const check = presentCheck(record);
  return html`${check.photos.map((p, i) => {
    const label = `Photo ${offset + i + 1}`;
    return p.ok ? photoCard(check, p, label, level) : failureCard(p, label, level);
  })}`;
}

export const okPhotos = (record: CheckRecord): ParentPhoto[] =>
  presentCheck(record).photos.filter((p): p is ParentPhoto => p.ok);

export { timeOf } from './html';
