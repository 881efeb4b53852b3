-- The events outbox and its subscribers. An event is read only once `visible` (see the view
-- event_views): a cursor over event_id then never passes an event still being written.

-- name: after
SELECT * FROM event_views
WHERE event_id > %(after)s AND visible
ORDER BY event_id
LIMIT %(limit)s;

-- name: latest_id
SELECT coalesce(max(event_id), 0) FROM events;

-- name: prune
DELETE FROM events WHERE occurred_at < %(before)s;

-- name: add_subscriber
-- A new subscriber starts after the newest event: it receives what happens from now on.
INSERT INTO event_subscribers (kind, target, secret, event_types, created_at, cursor)
VALUES (%(kind)s, %(target)s, %(secret)s, %(event_types)s::text[], %(now)s,
        (SELECT coalesce(max(event_id), 0) FROM events))
RETURNING *;

-- name: subscribers_of_kind
SELECT * FROM event_subscribers WHERE kind = %(kind)s ORDER BY subscriber_id;

-- name: remove_subscriber
DELETE FROM event_subscribers WHERE kind = %(kind)s AND subscriber_id = %(subscriber_id)s;

-- name: claim_subscribers
-- Due subscribers with a wanted event waiting. A subscriber another Core holds is skipped,
-- and the claim is re-checked on the row's newest version once its lock is free.
WITH due AS (
    SELECT s.subscriber_id
    FROM event_subscribers s
    WHERE (s.claimed_until IS NULL OR s.claimed_until <= %(now)s)
      AND (s.next_try_at IS NULL OR s.next_try_at <= %(now)s)
      AND EXISTS (SELECT 1 FROM event_views e
                  WHERE e.event_id > s.cursor AND e.visible
                    AND (cardinality(s.event_types) = 0 OR e.event_type = ANY(s.event_types)))
    ORDER BY s.subscriber_id
    FOR UPDATE SKIP LOCKED
)
UPDATE event_subscribers s
SET claimed_until = %(until)s
FROM due
WHERE s.subscriber_id = due.subscriber_id
RETURNING s.*;

-- name: waiting_events
-- The next `batch` wanted events of each claimed subscriber, oldest first.
SELECT s.subscriber_id, w.*
FROM event_subscribers s
CROSS JOIN LATERAL (
    SELECT * FROM event_views e
    WHERE e.event_id > s.cursor AND e.visible
      AND (cardinality(s.event_types) = 0 OR e.event_type = ANY(s.event_types))
    ORDER BY e.event_id
    LIMIT %(batch)s
) w
WHERE s.subscriber_id = ANY(%(subscriber_ids)s::bigint[])
ORDER BY s.subscriber_id, w.event_id;

-- name: settle
-- The cursor never moves back: a Core whose claim ran out cannot undo a later delivery.
UPDATE event_subscribers s
SET cursor = greatest(s.cursor, state.cursor),
    failures = state.failures,
    last_error = state.last_error,
    next_try_at = state.next_try_at,
    failing_since = state.failing_since,
    delivered = state.delivered,
    claimed_until = NULL
FROM unnest(%(subscriber_ids)s::bigint[], %(cursors)s::bigint[], %(failures)s::integer[],
            %(last_errors)s::text[], %(next_try_ats)s::timestamptz[],
            %(failing_sinces)s::timestamptz[], %(delivered)s::bigint[])
     AS state(subscriber_id, cursor, failures, last_error, next_try_at, failing_since, delivered)
WHERE s.subscriber_id = state.subscriber_id;
