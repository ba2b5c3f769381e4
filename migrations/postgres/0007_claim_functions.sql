-- A claim and the scheduler's resume step in one round trip: the server
-- runs their steps in PL/pgSQL functions, called by one statement
-- (src/store/claim_function.c). Before, a claim was BEGIN, the actor's
-- advisory lock, its holders, a search per pool and phase, the
-- assignment and COMMIT, each a round trip; a release was one statement
-- already (worker_release in sql/postgres/store.sql) and stays so.
--
-- atesql_claim(atespace, actor_id, actor_namespace, actor_template,
--              pool_namespaces, pool_names, searches, params):
--   1. takes the actor's advisory lock (the same key as before: claims of
--      one actor stay serialized) in a statement of its own: the function
--      is VOLATILE, so under READ COMMITTED each later statement takes a
--      new snapshot, which sees the commit of the claim it waited for; a
--      holders' search that waited for the lock itself would read the
--      snapshot from before the wait and miss that claim's worker;
--   2. reads the workers holding the actor, FOR UPDATE, in key order: the
--      first in an eligible pool (pool_namespaces[i], pool_names[i]) is
--      the answer, unchanged;
--   3. else runs the candidate searches: searches[s] for each pool i in
--      the order given (the caller rotates the first pool), each with
--      " FOR UPDATE SKIP LOCKED" appended, so that claimers pass over each
--      other's candidates instead of waiting; the first key found is the
--      candidate;
--   4. when none is found, runs the same searches once more as plain
--      reads (no row lock, no wait): a free worker found then is one that
--      another transaction holds locked (an in-flight claim, or anyone's
--      SELECT ... FOR UPDATE), and the answer is code 2, "retry", not
--      code 1, "no free worker fits";
--   5. assigns the candidate, then frees every other worker holding the
--      actor (those in pools no longer eligible); a kept holder frees the
--      others too. Nothing is written before an answer is certain, so a
--      failure writes nothing.
-- It answers one row, (code, worker): 0 the worker held or assigned; 1 no
-- free eligible worker (RESOURCE_EXHAUSTED); 2 every free eligible worker
-- is locked by another transaction (CONFLICT: retry); 3 the candidate
-- was no longer free at its assignment (cannot happen under the row
-- lock: INTERNAL). Failures are codes, never errors, so that a claim in
-- the caller's transaction fails without aborting it.
--
-- The searches are the store's, compiled from the caller's selector plus
-- actor_id = '', the pool and, in the first phase, the preferred nodes
-- (store/claim.c, candidate_selector): any selector, labels included, so
-- their text is dynamic. Every value is an element of one text[]
-- parameter ($1, selector/compile.c's array form); search s for pool i
-- reads params[k + 1 .. k + width], k = ((s - 1) * npools + i - 1) *
-- width, the rows padded to one width. EXECUTE plans each search with its
-- values, as a custom plan, every time: a claim's search is LIMIT 1 on a
-- partial index, and a generic plan that cannot see whether a pool or a
-- node list is large is the plan that once walked every free worker of a
-- pool (migration 0003). Planning a statement of one index search costs
-- far less than the round trip it replaces. atesql_claim_explain runs the
-- very text a claim executes (store/claim_function.c builds both) with
-- the same array parameter, and judges the custom plan and the plan a
-- prepared statement settles on after five runs; tests/plans holds both
-- to an index search on every term.
-- The function's own statements are static: PL/pgSQL caches their plans
-- and may switch to generic ones after five runs. Each is a search of
-- the primary key or of workers_actor_id, whose partial WHERE
-- (actor_id <> '') the statements write as a literal, so every generic
-- plan is the same index search as the custom one.
CREATE FUNCTION atesql_claim(claim_atespace text, claim_actor_id text,
    claim_namespace text, claim_template text, pool_namespaces text[],
    pool_names text[], searches text[], params text[])
RETURNS TABLE (code integer, worker workers)
LANGUAGE plpgsql AS $$
DECLARE
  npools integer := cardinality(pool_names);
  width integer := cardinality(params) / (npools * cardinality(searches));
  held workers;
  kept boolean := false;
  others integer := 0;
  key_ns text;
  key_pool text;
  key_pod text;
  k integer;
BEGIN
  PERFORM pg_advisory_xact_lock(
    hashtextextended('atesql claim ' || claim_atespace || '/' || claim_actor_id, 0));

  FOR held IN
    SELECT * FROM workers w
    WHERE w.actor_id = claim_actor_id AND w.actor_id <> ''
      AND w.actor_atespace = claim_atespace
    ORDER BY w.worker_namespace, w.worker_pool, w.worker_pod
    FOR UPDATE
  LOOP
    IF NOT kept THEN
      FOR i IN 1 .. npools LOOP
        IF pool_namespaces[i] = held.worker_namespace
           AND pool_names[i] = held.worker_pool THEN
          kept := true;
          worker := held;
          EXIT;
        END IF;
      END LOOP;
      IF kept THEN
        CONTINUE;
      END IF;
    END IF;
    others := others + 1;
  END LOOP;

  IF NOT kept THEN
    <<search>>
    FOR s IN 1 .. cardinality(searches) LOOP
      FOR i IN 1 .. npools LOOP
        k := ((s - 1) * npools + i - 1) * width;
        EXECUTE searches[s] || ' FOR UPDATE SKIP LOCKED'
          INTO key_ns, key_pool, key_pod USING params[k + 1 : k + width];
        EXIT search WHEN key_pod IS NOT NULL;
      END LOOP;
    END LOOP;
    IF key_pod IS NULL THEN
      FOR s IN 1 .. cardinality(searches) LOOP
        FOR i IN 1 .. npools LOOP
          k := ((s - 1) * npools + i - 1) * width;
          EXECUTE searches[s] INTO key_ns, key_pool, key_pod
            USING params[k + 1 : k + width];
          IF key_pod IS NOT NULL THEN
            code := 2;
            RETURN NEXT;
            RETURN;
          END IF;
        END LOOP;
      END LOOP;
      code := 1;
      RETURN NEXT;
      RETURN;
    END IF;
    UPDATE workers w SET actor_namespace = claim_namespace,
      actor_template = claim_template, actor_id = claim_actor_id,
      actor_atespace = claim_atespace, version = w.version + 1
    WHERE w.worker_namespace = key_ns AND w.worker_pool = key_pool
      AND w.worker_pod = key_pod AND w.actor_id = ''
      AND w.version < 9223372036854775807
    RETURNING * INTO worker;
    IF NOT FOUND THEN
      code := 3;
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  IF others > 0 THEN
    UPDATE workers w SET actor_namespace = '', actor_template = '',
      actor_id = '', actor_atespace = '', version = w.version + 1
    WHERE w.actor_id = claim_actor_id AND w.actor_id <> ''
      AND w.actor_atespace = claim_atespace
      AND (w.worker_namespace, w.worker_pool, w.worker_pod)
          <> (worker.worker_namespace, worker.worker_pool, worker.worker_pod)
      AND w.version < 9223372036854775807;
  END IF;
  code := 0;
  RETURN NEXT;
END
$$;

-- atesql_resume(the arguments of atesql_claim, expected_version): the
-- resume step. Reads the actor
-- FOR UPDATE (so that nothing changes it between the check and the
-- move), checks its version, claims a worker with atesql_claim (an empty
-- actor_namespace or actor_template takes the actor's template
-- namespace or name) and moves the actor to STATUS_RESUMING (1) on it,
-- bumping its version. One row, (code, worker, actor): the codes of
-- atesql_claim, and 4 no such actor (NOT_FOUND); 5 the actor is at
-- another version (CONFLICT, actor as read); 6 the actor's version is the
-- largest there is and cannot be bumped. Nothing is claimed unless the
-- actor moves.
CREATE FUNCTION atesql_resume(claim_atespace text, claim_actor_id text,
    claim_namespace text, claim_template text, pool_namespaces text[],
    pool_names text[], searches text[], params text[],
    expected_version bigint)
RETURNS TABLE (code integer, worker workers, actor actors)
LANGUAGE plpgsql AS $$
DECLARE
  claimed record;
BEGIN
  SELECT * INTO actor FROM actors a
  WHERE a.atespace = claim_atespace AND a.actor_id = claim_actor_id
  FOR UPDATE;
  IF NOT FOUND THEN
    code := 4;
    RETURN NEXT;
    RETURN;
  END IF;
  IF actor.version <> expected_version THEN
    code := 5;
    RETURN NEXT;
    RETURN;
  END IF;
  IF actor.version = 9223372036854775807 THEN
    code := 6;
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT * INTO claimed FROM atesql_claim(claim_atespace, claim_actor_id,
    coalesce(nullif(claim_namespace, ''), actor.actor_template_namespace),
    coalesce(nullif(claim_template, ''), actor.actor_template_name),
    pool_namespaces, pool_names, searches, params);
  code := claimed.code;
  worker := claimed.worker;
  IF code = 0 THEN
    UPDATE actors a SET status = 1,
      ateom_pod_namespace = (claimed.worker).worker_namespace,
      ateom_pod_name = (claimed.worker).worker_pod,
      ateom_pod_ip = (claimed.worker).ip,
      ateom_pod_uid = (claimed.worker).worker_pod_uid,
      worker_pool_name = (claimed.worker).worker_pool,
      version = a.version + 1
    WHERE a.atespace = claim_atespace AND a.actor_id = claim_actor_id
    RETURNING * INTO actor;
  END IF;
  RETURN NEXT;
END
$$;
