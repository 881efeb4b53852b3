-- Subscriptions and their fetch state. A fetch claims its row (claimed_until) so two Core
-- processes never fetch one feed at the same time.

-- name: add
INSERT INTO subscriptions
    (name, feed_url, include_pattern, exclude_pattern, save_path, preferred_downloader,
     interval_seconds, enabled, next_fetch_at, created_at, updated_at)
VALUES
    (%(name)s, %(feed_url)s, %(include)s, %(exclude)s, %(save_path)s, %(preferred_downloader)s,
     %(interval)s, %(enabled)s, %(now)s, %(now)s, %(now)s)
RETURNING *;

-- name: get
SELECT * FROM subscriptions WHERE subscription_id = %(subscription_id)s;

-- name: all
SELECT * FROM subscriptions ORDER BY subscription_id;

-- name: update
-- A new feed is another server: its validators go, and it is fetched at once.
UPDATE subscriptions
SET name = %(name)s,
    include_pattern = %(include)s,
    exclude_pattern = %(exclude)s,
    save_path = %(save_path)s,
    preferred_downloader = %(preferred_downloader)s,
    interval_seconds = %(interval)s,
    enabled = %(enabled)s,
    etag = CASE WHEN feed_url = %(feed_url)s THEN etag END,
    last_modified = CASE WHEN feed_url = %(feed_url)s THEN last_modified END,
    next_fetch_at = CASE WHEN feed_url = %(feed_url)s THEN next_fetch_at ELSE %(now)s END,
    feed_url = %(feed_url)s,
    updated_at = %(now)s
WHERE subscription_id = %(subscription_id)s
RETURNING *;

-- name: delete
DELETE FROM subscriptions WHERE subscription_id = %(subscription_id)s
RETURNING subscription_id;

-- name: claim_due
WITH due AS (
    SELECT subscription_id
    FROM subscriptions
    WHERE enabled
      AND next_fetch_at <= %(now)s
      AND (claimed_until IS NULL OR claimed_until <= %(now)s)
    ORDER BY next_fetch_at, subscription_id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE subscriptions s
SET claimed_until = %(until)s
FROM due
WHERE s.subscription_id = due.subscription_id
RETURNING s.*;

-- name: claim
-- The row lock makes a second caller wait, then see the new claim and take nothing.
UPDATE subscriptions
SET claimed_until = %(until)s
WHERE subscription_id = %(subscription_id)s
  AND (claimed_until IS NULL OR claimed_until <= %(now)s)
RETURNING *;

-- name: record
-- The fetch's event (subscription.failed/recovered), if any, is written by this statement too.
WITH recorded AS (
    UPDATE subscriptions
    SET claimed_until = NULL,
        last_fetched_at = %(fetched_at)s,
        next_fetch_at = %(next_fetch_at)s,
        last_success_at = CASE WHEN %(succeeded)s THEN %(fetched_at)s ELSE last_success_at END,
        last_error = %(error)s,
        failures = %(failures)s,
        items_seen = coalesce(%(items_seen)s, items_seen),
        links_created = links_created + %(links_created)s,
        etag = CASE WHEN %(new_validators)s THEN %(etag)s ELSE etag END,
        last_modified = CASE WHEN %(new_validators)s THEN %(last_modified)s ELSE last_modified END
    WHERE subscription_id = %(subscription_id)s
    RETURNING subscription_id
)
INSERT INTO events (event_type, occurred_at, subscription_id, reason)
SELECT %(event_type)s::text, %(fetched_at)s, subscription_id,
       CASE WHEN %(succeeded)s THEN NULL ELSE %(error)s END
FROM recorded
WHERE %(event_type)s::text IS NOT NULL;
