-- Download attempts. Status values and the transition table arrive as parameters, so the
-- rules live in one place (dispatch_domain.status) and SQL never spells a status itself.

-- name: claim_due
WITH due AS (
    SELECT download_id, next_attempt_at
    FROM downloads
    WHERE status = %(pending)s AND next_attempt_at <= %(now)s
    ORDER BY next_attempt_at, download_id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE downloads d
    SET next_attempt_at = %(lease_until)s
    FROM due
    WHERE d.download_id = due.download_id
    RETURNING d.download_id, d.link_id, due.next_attempt_at AS due_at
)
SELECT claimed.download_id, l.url, l.download_type, l.save_path,
       s.preferred_downloader AS preferred,
       -- the downloaders an earlier attempt of this link stalled at: never offered it again
       ARRAY(SELECT DISTINCT e.module_id
             FROM downloads earlier
             JOIN events e ON e.download_id = earlier.download_id
             WHERE earlier.link_id = claimed.link_id
               AND e.event_type = %(stalled)s
               AND e.module_id IS NOT NULL) AS excluded
FROM claimed
JOIN anime_links l ON l.link_id = claimed.link_id
LEFT JOIN subscriptions s ON s.subscription_id = l.subscription_id
ORDER BY claimed.due_at, claimed.download_id;

-- name: apply
-- A change is applied only where (current status, event) is a row of the transition table;
-- reason and remote_state are always written, the other fields only when given (each array
-- is named as the field of dispatch_domain.Transition it comes from). The two guards below
-- are dispatch_domain.attempts' changes_nothing and makes_second_active, said in SQL so one
-- statement decides a whole batch; the DownloadRepository contract suite holds them equal.
-- Each applied change whose event has an event type (dispatch_domain.events.EVENT_TYPES,
-- passed as two arrays) is recorded in the events outbox by the same statement.
WITH rules AS (
    SELECT *
    FROM unnest(%(rule_sources)s::text[], %(rule_events)s::text[], %(rule_targets)s::text[])
         AS rule(source, event, target)
), changes AS (
    SELECT *
    FROM unnest(%(download_id)s::bigint[], %(event)s::text[], %(retry_at)s::timestamptz[],
                %(reason)s::text[], %(remote_state)s::text[], %(module_id)s::bigint[],
                %(remote_id)s::text[], %(progress)s::double precision[], %(size)s::bigint[],
                %(content_path)s::text[], %(downloaded)s::bigint[],
                %(download_speed)s::bigint[], %(eta)s::bigint[], %(peers)s::integer[],
                %(seeds)s::integer[], %(client_state)s::text[], %(has_metadata)s::boolean[],
                %(progress_at)s::timestamptz[])
         AS change(download_id, event, retry_at, reason, remote_state, module_id, remote_id,
                   progress, size, content_path, downloaded, download_speed, eta, peers,
                   seeds, client_state, has_metadata, progress_at)
), kinds AS (
    SELECT * FROM unnest(%(kind_events)s::text[], %(kind_types)s::text[]) AS kind(event, type)
), applied AS (
UPDATE downloads d
SET status = rules.target,
    reason = changes.reason,
    remote_state = changes.remote_state,
    updated_at = %(now)s,
    next_attempt_at = CASE WHEN rules.target = %(pending)s
                           THEN coalesce(changes.retry_at, %(now)s)
                           ELSE d.next_attempt_at END,
    module_id = coalesce(changes.module_id, d.module_id),
    remote_id = coalesce(changes.remote_id, d.remote_id),
    progress = coalesce(changes.progress, d.progress),
    size = coalesce(changes.size, d.size),
    content_path = coalesce(changes.content_path, d.content_path),
    downloaded = coalesce(changes.downloaded, d.downloaded),
    download_speed = coalesce(changes.download_speed, d.download_speed),
    eta = coalesce(changes.eta, d.eta),
    peers = coalesce(changes.peers, d.peers),
    seeds = coalesce(changes.seeds, d.seeds),
    client_state = coalesce(changes.client_state, d.client_state),
    has_metadata = coalesce(changes.has_metadata, d.has_metadata),
    progress_at = coalesce(changes.progress_at, d.progress_at)
FROM changes
JOIN rules ON rules.event = changes.event
WHERE d.download_id = changes.download_id
  AND d.status = rules.source
  -- changes_nothing: a change that would leave the row as it is writes nothing
  AND (rules.target = %(pending)s  -- a new due time, always
       OR rules.target IS DISTINCT FROM d.status
       OR changes.reason IS DISTINCT FROM d.reason
       OR changes.remote_state IS DISTINCT FROM d.remote_state
       OR coalesce(changes.module_id, d.module_id) IS DISTINCT FROM d.module_id
       OR coalesce(changes.remote_id, d.remote_id) IS DISTINCT FROM d.remote_id
       OR coalesce(changes.progress, d.progress) IS DISTINCT FROM d.progress
       OR coalesce(changes.size, d.size) IS DISTINCT FROM d.size
       OR coalesce(changes.content_path, d.content_path) IS DISTINCT FROM d.content_path
       OR coalesce(changes.downloaded, d.downloaded) IS DISTINCT FROM d.downloaded
       OR coalesce(changes.download_speed, d.download_speed) IS DISTINCT FROM d.download_speed
       OR coalesce(changes.eta, d.eta) IS DISTINCT FROM d.eta
       OR coalesce(changes.peers, d.peers) IS DISTINCT FROM d.peers
       OR coalesce(changes.seeds, d.seeds) IS DISTINCT FROM d.seeds
       OR coalesce(changes.client_state, d.client_state) IS DISTINCT FROM d.client_state
       OR coalesce(changes.has_metadata, d.has_metadata) IS DISTINCT FROM d.has_metadata
       OR coalesce(changes.progress_at, d.progress_at) IS DISTINCT FROM d.progress_at)
  -- makes_second_active: a change that would make a second active attempt is not applied
  AND (rules.target <> ALL(%(active)s::text[])
       OR d.status = ANY(%(active)s::text[])
       OR NOT EXISTS (SELECT 1 FROM downloads other
                      WHERE other.link_id = d.link_id
                        AND other.download_id <> d.download_id
                        AND other.status = ANY(%(active)s::text[])))
RETURNING d.download_id, changes.event, d.status, d.reason, d.module_id
), recorded AS (
    INSERT INTO events (event_type, occurred_at, download_id, status, reason, module_id)
    SELECT kinds.type, %(now)s, applied.download_id, applied.status, applied.reason,
           applied.module_id
    FROM applied
    JOIN kinds ON kinds.event = applied.event
    ORDER BY applied.download_id
)
SELECT download_id FROM applied;

-- name: release_parked
UPDATE downloads d
SET status = %(target)s,
    reason = NULL,
    remote_state = NULL,
    updated_at = %(now)s,
    next_attempt_at = %(now)s
FROM anime_links l
WHERE l.link_id = d.link_id
  AND d.status = ANY(%(sources)s::text[])
  AND l.download_type = ANY(%(types)s::text[]);

-- name: count_by_status
SELECT status, count(*) AS count
FROM downloads
WHERE download_id = ANY(%(download_ids)s::bigint[])
GROUP BY status;

-- name: status_totals
SELECT status, count(*) AS count
FROM downloads
GROUP BY status;

-- name: view
SELECT * FROM download_views WHERE download_id = %(download_id)s;

-- name: views
SELECT *
FROM download_views
WHERE download_id = ANY(%(download_ids)s::bigint[])
ORDER BY download_id;

-- name: find
SELECT *
FROM download_views
WHERE (%(status)s::text IS NULL OR status = %(status)s::text)
  AND (%(module_id)s::bigint IS NULL OR module_id = %(module_id)s::bigint)
  AND (%(link_id)s::bigint IS NULL OR link_id = %(link_id)s::bigint)
ORDER BY download_id DESC
LIMIT %(limit)s OFFSET %(offset)s;

-- name: count_found
SELECT count(*)
FROM downloads
WHERE (%(status)s::text IS NULL OR status = %(status)s::text)
  AND (%(module_id)s::bigint IS NULL OR module_id = %(module_id)s::bigint)
  AND (%(link_id)s::bigint IS NULL OR link_id = %(link_id)s::bigint);

-- name: ids_with_status
SELECT download_id
FROM downloads
WHERE status = ANY(%(statuses)s::text[])
ORDER BY download_id;

-- name: tracked
SELECT d.download_id, d.module_id, d.remote_id, d.status, d.progress, d.downloaded,
       d.progress_at, d.link_id, d.attempt, l.download_type,
       -- the downloaders an attempt of this link stalled at, as claim_due reads them
       ARRAY(SELECT DISTINCT e.module_id
             FROM downloads earlier
             JOIN events e ON e.download_id = earlier.download_id
             WHERE earlier.link_id = d.link_id
               AND e.event_type = %(stalled)s
               AND e.module_id IS NOT NULL) AS stalled_at
FROM downloads d
JOIN anime_links l ON l.link_id = d.link_id
WHERE d.status = ANY(%(statuses)s::text[])
  AND d.module_id = ANY(%(module_ids)s::bigint[])
  AND d.remote_id <> ''
ORDER BY d.download_id;

-- name: shared_remote_ids
SELECT DISTINCT d.module_id, d.remote_id
FROM downloads d
JOIN unnest(%(module_ids)s::bigint[], %(remote_ids)s::text[]) AS held(module_id, remote_id)
  ON held.module_id = d.module_id AND held.remote_id = d.remote_id
WHERE d.status = ANY(%(active)s::text[])
  AND d.download_id <> ALL(%(excluding)s::bigint[]);

-- name: lock_links_of
-- Retrying serialises on the links involved, so two retries of one link cannot both add
-- an attempt. A separate statement: the next one must see what the lock waited for.
SELECT l.link_id
FROM anime_links l
WHERE l.link_id IN (
    SELECT link_id FROM downloads WHERE download_id = ANY(%(download_ids)s::bigint[])
)
ORDER BY l.link_id
FOR NO KEY UPDATE;

-- name: attempts_of
-- Locked too: the poller or a cancel must not move an attempt this retry is deciding on.
SELECT download_id, link_id, attempt, status
FROM downloads
WHERE link_id = ANY(%(link_ids)s::bigint[])
ORDER BY download_id
FOR UPDATE;

-- name: supersede
WITH superseded AS (
    UPDATE downloads
    SET status = %(cancelled)s, reason = %(reason)s, updated_at = %(now)s
    WHERE download_id = ANY(%(download_ids)s::bigint[])
    RETURNING download_id, status, reason, module_id
)
INSERT INTO events (event_type, occurred_at, download_id, status, reason, module_id)
SELECT %(event_type)s, %(now)s, download_id, status, reason, module_id
FROM superseded
ORDER BY download_id;

-- name: add_attempts
WITH made AS (
    INSERT INTO downloads (link_id, attempt, status, next_attempt_at, created_at, updated_at)
    SELECT retry.link_id, retry.attempt, %(pending)s, %(now)s, %(now)s, %(now)s
    FROM unnest(%(link_ids)s::bigint[], %(attempts)s::integer[]) WITH ORDINALITY
         AS retry(link_id, attempt, position)
    ORDER BY retry.position
    RETURNING download_id, link_id
)
SELECT download_id, link_id FROM made;
