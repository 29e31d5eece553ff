-- Core schema: accounts, the consent register and the audit trail.
-- Times are ISO-8601 UTC strings; dates (review dates) are YYYY-MM-DD.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'organiser', 'parent')),
  password_hash TEXT,                       -- NULL until an invitation is accepted
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at    TEXT NOT NULL
);

-- Sessions, API tokens, invitations and password resets store only a SHA-256 of the secret.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  last_used_at TEXT
);

CREATE TABLE user_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
);
CREATE INDEX user_tokens_user ON user_tokens(user_id, purpose);

CREATE TABLE pupils (
  id          INTEGER PRIMARY KEY,
  upn         TEXT UNIQUE,                  -- unique pupil number from the school's MIS, when known
  first_name  TEXT NOT NULL,
  last_name   TEXT NOT NULL,
  class_name  TEXT NOT NULL,
  year_group  TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'on_roll' CHECK (status IN ('on_roll', 'left')),
  left_at     TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX pupils_class ON pupils(class_name);
CREATE INDEX pupils_year ON pupils(year_group);

CREATE TABLE guardians (
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  relationship TEXT NOT NULL DEFAULT 'parent',
  created_at   TEXT NOT NULL,
  PRIMARY KEY (user_id, pupil_id)
);
CREATE INDEX guardians_pupil ON guardians(pupil_id);

-- Photo-sharing consent: append-only history; the newest row per pupil is the current one.
CREATE TABLE photo_consents (
  id          INTEGER PRIMARY KEY,
  pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  status      TEXT NOT NULL CHECK (status IN ('granted', 'refused', 'not_asked')),
  given_by    TEXT NOT NULL,                -- who gave or refused it (e.g. "Mother, by paper form")
  given_on    TEXT NOT NULL,                -- YYYY-MM-DD
  review_on   TEXT,                         -- YYYY-MM-DD; after it a grant no longer counts
  note        TEXT,
  recorded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX photo_consents_pupil ON photo_consents(pupil_id, id);
CREATE TRIGGER photo_consents_append_only_u BEFORE UPDATE ON photo_consents
BEGIN SELECT RAISE(ABORT, 'photo_consents is append-only'); END;

-- Biometric consent (Protection of Freedoms Act 2012, ss.26-27): append-only history of the
-- state after each change. It holds only when a parent consented, no parent objects and the
-- child does not object.
CREATE TABLE biometric_consents (
  id               INTEGER PRIMARY KEY,
  pupil_id         INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  parent_consent   INTEGER NOT NULL CHECK (parent_consent IN (0, 1)),
  parent_objection INTEGER NOT NULL CHECK (parent_objection IN (0, 1)),
  child_objection  INTEGER NOT NULL CHECK (child_objection IN (0, 1)),
  given_by         TEXT NOT NULL,
  note             TEXT,
  recorded_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  recorded_at      TEXT NOT NULL
);
CREATE INDEX biometric_consents_pupil ON biometric_consents(pupil_id, id);
CREATE TRIGGER biometric_consents_append_only_u BEFORE UPDATE ON biometric_consents
BEGIN SELECT RAISE(ABORT, 'biometric_consents is append-only'); END;

-- Face templates: AES-256-GCM encrypted descriptor (and optional small thumbnail).
-- Hard-deleted when biometric consent stops holding or the pupil leaves.
CREATE TABLE reference_faces (
  id             INTEGER PRIMARY KEY,
  pupil_id       INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  descriptor_enc BLOB NOT NULL,
  thumbnail_enc  BLOB,
  face_width     INTEGER NOT NULL,
  quality        REAL NOT NULL,
  created_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at     TEXT NOT NULL
);
CREATE INDEX reference_faces_pupil ON reference_faces(pupil_id);

-- Audit trail: ids and counts only, never names, photos or descriptors.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor_id     INTEGER,
  action       TEXT NOT NULL,
  subject_type TEXT,
  subject_id   INTEGER,
  details      TEXT                          -- JSON object of ids and counts
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_subject ON audit_log(subject_type, subject_id);
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- School-wide settings (photo guidance text, school name).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
