-- Undo 0002: the column is torrent_hash again (failed rows stay failed: nothing followed them).
DROP VIEW download_views;
ALTER TABLE downloads RENAME COLUMN remote_id TO torrent_hash;
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
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at
FROM downloads d
JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = d.module_id;
