import { AppError, conflict } from '../../platform/errors';
import { addDays, type ConsentKind } from './consent-rules';
import type { RegisterCore } from './register.core';

/** How near a parent's own review date must be for them to be asked to review. */
export const REVIEW_WINDOW_DAYS = 30;

export type ReviewReason = 'photo_review_due' | 'photo_not_answered' | 'biometric_not_answered';

export interface ReviewRecipient {
  userId: number;
  name: string;
  email: string;
  children: Array<{ id: number; firstName: string; lastName: string; reasons: ReviewReason[]; reviewOn: string | null }>;
}

const REASON_TEXT: Record<ReviewReason, string> = {
  photo_review_due: 'photo sharing: your answer is due for review',
  photo_not_answered: 'photo sharing: no answer from you yet',
  biometric_not_answered: 'face recognition: no answer from you yet',
};

/** "Please review your consent" e-mails to parents whose own review date is near (or past) or who
 *  never answered, each naming only their own children, with a link to the online form. */
export function consentReviewsService(c: RegisterCore) {
  function recipients(): ReviewRecipient[] {
    const soon = addDays(c.today(), REVIEW_WINDOW_DAYS);
    const byParent = new Map<number, ReviewRecipient>();
    for (const pupil of c.pupils.all()) {
      if (pupil.status !== 'on_roll') continue;
      const history = c.consents.history(pupil.id);
      for (const g of c.pupils.guardiansOf(pupil.id)) {
        if (g.role !== 'parent') continue;
        const personId = c.consents.findPerson(pupil.id, { kind: 'parent_account', userId: g.userId });
        const mine = (consent: ConsentKind) => history.find((h) => h.personId === personId && h.consent === consent);
        const photo = mine('photo');
        const reasons: ReviewReason[] = [];
        if (photo?.position === 'consents' && photo.reviewOn !== null && photo.reviewOn <= soon) reasons.push('photo_review_due');
        if (!photo || photo.position === 'withdrawn') reasons.push('photo_not_answered');
        const bio = mine('biometric');
        if (!bio || bio.position === 'withdrawn') reasons.push('biometric_not_answered');
        if (reasons.length === 0) continue;
        let r = byParent.get(g.userId);
        if (!r) byParent.set(g.userId, (r = { userId: g.userId, name: g.name, email: g.email, children: [] }));
        r.children.push({ id: pupil.id, firstName: pupil.firstName, lastName: pupil.lastName, reasons, reviewOn: photo?.reviewOn ?? null });
      }
    }
    return [...byParent.values()].filter((r) => c.accounts.repo.userById(r.userId)?.status === 'active')
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  function message(r: ReviewRecipient, link: string, school: string, invitationUrl?: string) {
    const lines = r.children.map((ch) => `- ${ch.firstName}: ${ch.reasons.map((x) => REASON_TEXT[x]).join('; ')}`);
    return {
      to: r.email,
      subject: `Please review your photo and face-recognition consent – ${school}`,
      text: [
        `Hello ${r.name},`,
        '',
        'Please look at your consent for ShareSafe, the service that blurs children without consent in photos parents share:',
        ...lines,
        '',
        ...(invitationUrl ? ['You have not set up your ShareSafe account yet. First choose a password here (the link works for 14 days):', invitationUrl, ''] : []),
        `Open this link and sign in to give, refuse or withdraw your answer: ${link}`,
        '',
        'Your answer is your own: it does not change what anyone else said.',
        '',
        school,
        '',
      ].join('\n'),
    };
  }

  return {
    reviewRecipients: recipients,

    /** Sends one e-mail per parent. `expectedRecipients` is the count the office confirmed: if the
     *  list changed since, nothing is sent and the office is asked to look again. */
    async sendReviewReminders(expectedRecipients: number, actorId: number) {
      if (!c.mail) throw new AppError('mail_unavailable', 503, 'E-mail is not set up on this server.');
      const list = recipients();
      if (list.length !== expectedRecipients) {
        throw conflict(`The list has changed: ${list.length} parents would get the e-mail now. Look at the list again before sending.`);
      }
      const link = `${c.mail.publicUrl}/consents`;
      let sent = 0;
      let failed = 0;
      for (const r of list) {
        try {
          // A parent who has not set a password gets the invitation with the request (issue #12).
          const pending = c.accounts.repo.userById(r.userId)?.hasPassword === false;
          await c.mail.mailer.send(message(r, link, c.mail.schoolName, pending ? c.accounts.invitationForReminder(r.userId) : undefined));
          sent += 1;
        } catch {
          failed += 1;
        }
      }
      c.audit.record('consent_review.sent', { actorId, details: { recipients: list.length, sent, failed } });
      return { sent, failed };
    },
  };
}
