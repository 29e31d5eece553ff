import type { AppContext } from '../../context';
import type { AuditDetails, AuditEntry } from '../../features/audit/audit.service';
import { pupilsRepo } from '../../features/register/pupils.repo';
import { html, type SafeHtml } from '../html';
import { formatDateTime, pupilName } from './shared';

// The audit trail in words. Entries hold ids and counts only; names are looked up when shown,
// for staff who may see them anyway.

export const ACTION_LABELS: Record<string, string> = {
  'pupil.created': 'Pupil added',
  'pupil.updated': 'Pupil details changed',
  'pupil.left': 'Pupil marked as left',
  'pupil.no_lookalike_sibling_confirmed': 'No look-alike sibling confirmed',
  'pupil.no_lookalike_sibling_withdrawn': 'No look-alike sibling confirmation withdrawn',
  'pupils.imported': 'Pupils imported from the MIS',
  'photo_consent.recorded': 'Photo consent recorded',
  'biometric_consent.recorded': 'Biometric consent recorded',
  'consent_position.recorded': 'Consent answer recorded',
  'consent_review.sent': 'Consent review e-mails sent',
  'checks.deleted': 'Stored photo checks deleted',
  'videos.deleted': 'Stored video checks deleted',
  'reference_face.enrolled': 'Reference photo added',
  'reference_face.refused': 'Reference photo refused (does not agree)',
  'reference_face.viewed': 'Reference photo viewed',
  'reference_faces.deleted': 'Reference photos deleted',
  'guardian.linked': 'Parent linked to pupil',
  'guardian.unlinked': 'Parent unlinked from pupil',
  'user.created': 'Account created',
  'user.invitation_sent': 'Invitation sent',
  'user.invitation_accepted': 'Invitation accepted',
  'user.signed_in': 'Signed in',
  'user.password_reset_requested': 'Password reset requested',
  'user.password_reset': 'Password reset',
  'user.enabled': 'Account enabled',
  'user.disabled': 'Account disabled',
  'api_token.created': 'API token created',
  'api_token.revoked': 'API token revoked',
  'check.completed': 'Photo check completed',
  'event.created': 'Event created',
  'event.updated': 'Event changed',
  'event.upload_link_created': 'Event upload link created',
  'reminder.scheduled': 'Reminder scheduled',
  'reminder.cancelled': 'Reminder cancelled',
  'reminder.sent_on_demand': 'Reminder sent',
  'reminder.resend_failed': 'Reminder failed to send',
  'settings.guidance_updated': 'Photo guidance changed',
  'pupil.erased': 'Pupil erased',
  'consent_history.viewed': 'Consent history viewed',
  'import_contact.dismissed': 'Imported contact dismissed',
  'reference_face.unreadable': 'Reference photo could not be read',
  'reference_faces.unreadable': 'Reference photos could not be read',
  'reference_faces.resealed': 'Reference photos sealed to their pupil',
  'reference_faces.key_rotated': 'Data key rotated',
  'user.sign_in_failed': 'Sign-in failed',
  'user.role_changed': 'Role changed',
  'user.erased': 'Account erased',
  'user.name_changed': 'Name changed',
  'user.email_change_requested': 'E-mail change asked for',
  'user.email_changed': 'E-mail address changed',
  'user.password_changed': 'Password changed',
  'users.invited_all': 'All new parents invited',
  'session.revoked': 'Session signed out',
  'reminder.started': 'Reminder e-mails sent out',
  'retention.ran': 'Retention: old data erased',
  'cli.command': 'Command run on the server',
};

export const SUBJECT_TYPES: Array<[string, string]> = [['pupil', 'Pupils'], ['user', 'Accounts'], ['event', 'Events'], ['api_token', 'API tokens']];

const REASONS: Record<string, string> = {
  biometric_consent_withdrawn: 'biometric consent no longer holds',
  consent_ceased: 'consent ceased',
  account_erased: 'the account was erased',
  pupil_left: 'the pupil left',
  deleted_by_admin: 'removed by the office',
  pupil_erased: 'the pupil was erased',
  retention: 'their retention period ended',
  office: 'the office asked',
  no_children_on_roll: 'none of their children is on roll',
  child_linked: 'a child on roll was linked again',
  wrong_password: 'wrong password',
  unknown_account: 'no such account',
  account_disabled: 'the account is disabled',
};


const n = (v: unknown) => (typeof v === 'number' ? v : 0);
const count = (v: unknown, one: string, many = `${one}s`) => `${n(v)} ${n(v) === 1 ? one : many}`;
const why = (v: unknown) => (typeof v === 'string' ? REASONS[v] ?? v.replace(/_/g, ' ') : '');

type Part = SafeHtml | string;

/** One audit entry as a plain sentence: who did what to whom, and what followed. Entries hold ids
 *  and counts only; names are looked up now (an erased pupil or account shows as its number). */
function sentence(e: AuditEntry, who: Part, whoseIs: boolean, subject: Part, account: (id: unknown) => Part): Part[] {
  const d = e.details;
  const by = whoseIs ? [' by ', who] : [];
  switch (e.action) {
    case 'pupil.created': return [who, ' added ', subject, d.source === 'import' ? ' (MIS import)' : '', '.'];
    case 'pupil.updated': return [who, ' changed the details of ', subject, d.source === 'import' ? ' (MIS import)' : '', '.'];
    case 'pupil.left': return [who, ' marked ', subject, ' as left', n(d.deletedReferences) ? `; ${count(d.deletedReferences, 'reference photo')} deleted` : '', '.'];
    case 'pupil.erased': return [who, ' erased ', subject, ` because ${why(d.reason)}`, n(d.deletedReferences) ? `, with ${count(d.deletedReferences, 'reference photo')}` : '', '.'];
    case 'pupils.imported': return [who, ` imported the MIS file: ${n(d.pupilsCreated)} added, ${n(d.pupilsUpdated)} updated, ${count(d.parentsCreated, 'parent account')} created, ${count(d.linksAdded, 'link')} added`, n(d.contactsToConfirm) ? `, ${count(d.contactsToConfirm, 'contact')} to confirm` : '', '.'];
    case 'consent_position.recorded': case 'photo_consent.recorded': case 'biometric_consent.recorded':
      return [who, ' recorded a consent answer for ', subject, n(d.deletedReferences) ? `; ${count(d.deletedReferences, 'reference photo')} deleted` : '', '.'];
    case 'consent_history.viewed': return [who, ' looked at the consent history of ', subject, '.'];
    case 'reference_face.enrolled': return [who, ' added a reference photo of ', subject, '.'];
    case 'reference_face.viewed': return [who, ' looked at a reference photo of ', subject, '.'];
    case 'reference_face.refused': return ['A reference photo of ', subject, ' was refused', ...by, ' (it did not agree with the others).'];
    case 'reference_faces.deleted': return [`${count(d.count, 'reference photo')} of `, subject, ` deleted because ${why(d.reason)}`, ...by, '.'];
    case 'reference_face.unreadable': return ['A reference photo of ', subject, ' could not be read with the current data key', ...by, '.'];
    case 'reference_faces.unreadable': return [`${count(d.count, 'reference photo')} could not be read with the current data key and were left out of recognition.`];
    case 'reference_faces.resealed': return [`ShareSafe sealed ${count(d.count, 'reference photo')} to their pupils under the current data key.`];
    case 'reference_faces.key_rotated': return [`The data key was rotated: ${count(d.count, 'reference photo')} re-encrypted.`];
    case 'guardian.linked': return [who, ' linked ', account(d.userId), ' to ', subject, d.source === 'import' ? ' (MIS import)' : '', '.'];
    case 'guardian.unlinked': return [who, ' unlinked ', account(d.userId), ' from ', subject, n(d.deletedReferences) ? `; ${count(d.deletedReferences, 'reference photo')} deleted` : '', '.'];
    case 'import_contact.dismissed': return [who, ' dismissed an imported contact of ', subject, '.'];
    case 'user.created': return [who, ` created ${d.role === 'admin' ? 'an office admin' : d.role === 'organiser' ? 'an organiser' : 'a parent'} account for `, subject, '.'];
    case 'user.invitation_sent': return [who, ' sent ', subject, ' an invitation.'];
    case 'users.invited_all': return [who, ` invited all new parents (${count(d.count, 'invitation')}).`];
    case 'user.invitation_accepted': return [subject, ' accepted their invitation and set a password.'];
    case 'user.signed_in': return [subject, ' signed in.'];
    case 'user.sign_in_failed': return [e.subjectId === null ? 'Someone' : subject, ` failed to sign in (${why(d.reason)}).`];
    case 'user.password_reset_requested': return ['A password reset link was sent to ', subject, '.'];
    case 'user.password_reset': return [subject, ' reset their password', n(d.revokedTokens) ? `; ${count(d.revokedTokens, 'API token')} revoked` : '', '.'];
    case 'user.password_changed': return [subject, ' changed their password.'];
    case 'user.name_changed': return [subject, ' changed their name.'];
    case 'user.email_change_requested': return [subject, ' asked to change their e-mail address.'];
    case 'user.email_changed': return [subject, ' confirmed a new e-mail address.'];
    case 'user.enabled': return [who, ' enabled the account of ', subject, d.reason ? ` (${why(d.reason)})` : '', '.'];
    case 'user.disabled': return [who, ' disabled the account of ', subject, d.reason ? ` because ${why(d.reason)}` : '', '.'];
    case 'user.role_changed': return [who, ' made ', subject, d.role === 'admin' ? ' an office admin.' : ' an organiser.'];
    case 'user.erased': return [who, ' erased the account of ', subject, ` because ${why(d.reason)}.`];
    case 'api_token.created': return [who, ' created an API token.'];
    case 'api_token.revoked': return [who, ' revoked an API token.'];
    case 'session.revoked': return [who, ' signed out one of their sessions.'];
    case 'reminder.started': return [`Reminder e-mails about event ${e.subjectId ?? ''} went out to ${count(d.recipients, 'parent')}`, d.kind === 'scheduled' ? ' (scheduled).' : '.'];
    case 'retention.ran': return [`Retention: ${count(d.pupilsErased, 'leaver')} and ${count(d.parentsErased, 'parent account')} erased, ${count(d.auditDeleted, 'old audit entry', 'old audit entries')} deleted.`];
    case 'cli.command': return [`Someone at the server ran the command “${String(d.command ?? '')}”.`];
    default: return [who, ': ', ACTION_LABELS[e.action] ?? e.action, e.subjectType ? html` (${subject})` : '', '.'];
  }
}

export function auditTable(ctx: AppContext, entries: AuditEntry[]): SafeHtml {
  const pupils = pupilsRepo(ctx.db);
  const people = new Map<number, string>();
  const person = (id: number | null) => {
    if (id === null) return 'ShareSafe';
    if (!people.has(id)) people.set(id, ctx.accounts.repo.userById(id)?.name ?? `account no. ${id} (erased)`);
    return people.get(id)!;
  };
  const account = (id: unknown): Part => {
    if (typeof id !== 'number') return 'an account';
    const u = ctx.accounts.repo.userById(id);
    if (u?.role === 'parent') return html`<a href="/office/parents/${u.id}">${u.name}</a>`;
    return u ? u.name : `account no. ${id} (erased)`;
  };
  const subject = (e: AuditEntry): Part => {
    if (e.subjectType === 'pupil' && e.subjectId !== null) {
      const p = pupils.byId(e.subjectId);
      return p ? html`<a href="/office/pupils/${e.subjectId}">${pupilName(p)}</a>` : `pupil no. ${e.subjectId}`;
    }
    if (e.subjectType === 'user' && e.subjectId !== null) return account(e.subjectId);
    return e.subjectType ? `${e.subjectType.replace(/_/g, ' ')} ${e.subjectId ?? ''}`.trim() : '';
  };
  const capital = (parts: Part[]): Part[] => {
    const [first, ...rest] = parts;
    return typeof first === 'string' && first ? [first[0]!.toUpperCase() + first.slice(1), ...rest] : parts;
  };
  return html`<ol class="office-audit">
${entries.map((e) => html`<li data-action="${e.action}"><time class="nowrap" datetime="${e.at}">${formatDateTime(e.at)}</time> <span class="office-audit-line">${capital(sentence(e, person(e.actorId), e.actorId !== null, subject(e), account))}</span></li>`)}
</ol>`;
}
