-- Events about a subscription's feed: subscription.failed when a feed that was fetched fine
-- fails to fetch or parse, subscription.recovered at its first success after failures.
-- Written by the statement that records the fetch, like every other event.
ALTER TABLE events
    ADD COLUMN subscription_id bigint REFERENCES subscriptions (subscription_id) ON DELETE CASCADE;

ALTER TABLE events DROP CONSTRAINT events_event_type_check;
ALTER TABLE events ADD CONSTRAINT events_event_type_check
    CHECK (event_type IN ('download.dispatched', 'download.completed', 'download.failed',
                          'download.stalled', 'download.cancelled',
                          'download.no_downloader', 'downloader.down', 'downloader.up',
                          'subscription.failed', 'subscription.recovered'));

-- The view gains the subscription an event is about, after its existing columns.
CREATE OR REPLACE VIEW event_views AS
SELECT
    e.event_id,
    e.event_type,
    e.occurred_at,
    e.download_id,
    d.link_id,
    l.title,
    l.url,
    e.status,
    d.attempt AS attempts,
    e.reason,
    e.module_id,
    m.service_name,
    e.tx < pg_snapshot_xmin(pg_current_snapshot()) AS visible,
    e.subscription_id,
    s.name AS subscription_name,
    s.feed_url
FROM events e
LEFT JOIN downloads d ON d.download_id = e.download_id
LEFT JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = e.module_id
LEFT JOIN subscriptions s ON s.subscription_id = e.subscription_id;
