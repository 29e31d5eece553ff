// The one escaping helper for pages and e-mails: every interpolated value is escaped unless it is
// already SafeHtml (made by `html` itself or, deliberately, by `raw`).

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** Markup that is known to be safe to insert as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks a string as markup; only for strings built from escaped parts or constants. */
export const raw = (markup: string): SafeHtml => new SafeHtml(markup);

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/** Tagged template: html`<p>${name}</p>` escapes `name`; arrays are joined; null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Paragraphs as <p>, with single newlines kept as <br>. */
export const paragraphsHtml = (paragraphs: string[]): string =>
  paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n');

/** A UK-style date and time, in the school's time zone. */
export function formatWhen(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

const LONDON_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });
const LONDON_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });

/** Dates as people in the UK write them: "2 December 2026", from an ISO day or instant. The one
 *  helper every page uses (an ISO day is read at noon, so no time zone moves it). */
export const formatDate = (iso: string | null | undefined): string =>
  iso ? LONDON_DATE.format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso)) : '';

/** "2 December 2026, 14:05", in the school's time zone. */
export const formatDateTime = (iso: string): string => `${formatDate(iso)}, ${timeOf(iso)}`;

/** "14:05", in the school's time zone. */
export const timeOf = (iso: string): string => LONDON_TIME.format(new Date(iso));
