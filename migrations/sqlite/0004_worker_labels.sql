-- Worker labels: free-form key/value attributes (gpu_type=h100), so that a
-- new scheduling attribute is data, not a migration. A worker's labels
-- are one JSON object in workers.labels (what get and list read, keys in
-- byte order), and one row per label in worker_labels, indexed on
-- (key, value): a label term of a selector is a B-tree search there, not a
-- JSON scan. Triggers keep worker_labels equal to workers.labels on every
-- path that writes a worker (a delete cascades: atesql's connections
-- enforce foreign keys).

ALTER TABLE workers ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';

-- worker_free: 1 while the worker is free (actor_id = ''), so that "free
-- workers of pool P with label L", the scheduler's question, is one range
-- of the index; a claim or release flips it on the worker's label rows.
CREATE TABLE worker_labels (
  worker_namespace TEXT NOT NULL,
  worker_pool      TEXT NOT NULL,
  worker_pod       TEXT NOT NULL,
  key              TEXT NOT NULL,
  value            TEXT NOT NULL,
  worker_free      INTEGER NOT NULL,
  PRIMARY KEY (worker_namespace, worker_pool, worker_pod, key),
  FOREIGN KEY (worker_namespace, worker_pool, worker_pod)
    REFERENCES workers (worker_namespace, worker_pool, worker_pod)
    ON DELETE CASCADE
) WITHOUT ROWID;
-- A label term searches (key, value); the compiler adds the selector's
-- "worker_pool = P" and "actor_id = ''" to that search, so "free workers
-- of pool P with label L" reads exactly those workers.
CREATE INDEX worker_labels_key_value ON worker_labels
  (key, value, worker_pool, worker_free, worker_namespace, worker_pod);

CREATE TRIGGER workers_labels_created AFTER INSERT ON workers
WHEN NEW.labels <> '{}' BEGIN
  INSERT INTO worker_labels
  SELECT NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod, key, value,
    NEW.actor_id = ''
  FROM json_each(NEW.labels);
END;

CREATE TRIGGER workers_labels_updated AFTER UPDATE OF labels ON workers
WHEN NEW.labels IS NOT OLD.labels BEGIN
  DELETE FROM worker_labels WHERE worker_namespace = NEW.worker_namespace
    AND worker_pool = NEW.worker_pool AND worker_pod = NEW.worker_pod;
  INSERT INTO worker_labels
  SELECT NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod, key, value,
    NEW.actor_id = ''
  FROM json_each(NEW.labels);
END;

CREATE TRIGGER workers_labels_freed AFTER UPDATE OF actor_id ON workers
WHEN (NEW.actor_id = '') <> (OLD.actor_id = '')
  AND NEW.labels IS OLD.labels AND NEW.labels <> '{}' BEGIN
  UPDATE worker_labels SET worker_free = NEW.actor_id = ''
  WHERE worker_namespace = NEW.worker_namespace
    AND worker_pool = NEW.worker_pool AND worker_pod = NEW.worker_pod;
END;
