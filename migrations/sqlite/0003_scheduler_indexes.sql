-- Every question the scheduler asks is bound by an index on all of its
-- terms, so that it reads the rows it returns and no others, at any size.
--
-- Free workers (actor_id = '') are one row in ten or more, while a held
-- actor_id names one or a few workers. Without per-value statistics
-- (this SQLite has no STAT4) the planner believes "actor_id = ?" is that
-- selective for the empty value too, and preferred an index on
-- (worker_pool, actor_id) that reads every free worker of the pool to find
-- the two on the actor's snapshot nodes. So the two populations get
-- separate partial indexes: free workers by pool and by node, held workers
-- by actor. The selector compiler writes an empty value as the literal ''
-- (which a partial index WHERE actor_id = '' matches) and adds
-- actor_id <> '' to a non-empty one (which the held index matches), so
-- each question can use only the index built for it, and the statistics of
-- a partial index describe exactly its rows.
--
-- Indexes on worker_pool and node_name over all workers serve the
-- questions that are not about free workers ("the workers of a pool",
-- "drain a node").

DROP INDEX workers_pool_actor;
DROP INDEX workers_node_actor;
DROP INDEX workers_actor_id;

CREATE INDEX workers_pool ON workers (worker_pool);
CREATE INDEX workers_node ON workers (node_name);
-- "Free workers of a pool" and "free workers of these pools in a namespace",
-- in key order.
CREATE INDEX workers_free_pool ON workers (worker_pool) WHERE actor_id = '';
-- "Free workers of a pool on these nodes" (the nodes that hold an actor's
-- local snapshot), and "free workers on these nodes".
CREATE INDEX workers_free_node ON workers (node_name, worker_pool)
  WHERE actor_id = '';
-- The same rows in key order after the node: a later page of "free workers
-- on these nodes" bounds its page token's key with a row value, which
-- needs the key's columns right after node_name.
CREATE INDEX workers_free_node_key ON workers (node_name) WHERE actor_id = '';
-- "Which worker holds this actor".
CREATE INDEX workers_actor_id ON workers (actor_id, actor_atespace)
  WHERE actor_id <> '';
