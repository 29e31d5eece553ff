// Page and e-mail helpers for events; the escaping itself lives in src/web/html.ts (one helper for the app).
import { escapeHtml } from '../../web/html';

export { escapeHtml, formatWhen, paragraphsHtml } from '../../web/html';

/** A whole page; styles come from a file because the CSP forbids inline styles and scripts. */
export function page(title: string, body: string, stylesheet = '/static/announcement.css'): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${escapeHtml(stylesheet)}">
</head>
<body>
${body}
</body>
</html>
`;
}
