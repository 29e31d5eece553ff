-- How often a photo checked by a pupil's own parent did not recognise the pupil (no biometric
-- consent, no reference, or no confident match) while it blurred at least one face: the office
-- sees these counts on the pupil page, to know whose reference photos need refreshing. Counts
-- only: which photo, which parent and which faces are not kept.
CREATE TABLE pupil_unrecognised_counts (
  pupil_id       INTEGER PRIMARY KEY REFERENCES pupils(id) ON DELETE CASCADE,
  no_match       INTEGER NOT NULL DEFAULT 0,
  no_reference   INTEGER NOT NULL DEFAULT 0,
  last_at        TEXT NOT NULL
);
