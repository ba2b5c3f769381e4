-- The nested actor fields become exact protojson values with presence.
-- Before, latest_snapshot_info always held every field, both members of
-- SnapshotInfo's oneof and an invented type name ("TYPE_LOCAL"), and an
-- unset field could not be told from an empty one. Now each column holds
-- the field's protojson value: null when unset, else the message with
-- "SNAPSHOT_TYPE_*" names and at most one member of the oneof.
-- Old rows are mapped as atesql showed them: an all-empty snapshot info
-- or selector was unset; the member is the one the type names, or for an
-- unspecified type the one with content (local first).

UPDATE actors SET latest_snapshot_info = CASE
  WHEN coalesce(latest_snapshot_info ->> '$.type', 'TYPE_UNSPECIFIED') = 'TYPE_UNSPECIFIED'
    AND coalesce(latest_snapshot_info ->> '$.external.snapshotUriPrefix', '') = ''
    AND coalesce(latest_snapshot_info ->> '$.local.snapshotPrefix', '') = ''
    AND coalesce(json_array_length(latest_snapshot_info, '$.local.nodeVmsWithLocalSnapshots'), 0) = 0
    THEN 'null'
  WHEN latest_snapshot_info ->> '$.type' = 'TYPE_LOCAL'
    OR (coalesce(latest_snapshot_info ->> '$.type', 'TYPE_UNSPECIFIED') = 'TYPE_UNSPECIFIED'
        AND (coalesce(latest_snapshot_info ->> '$.local.snapshotPrefix', '') <> ''
             OR coalesce(json_array_length(latest_snapshot_info, '$.local.nodeVmsWithLocalSnapshots'), 0) > 0))
    THEN json_object(
      'type', 'SNAPSHOT_' || coalesce(latest_snapshot_info ->> '$.type', 'TYPE_UNSPECIFIED'),
      'local', json(coalesce(latest_snapshot_info -> '$.local', '{}')))
  ELSE json_object(
      'type', 'SNAPSHOT_' || coalesce(latest_snapshot_info ->> '$.type', 'TYPE_UNSPECIFIED'),
      'external', json(coalesce(latest_snapshot_info -> '$.external', '{}')))
END;

UPDATE actors SET worker_selector = 'null'
WHERE coalesce(json_extract(worker_selector, '$.matchLabels'), '{}') = '{}';
