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
};

export const SUBJECT_TYPES: Array<[string, string]> = [['pupil', 'Pupils'], ['user', 'Accounts'], ['event', 'Events'], ['api_token', 'API tokens']];

const REASONS: Record<string, string> = {
  biometric_consent_withdrawn: 'biometric consent no longer holds',
  consent_ceased: 'consent ceased',
  pupil_left: 'pupil left',
  deleted_by_admin: 'removed by the office',
};

const KEYS: Record<string, string> = {
  count: 'photos', reason: 'why', deletedReferences: 'reference photos deleted', holds: 'consent holds', heldBefore: 'held before',
  status: 'answer', referenceId: 'photo no.', consentId: 'record no.', userId: 'account no.', accountCreated: 'new account',
  positionId: 'answer no.', personId: 'person no.', personKind: 'person', consent: 'consent', position: 'answer', source: 'how',
  shown: 'wording shown', photoCurrent: 'photo sharing allowed', biometricHolds: 'biometric consent holds', deletedChecks: 'stored checks deleted',
  recipients: 'parents', sent: 'sent', failed: 'failed',
  pupilsCreated: 'added', pupilsUpdated: 'updated', pupilsUnchanged: 'unchanged', parentsCreated: 'parent accounts', linksAdded: 'links',
};

function describeDetails(d: AuditDetails): string {
  const value = (v: AuditDetails[string]) => (typeof v === 'boolean' ? (v ? 'yes' : 'no')
    : typeof v === 'string' ? REASONS[v] ?? v.replace(/_/g, ' ') : Array.isArray(v) ? v.join(', ') : String(v));
  return Object.entries(d).map(([k, v]) => `${KEYS[k] ?? k}: ${value(v)}`).join('; ');
}

export function auditTable(ctx: AppContext, entries: AuditEntry[]): SafeHtml {
  const pupils = pupilsRepo(ctx.db);
  const people = new Map<number, string>();
  const person = (id: number | null) => {
    if (id === null) return 'System';
    if (!people.has(id)) people.set(id, ctx.accounts.repo.userById(id)?.name ?? `Account ${id}`);
    return people.get(id)!;
  };
  const subject = (e: AuditEntry): SafeHtml | string => {
    if (e.subjectType === 'pupil' && e.subjectId !== null) {
      const p = pupils.byId(e.subjectId);
      return p ? html`<a href="/office/pupils/${e.subjectId}">${pupilName(p)}</a>` : `Pupil ${e.subjectId}`;
    }
    if (e.subjectType === 'user' && e.subjectId !== null) {
      const u = ctx.accounts.repo.userById(e.subjectId);
      if (u?.role === 'parent') return html`<a href="/office/parents/${u.id}">${u.name}</a>`;
      return u ? u.name : `Account ${e.subjectId}`;
    }
    return e.subjectType ? `${e.subjectType} ${e.subjectId ?? ''}`.trim() : '';
  };
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Audit trail"><table class="office-audit">
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">About</th><th scope="col">Details</th></tr></thead>
<tbody>
${entries.map((e) => html`<tr>
<td class="nowrap">${formatDateTime(e.at)}</td>
<td>${person(e.actorId)}</td>
<td>${ACTION_LABELS[e.action] ?? e.action}</td>
<td>${subject(e)}</td>
<td class="office-details">${describeDetails(e.details)}</td>
</tr>`)}
</tbody></table></div>`;
}
