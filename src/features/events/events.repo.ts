import type { Db } from '../../platform/db';

export interface EventRecord {
  id: number;
  name: string;
  startsAt: string;
  place: string;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface ParticipantSelection {
  classes: string[];
  yearGroups: string[];
  pupilIds: number[];
}

export interface Organiser {
  id: number;
  name: string;
  role: string;
}

export interface ParticipantRow {
  id: number;
  firstName: string;
  lastName: string;
  className: string;
  yearGroup: string;
  status: 'on_roll' | 'left';
}

interface EventRow {
  id: number; name: string; starts_at: string; place: string; created_by: number | null; created_at: string; updated_at: string;
}

const toEvent = (r: EventRow): EventRecord => ({
  id: r.id, name: r.name, startsAt: r.starts_at, place: r.place, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

// Participants are resolved from the rules on every read: on-roll pupils matching any rule.
// Class and year-group names compare case-insensitively, as typed by people.
const PARTICIPANTS = `
  SELECT p.* FROM pupils p
   WHERE p.status = 'on_roll' AND EXISTS (
     SELECT 1 FROM event_participant_rules r WHERE r.event_id = @eventId AND (
          (r.kind = 'class' AND r.value = p.class_name COLLATE NOCASE)
       OR (r.kind = 'year_group' AND r.value = p.year_group COLLATE NOCASE)
       OR (r.kind = 'pupil' AND r.pupil_id = p.id)))`;

/** Prepared SQL for events, organisers, participant rules and upload links. */
export function eventsRepo(db: Db) {
  const q = {
    byId: db.prepare<[number], EventRow>('SELECT * FROM events WHERE id = ?'),
    all: db.prepare<[], EventRow>('SELECT * FROM events ORDER BY starts_at DESC, id DESC'),
    organisedBy: db.prepare<[number], EventRow>(
      'SELECT e.* FROM events e JOIN event_organisers o ON o.event_id = e.id WHERE o.user_id = ? ORDER BY e.starts_at DESC, e.id DESC'),
    insert: db.prepare('INSERT INTO events (name, starts_at, place, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
    update: db.prepare('UPDATE events SET name = ?, starts_at = ?, place = ?, updated_at = ? WHERE id = ?'),
    organisers: db.prepare<[number], Organiser>(
      'SELECT u.id, u.name, u.role FROM event_organisers o JOIN users u ON u.id = o.user_id WHERE o.event_id = ? ORDER BY u.name'),
    isOrganiser: db.prepare<[number, number], { one: number }>('SELECT 1 AS one FROM event_organisers WHERE event_id = ? AND user_id = ?'),
    clearOrganisers: db.prepare('DELETE FROM event_organisers WHERE event_id = ?'),
    addOrganiser: db.prepare('INSERT OR IGNORE INTO event_organisers (event_id, user_id) VALUES (?, ?)'),
    staffIds: db.prepare<[], { id: number }>("SELECT id FROM users WHERE role IN ('organiser', 'admin') AND status = 'active'"),
    rules: db.prepare<[number], { kind: string; value: string | null; pupil_id: number | null }>(
      'SELECT kind, value, pupil_id FROM event_participant_rules WHERE event_id = ? ORDER BY id'),
    clearRules: db.prepare('DELETE FROM event_participant_rules WHERE event_id = ?'),
    addRule: db.prepare('INSERT INTO event_participant_rules (event_id, kind, value, pupil_id) VALUES (?, ?, ?, ?)'),
    existingPupils: db.prepare<[string], { id: number }>('SELECT id FROM pupils WHERE id IN (SELECT value FROM json_each(?))'),
    participantIds: db.prepare<[{ eventId: number }], { id: number }>(`SELECT id FROM (${PARTICIPANTS})`),
    participants: db.prepare<[{ eventId: number }], {
      id: number; first_name: string; last_name: string; class_name: string; year_group: string; status: 'on_roll' | 'left';
    }>(`SELECT p.id, p.first_name, p.last_name, p.class_name, p.year_group, p.status
          FROM (${PARTICIPANTS}) p
         ORDER BY p.class_name, p.last_name, p.first_name`),
    insertLink: db.prepare('INSERT INTO event_links (event_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    linkByHash: db.prepare<[string], { event_id: number; expires_at: string }>(
      'SELECT event_id, expires_at FROM event_links WHERE token_hash = ?'),
  };

  const repo = {
    byId: (id: number) => {
      const r = q.byId.get(id);
      return r ? toEvent(r) : undefined;
    },
    list: (organiserId: number | null) => (organiserId === null ? q.all.all() : q.organisedBy.all(organiserId)).map(toEvent),
    insert: (e: { name: string; startsAt: string; place: string }, createdBy: number, now: string): number =>
      Number(q.insert.run(e.name, e.startsAt, e.place, createdBy, now, now).lastInsertRowid),
    update: (id: number, e: { name: string; startsAt: string; place: string }, now: string) =>
      q.update.run(e.name, e.startsAt, e.place, now, id),
    organisers: (eventId: number) => q.organisers.all(eventId),
    isOrganiser: (eventId: number, userId: number) => q.isOrganiser.get(eventId, userId) !== undefined,
    setOrganisers: (eventId: number, userIds: number[]) => {
      q.clearOrganisers.run(eventId);
      for (const id of userIds) q.addOrganiser.run(eventId, id);
    },
    /** Of the given ids, those that belong to active organisers or admins. */
    staffAmong: (ids: number[]) => {
      const staff = new Set(q.staffIds.all().map((r) => r.id));
      return ids.filter((id) => staff.has(id));
    },
    selection: (eventId: number): ParticipantSelection => {
      const s: ParticipantSelection = { classes: [], yearGroups: [], pupilIds: [] };
      for (const r of q.rules.all(eventId)) {
        if (r.kind === 'class') s.classes.push(r.value!);
        else if (r.kind === 'year_group') s.yearGroups.push(r.value!);
        else s.pupilIds.push(r.pupil_id!);
      }
      return s;
    },
    setSelection: (eventId: number, s: ParticipantSelection) => {
      q.clearRules.run(eventId);
      for (const c of s.classes) q.addRule.run(eventId, 'class', c, null);
      for (const y of s.yearGroups) q.addRule.run(eventId, 'year_group', y, null);
      for (const p of s.pupilIds) q.addRule.run(eventId, 'pupil', null, p);
    },
    existingPupils: (ids: number[]) => new Set(q.existingPupils.all(JSON.stringify(ids)).map((r) => r.id)),
    participantIds: (eventId: number) => new Set(q.participantIds.all({ eventId }).map((r) => r.id)),
    participants: (eventId: number): ParticipantRow[] => q.participants.all({ eventId }).map((r) => ({
      id: r.id, firstName: r.first_name, lastName: r.last_name, className: r.class_name, yearGroup: r.year_group, status: r.status,
    })),
    insertLink: (eventId: number, tokenHash: string, createdBy: number | null, now: string, expiresAt: string) =>
      q.insertLink.run(eventId, tokenHash, createdBy, now, expiresAt),
    linkByHash: (tokenHash: string) => q.linkByHash.get(tokenHash),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
  return repo;
}

export type EventsRepo = ReturnType<typeof eventsRepo>;
