-- A download's id at its downloader is no longer only a torrent's info-hash: an http download
-- is followed by the id its downloader gives it (aria2's gid, say). Existing rows keep their
-- values: a torrent's info-hash is its remote id.
ALTER TABLE downloads RENAME COLUMN torrent_hash TO remote_id;

-- Downloads accepted without an id (http links, before this change) could never be followed:
-- they stayed downloading forever. They fail with the reason, so an operator can retry them.
UPDATE downloads
SET status = 'failed',
    reason = 'accepted without an id'
WHERE status IN ('downloading', 'downloader_error')
  AND (remote_id IS NULL OR remote_id = '');

-- The view names the column as the table does (a view keeps the name it was created with).
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
    -- Only a pending attempt has a meaningful due time.
    CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at
FROM downloads d
JOIN anime_links l ON l.link_id = d.link_id
LEFT JOIN service_modules m ON m.module_id = d.module_id;
