-- The dispatch schema: services, fetcher posts, links and download attempts.
-- Status-like columns are text with one CHECK each; the lists here must equal the domain's
-- enums (a test reads them back from pg_constraint and compares).

CREATE TABLE service_modules (
    module_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_type       text NOT NULL
        CONSTRAINT service_modules_service_type_check
        CHECK (service_type IN ('downloader', 'fetcher', 'viewer')),
    service_name       text NOT NULL CONSTRAINT service_modules_service_name_key UNIQUE,
    host               text NOT NULL,
    port               integer NOT NULL,
    fetch_endpoint     text,
    download_endpoint  text,
    sync_endpoint      text,
    priority           integer NOT NULL DEFAULT 50,
    is_enabled         boolean NOT NULL DEFAULT true,
    health_failures    integer NOT NULL DEFAULT 0,
    backoff_until      timestamptz,
    last_seen_at       timestamptz,
    last_error         text,
    -- Set by the poller that claimed this downloader; another Core process leaves it alone
    -- until then.
    poll_claimed_until timestamptz,
    registered_at      timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE downloader_capabilities (
    module_id     bigint NOT NULL
        CONSTRAINT downloader_capabilities_module_id_fkey
        REFERENCES service_modules (module_id) ON DELETE CASCADE,
    download_type text NOT NULL
        CONSTRAINT downloader_capabilities_download_type_check
        CHECK (download_type IN ('magnet', 'torrent', 'http')),
    CONSTRAINT downloader_capabilities_pkey PRIMARY KEY (module_id, download_type)
);

CREATE INDEX downloader_capabilities_download_type_idx
    ON downloader_capabilities (download_type);

-- One row per fetcher post, kept as a log of what arrived and when.
CREATE TABLE fetcher_reports (
    report_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fetcher_source  text NOT NULL,
    subscription_id bigint,
    success         boolean NOT NULL,
    error_message   text,
    items_received  integer NOT NULL,
    received_at     timestamptz NOT NULL
);

CREATE TABLE raw_fetcher_items (
    raw_item_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fetcher_source  text NOT NULL,
    download_url    text NOT NULL,
    title           text NOT NULL,
    description     text,
    pub_date        timestamptz,
    save_path       text,
    first_report_id bigint NOT NULL
        CONSTRAINT raw_fetcher_items_first_report_id_fkey REFERENCES fetcher_reports (report_id),
    received_at     timestamptz NOT NULL
);

-- URLs may be longer than a btree entry allows (about 2.7 kB; magnets with many trackers
-- are), so uniqueness is enforced on a digest of the URL.
CREATE UNIQUE INDEX raw_fetcher_items_source_url_key
    ON raw_fetcher_items (fetcher_source, md5(download_url));

CREATE TABLE anime_links (
    link_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url           text NOT NULL,
    title         text NOT NULL,
    -- NULL: no detector recognised the link; it is kept with `reason` and never dispatched.
    download_type text
        CONSTRAINT anime_links_download_type_check
        CHECK (download_type IS NULL OR download_type IN ('magnet', 'torrent', 'http')),
    info_hash     text,
    save_path     text,
    reason        text,
    created_at    timestamptz NOT NULL
);

CREATE UNIQUE INDEX anime_links_url_key ON anime_links (md5(url));
-- The same torrent behind two magnet URLs (other trackers, other names) is one link.
CREATE UNIQUE INDEX anime_links_info_hash_key ON anime_links (info_hash)
    WHERE info_hash IS NOT NULL;

CREATE TABLE downloads (
    download_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id         bigint NOT NULL
        CONSTRAINT downloads_link_id_fkey REFERENCES anime_links (link_id),
    attempt         integer NOT NULL CONSTRAINT downloads_attempt_check CHECK (attempt >= 1),
    status          text NOT NULL
        CONSTRAINT downloads_status_check
        CHECK (status IN ('pending', 'downloading', 'completed', 'failed', 'cancelled',
                          'downloader_error', 'no_downloader')),
    -- A downloader that goes away leaves its downloads' history in place.
    module_id       bigint
        CONSTRAINT downloads_module_id_fkey
        REFERENCES service_modules (module_id) ON DELETE SET NULL,
    torrent_hash    text,
    progress        double precision NOT NULL DEFAULT 0,
    size            bigint,
    reason          text,
    remote_state    text
        CONSTRAINT downloads_remote_state_check
        CHECK (remote_state IS NULL
               OR remote_state IN ('downloading', 'paused', 'completed', 'error', 'not_found')),
    content_path    text,
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT downloads_link_id_attempt_key UNIQUE (link_id, attempt)
);

-- At most one active attempt per link: earlier attempts stay as history.
CREATE UNIQUE INDEX downloads_one_active_per_link ON downloads (link_id)
    WHERE status IN ('pending', 'downloading', 'downloader_error');
-- Not partial: the queries pass the status as a parameter, and a generic plan cannot
-- prove a parameter equals the literal of a partial index's predicate.
CREATE INDEX downloads_due_idx ON downloads (status, next_attempt_at, download_id);
CREATE INDEX downloads_module_status_idx ON downloads (module_id, status);
-- No other index: each one costs every bulk update of a dispatch or a poll, and the due
-- index already leads with status for the queries that filter by it.

-- A download as users see it: the attempt, its link, and the downloader's name.
CREATE VIEW download_views AS
SELECT
    d.download_id,
    d.link_id,
    l.url,
    l.title,
    l.download_type,
    d.status,
    d.attempt AS attempts,
    d.created_at,
    d.updated_at,
    d.module_id,
    m.service_name AS downloader,
    d.torrent_hash,
    d.progress,
    d.size,
    d.reason,
    d.remote_state,
    d.content_path,
    -- Only a pending attempt has a meaningful due time.
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at
FROM downloads d
JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = d.module_id;

-- A service with the download types it declared.
CREATE VIEW service_module_views AS
SELECT
    m.*,
    ARRAY(
        SELECT c.download_type
        FROM downloader_capabilities c
        WHERE c.module_id = m.module_id
        ORDER BY c.download_type
    ) AS download_types
FROM service_modules m;
