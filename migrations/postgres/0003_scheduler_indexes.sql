-- Every question the scheduler asks is bound by an index on all of its
-- terms; the same change as migrations/sqlite/0003_scheduler_indexes.sql.
--
-- Free workers (actor_id = '') are one row in ten or more, while a held
-- actor_id names one or a few workers. A prepared statement's generic plan
-- cannot see a bound value, so it estimated "actor_id = $2" as selective
-- as a held actor's and walked every free worker of a pool (the
-- workers_pool_actor index) to find the two on an actor's snapshot nodes.
-- So the two populations get separate partial indexes: free workers by
-- pool and by node, held workers by actor. The selector compiler writes an
-- empty value as the literal '' (which the planner sees in every plan, and
-- which a partial index WHERE actor_id = '' matches) and adds
-- actor_id <> '' to a non-empty one (which the held index matches).
--
-- Each index lists the primary key after its own columns, as in 0001, so
-- that a page in key order can be read straight off it.

DROP INDEX workers_pool_actor;
DROP INDEX workers_node_actor;
DROP INDEX workers_actor_id;

CREATE INDEX workers_pool ON workers (worker_pool, worker_namespace, worker_pod);
CREATE INDEX workers_node ON workers (node_name, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_free_pool ON workers (worker_pool, worker_namespace, worker_pod)
  WHERE actor_id = '';
CREATE INDEX workers_free_node ON workers (node_name, worker_pool, worker_namespace, worker_pod)
  WHERE actor_id = '';
CREATE INDEX workers_actor_id ON workers (actor_id, actor_atespace, worker_namespace, worker_pool, worker_pod)
  WHERE actor_id <> '';
