-- The change feed's reading side as on PostgreSQL (its migration 0006,
-- where writers append events unnumbered and readers number them). On
-- SQLite a writer still numbers its events at once, so nothing is ever
-- pending; the shapes follow so that the store reads both alike:
--  - seq, the order a worker's events happened in: the revision;
--  - worker_pending, the committed events a snapshot holds that await
--    their numbers: none; worker_revision.pending, 1 when there are any:
--    always 0.
ALTER TABLE worker_events
  ADD COLUMN seq INTEGER GENERATED ALWAYS AS (revision) VIRTUAL;

CREATE VIEW worker_pending AS SELECT * FROM worker_events WHERE 0;

DROP VIEW worker_revision;
CREATE VIEW worker_revision AS
SELECT revision, compacted, 0 AS pending FROM store_revision WHERE id = 1;
