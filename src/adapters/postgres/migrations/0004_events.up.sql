-- The outbox: one row per status change of a download or health change of a downloader,
-- written by the statement that makes the change, so an event is never lost or invented.
CREATE TABLE events (
    event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type  text NOT NULL
        CONSTRAINT events_event_type_check
        CHECK (event_type IN ('download.dispatched', 'download.completed', 'download.failed',
                              'download.stalled', 'download.cancelled',
                              'download.no_downloader', 'downloader.down', 'downloader.up')),
    occurred_at timestamptz NOT NULL,
    -- The writing transaction: readers list an event only once every transaction that could
    -- still commit a smaller id has ended, so a cursor over event_id never skips one.
    tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- A download event: its attempt, and its status, reason and downloader at that moment.
    download_id bigint REFERENCES downloads (download_id) ON DELETE CASCADE,
    status      text,
    reason      text,
    -- The downloader of a download event, or the one a downloader event is about.
    module_id   bigint REFERENCES service_modules (module_id) ON DELETE SET NULL
);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);

-- Webhooks and notification targets, each with a cursor: the last event it has handled.
CREATE TABLE event_subscribers (
    subscriber_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL
        CONSTRAINT event_subscribers_kind_check CHECK (kind IN ('webhook', 'apprise')),
    target        text NOT NULL,
    secret        text,
    event_types   text[] NOT NULL DEFAULT '{}',  -- empty: every type
    created_at    timestamptz NOT NULL,
    cursor        bigint NOT NULL DEFAULT 0,
    failures      integer NOT NULL DEFAULT 0,
    last_error    text,
    next_try_at   timestamptz,
    failing_since timestamptz,
    delivered     bigint NOT NULL DEFAULT 0,
    -- Held by the Core delivering to it, so no two Cores deliver to one subscriber at once.
    claimed_until timestamptz
);

-- An event with what it is about. `visible`: no transaction that could still commit a smaller
-- id is running, so a reader moving a cursor past this event skips nothing.
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
