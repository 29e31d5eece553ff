-- Events, their organisers and participants, upload links, and reminder e-mails.
-- Times are ISO-8601 UTC strings.

CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  starts_at  TEXT NOT NULL,
  place      TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX events_starts ON events(starts_at);

CREATE TABLE event_organisers (
  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_organisers_user ON event_organisers(user_id);

-- The selection as the organiser made it; participants are resolved from it at query time, so a
-- pupil who joins a chosen class later takes part too.
CREATE TABLE event_participant_rules (
  id       INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  kind     TEXT NOT NULL CHECK (kind IN ('class', 'year_group', 'pupil')),
  value    TEXT,                                -- class name or year group
  pupil_id INTEGER REFERENCES pupils(id) ON DELETE CASCADE,
  CHECK ((kind = 'pupil') = (pupil_id IS NOT NULL) AND (kind = 'pupil') = (value IS NULL))
);
CREATE INDEX event_participant_rules_event ON event_participant_rules(event_id);

-- Upload links: only a SHA-256 of the token is stored.
CREATE TABLE event_links (
  id         INTEGER PRIMARY KEY,
  event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- A reminder is one mailing to the parents of an event's participants: scheduled before the event
-- or sent on demand by the office. At its due time it is expanded into one delivery per parent.
CREATE TABLE event_reminders (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  kind           TEXT NOT NULL CHECK (kind IN ('scheduled', 'on_demand')),
  offset_minutes INTEGER,                         -- how long before the event (scheduled only)
  due_at         TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'started', 'cancelled')),
  created_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at     TEXT NOT NULL,
  started_at     TEXT
);
CREATE INDEX event_reminders_due ON event_reminders(status, due_at);

-- One row per recipient and reminder: the UNIQUE pair is what makes "never twice" hold.
-- pending -> sending -> sent | failed; a row left 'sending' by a crash becomes failed ('interrupted').
CREATE TABLE reminder_deliveries (
  id              INTEGER PRIMARY KEY,
  reminder_id     INTEGER NOT NULL REFERENCES event_reminders(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  reason          TEXT,
  message_id      TEXT,
  sent_at         TEXT,
  updated_at      TEXT NOT NULL,
  UNIQUE (reminder_id, user_id)
);
CREATE INDEX reminder_deliveries_due ON reminder_deliveries(state, next_attempt_at);
