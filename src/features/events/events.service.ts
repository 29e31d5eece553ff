import type { Clock } from '../../platform/clock';
import { forbidden, gone, notFound, unprocessable } from '../../platform/errors';
import { hashToken, newToken } from '../../platform/secrets';
import type { User } from '../accounts/accounts.repo';
import type { Audit } from '../audit/audit.service';
import type { PhotoDecision } from '../register/consent-rules';
import type { EventRecord, EventsRepo, ParticipantSelection } from './events.repo';
import type { CreateEventInput, UpdateEventInput } from './events.schemas';

const DAY = 24 * 60 * 60 * 1000;

export interface EventsDeps {
  repo: EventsRepo;
  clock: Clock;
  audit: Audit;
  publicUrl: string;
  /** Called inside the update's transaction when an event moves, so reminders move with it. */
  onStartsAtChanged(eventId: number, startsAt: string): void;
  /** The register's photo-sharing decision per pupil (its rule, not a copy of it). */
  photoConsent?: (pupilIds: number[]) => Map<number, PhotoDecision>;
}

export interface UploadLink {
  url: string;
  expiresAt: string;
}

export type EventsService = ReturnType<typeof createEventsService>;

export function createEventsService(d: EventsDeps) {
  const { repo } = d;
  const nowIso = () => d.clock.now().toISOString();

  /** Admins (the office) reach every event; organisers only the events they organise. */
  function accessibleEvent(user: User, eventId: number): EventRecord {
    const event = repo.byId(eventId);
    if (!event) throw notFound('event');
    if (user.role === 'admin' || (user.role === 'organiser' && repo.isOrganiser(eventId, user.id))) return event;
    throw forbidden('Only the organisers of this event and the school office can see it.');
  }

  function checkSelection(s: ParticipantSelection): ParticipantSelection {
    const pupilIds = [...new Set(s.pupilIds)];
    const known = repo.existingPupils(pupilIds);
    const unknown = pupilIds.filter((id) => !known.has(id));
    if (unknown.length) throw unprocessable('unknown_pupils', 'Some chosen pupils are not in the register.', { pupilIds: unknown });
    return { classes: [...new Set(s.classes)], yearGroups: [...new Set(s.yearGroups)], pupilIds };
  }

  /** An organiser creating or editing an event stays one of its organisers. */
  function checkOrganisers(actor: User, ids: number[]): number[] {
    const wanted = [...new Set(actor.role === 'organiser' ? [actor.id, ...ids] : ids)];
    const staff = repo.staffAmong(wanted);
    if (staff.length !== wanted.length) {
      throw unprocessable('invalid_organisers', 'Organisers must be active organiser or admin accounts.',
        { userIds: wanted.filter((id) => !staff.includes(id)) });
    }
    return wanted;
  }

  function detail(event: EventRecord) {
    return {
      event,
      organisers: repo.organisers(event.id),
      selection: repo.selection(event.id),
      participantCount: repo.participantIds(event.id).size,
    };
  }

  function issueLink(eventId: number, expiresAt: Date, actorId: number | null): UploadLink & { token: string } {
    const token = newToken();
    repo.insertLink(eventId, hashToken(token), actorId, nowIso(), expiresAt.toISOString());
    return { token, url: `${d.publicUrl}/e/${token}`, expiresAt: expiresAt.toISOString() };
  }

  return {
    accessibleEvent,

    list(user: User): EventRecord[] {
      return repo.list(user.role === 'admin' ? null : user.id);
    },

    get(user: User, eventId: number) {
      return detail(accessibleEvent(user, eventId));
    },

    create(actor: User, input: CreateEventInput) {
      const organiserIds = checkOrganisers(actor, input.organiserIds);
      const selection = checkSelection(input.participants);
      const id = repo.transaction(() => {
        const eventId = repo.insert(input, actor.id, nowIso());
        repo.setOrganisers(eventId, organiserIds);
        repo.setSelection(eventId, selection);
        return eventId;
      });
      d.audit.record('event.created', { actorId: actor.id, subjectType: 'event', subjectId: id,
        details: { organisers: organiserIds.length, rules: selection.classes.length + selection.yearGroups.length + selection.pupilIds.length } });
      return detail(repo.byId(id)!);
    },

    update(actor: User, eventId: number, patch: UpdateEventInput) {
      const current = accessibleEvent(actor, eventId);
      const organiserIds = patch.organiserIds && checkOrganisers(actor, patch.organiserIds);
      const selection = patch.participants && checkSelection(patch.participants);
      const next = { name: patch.name ?? current.name, startsAt: patch.startsAt ?? current.startsAt, place: patch.place ?? current.place };
      repo.transaction(() => {
        repo.update(eventId, next, nowIso());
        if (organiserIds) repo.setOrganisers(eventId, organiserIds);
        if (selection) repo.setSelection(eventId, selection);
        if (next.startsAt !== current.startsAt) d.onStartsAtChanged(eventId, next.startsAt);
      });
      d.audit.record('event.updated', { actorId: actor.id, subjectType: 'event', subjectId: eventId,
        details: { moved: next.startsAt !== current.startsAt, organisersChanged: !!organiserIds, participantsChanged: !!selection } });
      return detail(repo.byId(eventId)!);
    },

    participants(user: User, eventId: number) {
      accessibleEvent(user, eventId);
      return repo.participants(eventId);
    },

    /** Participants without current photo-sharing consent (the register's rule, not a copy of it). */
    consentGaps(user: User, eventId: number) {
      accessibleEvent(user, eventId);
      const participants = repo.participants(eventId);
      const decisions = d.photoConsent?.(participants.map((p) => p.id)) ?? new Map<number, PhotoDecision>();
      const notAsked: PhotoDecision = { state: 'not_asked', current: false, reviewOn: null }; // fail closed
      const lacking = participants
        .map((p) => ({ p, decision: decisions.get(p.id) ?? notAsked }))
        .filter(({ decision }) => !decision.current)
        .map(({ p, decision }) => ({ ...p, consentState: decision.state, consentReviewOn: decision.reviewOn }));
      return { eventId, participantCount: participants.length, lacking };
    },

    /** Pupils taking part, for narrowing a photo check's gallery; throws notFound for an unknown event. */
    participantIds(eventId: number): Set<number> {
      if (!repo.byId(eventId)) throw notFound('event');
      return repo.participantIds(eventId);
    },

    createUploadLink(actor: User, eventId: number, days: number): UploadLink {
      accessibleEvent(actor, eventId);
      const { url, expiresAt } = issueLink(eventId, new Date(d.clock.now().getTime() + days * DAY), actor.id);
      d.audit.record('event.upload_link_created', { actorId: actor.id, subjectType: 'event', subjectId: eventId, details: { days } });
      return { url, expiresAt };
    },

    /** For mailings: a link that works from now until a week after the event. */
    linkForMailing(event: EventRecord): UploadLink {
      const from = Math.max(d.clock.now().getTime(), Date.parse(event.startsAt));
      return issueLink(event.id, new Date(from + 7 * DAY), null);
    },

    /** What a parent holding an upload link may know about the event. */
    eventForLink(token: string): EventRecord {
      const link = repo.linkByHash(hashToken(token));
      if (!link) throw notFound('upload link');
      if (link.expires_at <= nowIso()) throw gone('This upload link has expired. Ask the event organiser for a new one.');
      const event = repo.byId(link.event_id);
      if (!event) throw notFound('upload link');
      return event;
    },
  };
}
