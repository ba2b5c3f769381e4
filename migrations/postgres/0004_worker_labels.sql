-- Worker labels: free-form key/value attributes (gpu_type=h100), so that a
-- new scheduling attribute is data, not a migration; the same tables as
-- migrations/sqlite/0004. A worker's labels are one JSON object in
-- workers.labels (what get and list read), and one row per label in
-- worker_labels, indexed on (key, value): a label term of a selector is a
-- B-tree search there, not a JSON scan. A trigger keeps worker_labels
-- equal to workers.labels on every path that writes a worker.

ALTER TABLE workers ADD COLUMN labels jsonb NOT NULL DEFAULT '{}';

-- worker_free: 1 while the worker is free (actor_id = ''), so that "free
-- workers of pool P with label L", the scheduler's question, is one range
-- of the index; a claim or release flips it on the worker's label rows.
CREATE TABLE worker_labels (
  worker_namespace text COLLATE "C" NOT NULL,
  worker_pool      text COLLATE "C" NOT NULL,
  worker_pod       text COLLATE "C" NOT NULL,
  key              text COLLATE "C" NOT NULL,
  value            text COLLATE "C" NOT NULL,
  worker_free      integer NOT NULL,
  FOREIGN KEY (worker_namespace, worker_pool, worker_pod)
    REFERENCES workers (worker_namespace, worker_pool, worker_pod)
    ON DELETE CASCADE
);
-- A worker's rows, for the triggers and the cascade. Not a primary key on
-- (worker, key) (keys come from one JSON object: unique already): with
-- key in it, the planner would weigh that index against the one below for
-- a label search narrowed to a pool, and for a claim's LIMIT 1 sometimes
-- take it, walking the pool's label rows.
CREATE INDEX worker_labels_worker
  ON worker_labels (worker_namespace, worker_pool, worker_pod);
-- A label term searches (key, value); the compiler adds the selector's
-- "worker_pool = P" and "actor_id = ''" to that search, so "free workers
-- of pool P with label L" reads exactly those workers.
CREATE INDEX worker_labels_key_value ON worker_labels
  (key, value, worker_pool, worker_free, worker_namespace, worker_pod);

CREATE FUNCTION atesql_worker_labels() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.labels = OLD.labels THEN
      IF (NEW.actor_id = '') <> (OLD.actor_id = '') THEN
        UPDATE worker_labels SET worker_free = (NEW.actor_id = '')::integer
        WHERE worker_namespace = NEW.worker_namespace
          AND worker_pool = NEW.worker_pool AND worker_pod = NEW.worker_pod;
      END IF;
      RETURN NULL;
    END IF;
    DELETE FROM worker_labels WHERE worker_namespace = NEW.worker_namespace
      AND worker_pool = NEW.worker_pool AND worker_pod = NEW.worker_pod;
  END IF;
  INSERT INTO worker_labels
  SELECT NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod, l.key, l.value,
    (NEW.actor_id = '')::integer
  FROM jsonb_each_text(NEW.labels) AS l;
  RETURN NULL;
END
$$;

CREATE TRIGGER workers_labels AFTER INSERT OR UPDATE OF labels, actor_id
ON workers FOR EACH ROW EXECUTE FUNCTION atesql_worker_labels();
