import type { ChecksService } from '../features/checks/checks.service';
import { okPhotos } from './check-view';
import { html, timeOf, type SafeHtml } from './html';

// "Your recent checks": what a parent checked in the last hour, to reopen after a reload or
// delete now. Each kind of work (photo checks here; video checks later) contributes items
// through a small source function, and the list shows them all, newest first.

export interface RecentItem {
  kind: string;
  id: string;
  /** "2 photos", "Video"... */
  title: string;
  createdAt: string;
  /** Null while the work is still running (a video being checked). */
  expiresAt: string | null;
  /** "Being checked (40%)": shown under the title when the item is not ready yet. */
  status?: string;
  thumbnails: Array<{ url: string; alt: string }>;
  openUrl: string;
  /** POST here (with the CSRF field) deletes it now. */
  deleteUrl: string;
}

export type RecentSource = (userId: number) => RecentItem[];

export const photoCheckItems = (checks: ChecksService): RecentSource => (userId) =>
  checks.recent(userId).map((record) => {
    const photos = okPhotos(record);
    return {
      kind: 'photos', id: record.id,
      title: photos.length === 1 ? photos[0]!.fileName : `${photos.length} photos`,
      createdAt: record.createdAt, expiresAt: record.expiresAt,
      thumbnails: photos.slice(0, 4).map((p, i) => ({ url: p.thumbnailUrl, alt: `Safe copy ${i + 1}` })),
      openUrl: `/checks/${record.id}`,
      deleteUrl: `/checks/${record.id}/delete`,
    };
  });

export function recentItems(sources: RecentSource[], userId: number): RecentItem[] {
  return sources.flatMap((s) => s(userId)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const minutesLeft = (expiresAt: string, now: Date) => Math.max(1, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / 60_000));

export function recentList(items: RecentItem[], now: Date, csrf: SafeHtml): SafeHtml | '' {
  if (items.length === 0) return '';
  return html`<section class="card recent" id="recent" aria-labelledby="recent-title">
<h2 id="recent-title">Your recent checks</h2>
<p class="small muted">Kept for an hour, then deleted with their copies.</p>
<ul class="recent-list">${items.map((item) => {
    const left = item.expiresAt ? minutesLeft(item.expiresAt, now) : null;
    const when = item.expiresAt && left !== null
      ? html`Checked at ${timeOf(item.createdAt)}. Deleted in ${left === 1 ? '1 minute' : `${left} minutes`} (at ${timeOf(item.expiresAt)}).`
      : html`Sent at ${timeOf(item.createdAt)}. ${item.status ?? ''}`;
    return html`<li class="recent-item">
<div class="recent-thumbs">${item.thumbnails.map((t) => html`<img src="${t.url}" alt="${t.alt}" loading="lazy">`)}</div>
<div class="recent-text"><p><a href="${item.openUrl}">${item.title}</a>${item.expiresAt && item.status ? html` · ${item.status}` : ''}<br><span class="small muted">${when}</span></p>
<form method="post" action="${item.deleteUrl}" class="inline-form">${csrf}<button type="submit" class="button button-secondary button-small">Delete now<span class="visually-hidden">: ${item.title}</span></button></form></div>
</li>`;
  })}</ul>
</section>`;
}
