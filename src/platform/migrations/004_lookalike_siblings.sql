-- A pupil with a brother or sister who is not enrolled (a twin, a look-alike sibling) is not
-- shown to other parents on a face match alone: the face may be the sibling's. The office can
-- confirm that no sibling looks like this pupil; who confirmed it and when is kept here (and in
-- the audit trail). NULL: not confirmed.
ALTER TABLE pupils ADD COLUMN no_lookalike_sibling_at TEXT;
ALTER TABLE pupils ADD COLUMN no_lookalike_sibling_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
