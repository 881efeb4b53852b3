-- Undo 0006: subscription events go, and the view and the type check are as 0004 made them.
DELETE FROM events WHERE event_type IN ('subscription.failed', 'subscription.recovered');

DROP VIEW event_views;
CREATE VIEW event_views AS
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
    e.tx < pg_snapshot_xmin(pg_current_snapshot()) AS visible
FROM events e
LEFT JOIN downloads d ON d.download_id = e.download_id
LEFT JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = e.module_id;

ALTER TABLE events DROP CONSTRAINT events_event_type_check;
ALTER TABLE events ADD CONSTRAINT events_event_type_check
    CHECK (event_type IN ('download.dispatched', 'download.completed', 'download.failed',
                          'download.stalled', 'download.cancelled',
                          'download.no_downloader', 'downloader.down', 'downloader.up'));

ALTER TABLE events DROP COLUMN subscription_id;
