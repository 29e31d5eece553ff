import type { MailMessage } from '../../platform/mailer';
import type { EventRecord } from './events.repo';
import { guidanceParagraphs } from './guidance';
import { escapeHtml, formatWhen, paragraphsHtml } from './html';

export interface ReminderContent {
  schoolName: string;
  parentName: string;
  event: EventRecord;
  guidance: string;
  uploadUrl: string;
  uploadExpiresAt: string;
  guidanceUrl: string;
  /** For a parent who has not set up their account: the invitation comes with the reminder. */
  invitationUrl?: string;
}

/** The reminder to one parent, as plain text and HTML (every value escaped in the HTML part). */
export function composeReminder(c: ReminderContent): Omit<MailMessage, 'to'> {
  const when = formatWhen(c.event.startsAt);
  const until = formatWhen(c.uploadExpiresAt);
  const paragraphs = guidanceParagraphs(c.guidance);
  const text = [
    `Hello ${c.parentName},`,
    '',
    `Your child is taking part in ${c.event.name}.`,
    `When: ${when}`,
    `Where: ${c.event.place}`,
    '',
    'Taking and sharing photos',
    '',
    paragraphs.join('\n\n'),
    '',
    ...(c.invitationUrl ? ['You have not set up your ShareSafe account yet. First choose a password here (the link works for 14 days):', c.invitationUrl, ''] : []),
    'Check your photos before you share them:',
    c.uploadUrl,
    `(The link works until ${until}. You will be asked to sign in.)`,
    '',
    `The school's photo guidance: ${c.guidanceUrl}`,
    '',
    c.schoolName,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en-GB"><body>
<p>Hello ${escapeHtml(c.parentName)},</p>
<p>Your child is taking part in <strong>${escapeHtml(c.event.name)}</strong>.</p>
<p>When: ${escapeHtml(when)}<br>Where: ${escapeHtml(c.event.place)}</p>
<h2>Taking and sharing photos</h2>
${paragraphsHtml(paragraphs)}
${c.invitationUrl ? `<p>You have not set up your ShareSafe account yet. <a href="${escapeHtml(c.invitationUrl)}">First choose a password</a> (the link works for 14 days).</p>\n` : ''}<p><a href="${escapeHtml(c.uploadUrl)}">Check your photos before you share them</a>
(the link works until ${escapeHtml(until)}; you will be asked to sign in).</p>
<p><a href="${escapeHtml(c.guidanceUrl)}">The school's photo guidance</a></p>
<p>${escapeHtml(c.schoolName)}</p>
</body></html>
`;
  return { subject: `${c.event.name}: taking and sharing photos`, text, html };
}
