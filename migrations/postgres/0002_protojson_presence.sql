-- The nested actor fields become exact protojson values with presence;
-- the same change as migrations/sqlite/0002_protojson_presence.sql.
-- Before, latest_snapshot_info always held every field, both members of
-- SnapshotInfo's oneof and an invented type name ("TYPE_LOCAL"), and an
-- unset field could not be told from an empty one. Now each column holds
-- the field's protojson value: null when unset, else the message with
-- "SNAPSHOT_TYPE_*" names and at most one member of the oneof.
-- Old rows are mapped as atesql showed them: an all-empty snapshot info
-- or selector was unset; the member is the one the type names, or for an
-- unspecified type the one with content (local first).

UPDATE actors SET latest_snapshot_info = CASE
  WHEN coalesce(latest_snapshot_info ->> 'type', 'TYPE_UNSPECIFIED') = 'TYPE_UNSPECIFIED'
    AND coalesce(latest_snapshot_info #>> '{external,snapshotUriPrefix}', '') = ''
    AND coalesce(latest_snapshot_info #>> '{local,snapshotPrefix}', '') = ''
    AND coalesce(jsonb_array_length(latest_snapshot_info #> '{local,nodeVmsWithLocalSnapshots}'), 0) = 0
    THEN 'null'::jsonb
  WHEN latest_snapshot_info ->> 'type' = 'TYPE_LOCAL'
    OR (coalesce(latest_snapshot_info ->> 'type', 'TYPE_UNSPECIFIED') = 'TYPE_UNSPECIFIED'
        AND (coalesce(latest_snapshot_info #>> '{local,snapshotPrefix}', '') <> ''
             OR coalesce(jsonb_array_length(latest_snapshot_info #> '{local,nodeVmsWithLocalSnapshots}'), 0) > 0))
    THEN jsonb_build_object(
      'type', 'SNAPSHOT_' || coalesce(latest_snapshot_info ->> 'type', 'TYPE_UNSPECIFIED'),
      'local', coalesce(latest_snapshot_info -> 'local', '{}'::jsonb))
  ELSE jsonb_build_object(
      'type', 'SNAPSHOT_' || coalesce(latest_snapshot_info ->> 'type', 'TYPE_UNSPECIFIED'),
      'external', coalesce(latest_snapshot_info -> 'external', '{}'::jsonb))
END;

UPDATE actors SET worker_selector = 'null'::jsonb
WHERE coalesce(worker_selector -> 'matchLabels', '{}'::jsonb) = '{}'::jsonb;
