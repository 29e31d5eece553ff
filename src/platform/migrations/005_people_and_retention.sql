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
