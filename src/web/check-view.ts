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

function crowdedTip(check: ParentCheck): SafeHtml | '' {
  if (check.mode === 'only_my_child') return '';
  return html`<div class="alert alert-warn suggest">
<p><strong>Lots of small faces in this photo.</strong> Faces this small are harder to recognise. For a safer copy, check it again with <strong>Only my child</strong>: everyone else is blurred.</p>
<p class="actions"><button type="button" class="button button-secondary js-only" data-recheck="only_my_child">Check again: only my child</button><a class="button button-secondary no-js-only" href="/check?mode=only_my_child">Check again: only my child</a></p>
</div>`;
}

function photoCard(check: ParentCheck, p: ParentPhoto, label: string): SafeHtml {
  const url = p.safeCopyUrl;
  return html`<article class="card photo-result" data-check-id="${check.id}" data-photo-index="${p.index}">
<div class="photo-result-head"><h3>${label}</h3>${badge(p)}</div>
<div class="photo-grid">
<figure class="figure">
<div class="figure-frame"><img src="${url}" alt="Safe copy of ${label.toLowerCase()}: faces that need it are blurred" width="${p.width}" height="${p.height}" loading="lazy">${overlay(p)}</div>
<figcaption>The outlines are only on this preview, not in your download.</figcaption>
</figure>
<div class="photo-side">
<p class="summary">${p.summary}</p>
${legend(p)}
<p class="actions">
<a class="button" href="${url}?download" download="${p.fileName}">Download safe copy</a>
<button type="button" class="button button-secondary js-only" data-share="${url}" data-file-name="${p.fileName}" hidden>Share…</button>
</p>
${p.crowded ? crowdedTip(check) : ''}
</div>
</div>
</article>`;
}

function failureCard(p: ParentPhotoFailure, label: string): SafeHtml {
  return html`<article class="card photo-result">
<div class="photo-result-head"><h3>${label}</h3><span class="badge badge-bad">Not checked</span></div>
<div class="alert alert-error"><p>${p.error.message}</p></div>
<p>No copy was made of this photo. Do not share it; try another photo or ask the school office.</p>
</article>`;
}

/** The cards of one check; `offset` numbers photos when several checks share a page. */
export function photoCards(record: CheckRecord, offset = 0): SafeHtml {
  const check = presentCheck(record);
  return html`${check.photos.map((p, i) => {
    const label = `Photo ${offset + i + 1}`;
    return p.ok ? photoCard(check, p, label) : failureCard(p, label);
  })}`;
}

export const okPhotos = (record: CheckRecord): ParentPhoto[] =>
  presentCheck(record).photos.filter((p): p is ParentPhoto => p.ok);

/** "14:05", in the school's time zone. */
export const timeOf = (iso: string): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
