-- Issue #12: people and data over a school year.

-- Face templates carry the id of the data key that sealed them and are bound to their pupil
-- (AES-GCM associated data). NULL: sealed before 005 without associated data; such rows are
-- re-sealed at the next start (referencesService.resealLegacyTemplates), in JS.
ALTER TABLE reference_faces ADD COLUMN key_id TEXT;

-- API tokens expire (default one year after creation); tokens made before 005 get the same year.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+1 year');

-- When an invitation was last e-mailed (NULL: never; e.g. a parent created by an import).
ALTER TABLE users ADD COLUMN invited_at TEXT;
-- A parent account disabled because none of its children is on roll any more; it is erased on
-- the leavers' clock (RETENTION_MONTHS after this date) unless a child is linked again.
ALTER TABLE users ADD COLUMN retired_at TEXT;

-- A change of e-mail address waits here until the link sent to the new address is opened.
CREATE TABLE email_changes (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  new_email  TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
);
CREATE INDEX email_changes_user ON email_changes(user_id);

-- Contacts an MIS import found without the parental-responsibility flag: not linked, listed for
-- the office to confirm (then linked) or dismiss.
CREATE TABLE import_contacts (
  id           INTEGER PRIMARY KEY,
  pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  email        TEXT NOT NULL COLLATE NOCASE,
  name         TEXT,
  relationship TEXT,
  created_at   TEXT NOT NULL,
  UNIQUE (pupil_id, email)
);

-- The audit trail refuses DELETE as it refuses UPDATE, except inside the retention job's
-- transaction, which opens this gate, deletes entries past their retention and closes it again.
CREATE TABLE audit_retention_gate (opened_at TEXT NOT NULL);
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_retention_gate)
BEGIN SELECT RAISE(ABORT, 'audit_log entries are deleted only by the retention job'); END;

-- Erasing an account sets recorded_by to NULL in the consent histories (ON DELETE SET NULL). The
-- append-only trigger refused that too; they now refuse every change except exactly that one.
DROP TRIGGER consent_positions_append_only_u;
CREATE TRIGGER consent_positions_append_only_u
BEFORE UPDATE OF id, pupil_id, person_id, consent, position, source, given_on, review_on, shown, note, recorded_at ON consent_positions
BEGIN SELECT RAISE(ABORT, 'consent_positions is append-only'); END;
CREATE TRIGGER consent_positions_append_only_by BEFORE UPDATE OF recorded_by ON consent_positions WHEN NEW.recorded_by IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'consent_positions is append-only'); END;


-- Ids are never reused once erasure deletes rows: the audit trail names pupils and accounts by id
-- only, so a new pupil must not inherit an erased pupil's entries. SQLite reuses the largest
-- rowid after a delete; the repos insert max(live ids, highest deleted id) + 1 instead.
CREATE TABLE id_high_water (tbl TEXT PRIMARY KEY, max_id INTEGER NOT NULL);
INSERT INTO id_high_water (tbl, max_id) SELECT 'users', COALESCE(MAX(subject_id), 0) FROM audit_log WHERE subject_type = 'user';
INSERT INTO id_high_water (tbl, max_id) SELECT 'pupils', COALESCE(MAX(subject_id), 0) FROM audit_log WHERE subject_type = 'pupil';
CREATE TRIGGER users_high_water AFTER DELETE ON users BEGIN
  UPDATE id_high_water SET max_id = MAX(max_id, OLD.id) WHERE tbl = 'users';
END;
CREATE TRIGGER pupils_high_water AFTER DELETE ON pupils BEGIN
  UPDATE id_high_water SET max_id = MAX(max_id, OLD.id) WHERE tbl = 'pupils';
END;
