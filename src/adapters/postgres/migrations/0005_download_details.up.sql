-- What a downloader says of a download besides its status (bytes done, speed, time left,
-- peers, seeds, the client's own word, whether a magnet has its metadata), and when it last
-- made progress: the stall rule measures from there.
ALTER TABLE downloads
    ADD COLUMN downloaded     bigint,
    ADD COLUMN download_speed bigint,
    ADD COLUMN eta            bigint,
    ADD COLUMN peers          integer,
    ADD COLUMN seeds          integer,
    ADD COLUMN client_state   text,
    ADD COLUMN has_metadata   boolean,
    ADD COLUMN progress_at    timestamptz;

DROP VIEW download_views;
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
    d.remote_id,
    d.progress,
    d.size,
    d.reason,
    d.remote_state,
    d.content_path,
    d.downloaded,
    d.download_speed,
    d.eta,
    d.peers,
    d.seeds,
    d.client_state,
    d.has_metadata,
    d.progress_at,
    -- Only a pending attempt has a meaningful due time.
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at
FROM downloads d
JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = d.module_id;
