-- Undo 0005: the view as 0002 left it, and no details.
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
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at
FROM downloads d
JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = d.module_id;

ALTER TABLE downloads
    DROP COLUMN downloaded,
    DROP COLUMN download_speed,
    DROP COLUMN eta,
    DROP COLUMN peers,
    DROP COLUMN seeds,
    DROP COLUMN client_state,
    DROP COLUMN has_metadata,
    DROP COLUMN progress_at;
