-- Consent as each person's position, not one snapshot per pupil (issue #10).
--
-- Before: photo_consents and biometric_consents held one snapshot of the pupil's state per row and
-- the newest row won, so a later form erased an earlier objection. Now every person who has a say
-- (the child; each person with parental responsibility: a linked parent account, or a person named
-- on a paper form) has their own append-only history of positions, and the register derives the
-- pupil's state from the latest position of each person (src/features/register/consent-rules.ts).
--
-- How the old rows are carried over (nothing is dropped before it is copied):
-- * every distinct "given by" text of a pupil (trimmed, case-insensitive) becomes a named person:
--   "Mother, paper form" is a person from then on;
-- * each photo row becomes that person's position: granted -> consents (with its review date),
--   refused -> objects, not_asked -> withdrawn;
-- * each biometric row becomes that person's position: parent objection -> objects, else parent
--   consent -> consents (source paper: the old form said "written consent"), else withdrawn;
-- * the child's objection becomes the child's position where the old rows changed it: set ->
--   objects, cleared again -> withdrawn (the old register recorded it as ended);
-- * ids keep the old order, so each person's latest position is their latest old row.
-- This fails closed: where two different names disagreed, an objection that an old later snapshot
-- had overwritten now stands again, and the office sees who said what on the pupil page. Reference
-- faces of pupils whose biometric consent no longer holds are deleted at the next start
-- (registerCore.deleteUnconsentedReferences), in JS, with the same audit entry as a withdrawal.

CREATE TABLE consent_people (
  id           INTEGER PRIMARY KEY,
  pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('child', 'parent_account', 'named')),
  user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL, -- parent_account only
  name         TEXT,                                             -- named only: as on the paper form
  relationship TEXT,
  created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at   TEXT NOT NULL,
  CHECK (kind <> 'named' OR name IS NOT NULL),
  CHECK (kind <> 'child' OR (user_id IS NULL AND name IS NULL))
);
CREATE UNIQUE INDEX consent_people_child ON consent_people(pupil_id) WHERE kind = 'child';
CREATE UNIQUE INDEX consent_people_account ON consent_people(pupil_id, user_id) WHERE kind = 'parent_account';
CREATE UNIQUE INDEX consent_people_named ON consent_people(pupil_id, name COLLATE NOCASE) WHERE kind = 'named';

CREATE TABLE consent_positions (
  id          INTEGER PRIMARY KEY,
  pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
  person_id   INTEGER NOT NULL REFERENCES consent_people(id) ON DELETE CASCADE,
  consent     TEXT NOT NULL CHECK (consent IN ('photo', 'biometric')),
  position    TEXT NOT NULL CHECK (position IN ('consents', 'objects', 'withdrawn')),
  source      TEXT NOT NULL CHECK (source IN ('paper', 'online', 'office')),
  given_on    TEXT NOT NULL,               -- YYYY-MM-DD
  review_on   TEXT,                        -- YYYY-MM-DD; photo consents only
  shown       TEXT,                        -- version of the wording the person was shown (online), or a form reference
  note        TEXT,
  recorded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX consent_positions_pupil ON consent_positions(pupil_id, consent, person_id, id);
CREATE INDEX consent_positions_person ON consent_positions(person_id, consent, id);
CREATE TRIGGER consent_positions_append_only_u BEFORE UPDATE ON consent_positions
BEGIN SELECT RAISE(ABORT, 'consent_positions is append-only'); END;

INSERT INTO consent_people (pupil_id, kind, name, created_at)
SELECT pupil_id, 'named', MIN(name), MIN(recorded_at) FROM (
  SELECT pupil_id, trim(given_by) AS name, recorded_at FROM photo_consents
  UNION ALL
  SELECT pupil_id, trim(given_by) AS name, recorded_at FROM biometric_consents
) GROUP BY pupil_id, name COLLATE NOCASE;

INSERT INTO consent_people (pupil_id, kind, created_at)
SELECT pupil_id, 'child', MIN(recorded_at) FROM biometric_consents WHERE child_objection = 1 GROUP BY pupil_id;

INSERT INTO consent_positions (pupil_id, person_id, consent, position, source, given_on, review_on, shown, note, recorded_by, recorded_at)
SELECT c.pupil_id, p.id, 'photo',
       CASE c.status WHEN 'granted' THEN 'consents' WHEN 'refused' THEN 'objects' ELSE 'withdrawn' END,
       'paper', c.given_on, CASE c.status WHEN 'granted' THEN c.review_on END, 'register snapshot before 003', c.note, c.recorded_by, c.recorded_at
  FROM photo_consents c
  JOIN consent_people p ON p.pupil_id = c.pupil_id AND p.kind = 'named' AND p.name = trim(c.given_by) COLLATE NOCASE
 ORDER BY c.id;

INSERT INTO consent_positions (pupil_id, person_id, consent, position, source, given_on, review_on, shown, note, recorded_by, recorded_at)
SELECT pupil_id, person_id, 'biometric', position, 'paper', substr(recorded_at, 1, 10), NULL, 'register snapshot before 003', note, recorded_by, recorded_at
  FROM (
    SELECT b.id AS ord, 0 AS sub, b.pupil_id, p.id AS person_id,
           CASE WHEN b.parent_objection = 1 THEN 'objects' WHEN b.parent_consent = 1 THEN 'consents' ELSE 'withdrawn' END AS position,
           b.note, b.recorded_by, b.recorded_at
      FROM biometric_consents b
      JOIN consent_people p ON p.pupil_id = b.pupil_id AND p.kind = 'named' AND p.name = trim(b.given_by) COLLATE NOCASE
    UNION ALL
    SELECT ord, 1, pupil_id, person_id, CASE WHEN child_objection = 1 THEN 'objects' ELSE 'withdrawn' END, NULL, recorded_by, recorded_at
      FROM (
        SELECT b.id AS ord, b.pupil_id, ch.id AS person_id, b.child_objection, b.recorded_by, b.recorded_at,
               LAG(b.child_objection, 1, 0) OVER (PARTITION BY b.pupil_id ORDER BY b.id) AS before
          FROM biometric_consents b
          JOIN consent_people ch ON ch.pupil_id = b.pupil_id AND ch.kind = 'child'
      ) WHERE child_objection <> before
  ) ORDER BY ord, sub;

DROP TABLE photo_consents;
DROP TABLE biometric_consents;
