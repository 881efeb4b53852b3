-- Registered services, their capabilities and health.

-- name: lock_by_name
-- Taken before the upsert so a re-registration knows the address it replaces.
SELECT host, port FROM service_modules WHERE service_name = %(service_name)s FOR UPDATE;

-- name: upsert
-- A known name keeps the operator's priority and enabled flag. A service that registers is
-- up: its back-off ends (the last error stays visible as history), and a downloader that was
-- down records downloader.up.
WITH before AS (
    SELECT module_id, health_failures FROM service_modules WHERE service_name = %(service_name)s
), upserted AS (
INSERT INTO service_modules AS m
    (service_type, service_name, host, port, fetch_endpoint, download_endpoint, sync_endpoint,
     priority, last_seen_at, registered_at, updated_at)
VALUES
    (%(service_type)s, %(service_name)s, %(host)s, %(port)s, %(fetch_endpoint)s,
     %(download_endpoint)s, %(sync_endpoint)s, %(priority)s, %(now)s, %(now)s, %(now)s)
ON CONFLICT (service_name) DO UPDATE
SET service_type = excluded.service_type,
    host = excluded.host,
    port = excluded.port,
    fetch_endpoint = excluded.fetch_endpoint,
    download_endpoint = excluded.download_endpoint,
    sync_endpoint = excluded.sync_endpoint,
    health_failures = 0,
    backoff_until = NULL,
    last_seen_at = excluded.last_seen_at,
    updated_at = excluded.updated_at
RETURNING module_id, service_type
), recorded AS (
    INSERT INTO events (event_type, occurred_at, module_id)
    SELECT %(up)s, %(now)s, upserted.module_id
    FROM upserted
    JOIN before ON before.module_id = upserted.module_id
    WHERE before.health_failures > 0 AND upserted.service_type = %(downloader)s
)
SELECT module_id FROM upserted;

-- name: drop_capabilities
DELETE FROM downloader_capabilities
WHERE module_id = %(module_id)s
  AND NOT (download_type = ANY(%(download_types)s::text[]));

-- name: add_capabilities
INSERT INTO downloader_capabilities (module_id, download_type)
SELECT %(module_id)s, download_type
FROM unnest(%(download_types)s::text[]) AS declared(download_type)
ON CONFLICT DO NOTHING;

-- name: module
SELECT * FROM service_module_views WHERE module_id = %(module_id)s;

-- name: modules
SELECT *
FROM service_module_views
WHERE %(service_type)s::text IS NULL OR service_type = %(service_type)s::text
ORDER BY module_id;

-- name: modules_by_id
SELECT * FROM service_module_views WHERE module_id = ANY(%(module_ids)s::bigint[])
ORDER BY module_id;

-- name: enabled_of_type
SELECT *
FROM service_module_views
WHERE service_type = %(service_type)s AND is_enabled
ORDER BY module_id;

-- name: save_health
-- A downloader whose failures go from none to some records downloader.down, and back to none
-- downloader.up (dispatch_domain.events.health_event), in the statement that saves it.
WITH health AS (
    SELECT *
    FROM unnest(%(module_ids)s::bigint[], %(failures)s::integer[],
                %(backoff_untils)s::timestamptz[], %(last_seens)s::timestamptz[],
                %(last_errors)s::text[])
         AS health(module_id, failures, backoff_until, last_seen, last_error)
), before AS (
    SELECT m.module_id, m.health_failures, m.service_type
    FROM service_modules m
    JOIN health ON health.module_id = m.module_id
    FOR UPDATE OF m
), saved AS (
    UPDATE service_modules m
    SET health_failures = health.failures,
        backoff_until = health.backoff_until,
        last_seen_at = health.last_seen,
        last_error = health.last_error
    FROM health
    JOIN before ON before.module_id = health.module_id
    WHERE m.module_id = health.module_id
    RETURNING m.module_id, before.service_type, before.health_failures AS failures_before,
              health.failures, health.last_error
)
INSERT INTO events (event_type, occurred_at, module_id, reason)
SELECT CASE WHEN saved.failures > 0 THEN %(down)s ELSE %(up)s END,
       %(now)s::timestamptz,
       saved.module_id,
       CASE WHEN saved.failures > 0 THEN saved.last_error END
FROM saved
WHERE saved.service_type = %(downloader)s
  AND (saved.failures_before = 0) <> (saved.failures = 0)
ORDER BY saved.module_id;

-- name: update
UPDATE service_modules
SET priority = coalesce(%(priority)s, priority),
    is_enabled = coalesce(%(is_enabled)s, is_enabled),
    updated_at = %(now)s
WHERE module_id = %(module_id)s
RETURNING module_id;

-- name: claim_polls
-- The row lock makes a second caller wait, then see the new claim and skip the row.
UPDATE service_modules m
SET poll_claimed_until = %(until)s
WHERE m.service_type = %(service_type)s
  AND m.is_enabled
  AND (m.poll_claimed_until IS NULL OR m.poll_claimed_until <= %(now)s)
  AND EXISTS (
      SELECT 1 FROM downloads d
      WHERE d.module_id = m.module_id AND d.status = ANY(%(statuses)s::text[])
  )
RETURNING m.module_id;

-- name: release_polls
-- New work at these downloaders: let the next poll cycle, in any Core, take them at once.
UPDATE service_modules
SET poll_claimed_until = NULL
WHERE module_id = ANY(%(module_ids)s::bigint[]);

-- name: delete
-- Only a service none of whose downloads is active: those would vanish from the poller's
-- view. Finished downloads keep their history, their module_id set to NULL by the key.
-- Returns one row saying whether the service existed and whether it was deleted.
WITH target AS (
    SELECT module_id FROM service_modules WHERE module_id = %(module_id)s FOR UPDATE
), busy AS (
    SELECT EXISTS (
        SELECT 1 FROM downloads
        WHERE module_id = %(module_id)s AND status = ANY(%(active)s::text[])
    ) AS busy
), gone AS (
    DELETE FROM service_modules
    WHERE module_id IN (SELECT module_id FROM target) AND NOT (SELECT busy FROM busy)
    RETURNING module_id
)
SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM gone) AS deleted;
