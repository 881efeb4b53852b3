-- Storing a fetcher's post. Arrays carry the whole batch: three statements whatever its size.

-- name: record_report
INSERT INTO fetcher_reports
    (fetcher_source, subscription_id, success, error_message, items_received, received_at)
VALUES
    (%(fetcher_source)s, %(subscription_id)s, %(success)s, %(error_message)s,
     %(items_received)s, %(now)s)
RETURNING report_id;

-- name: record_raw_items
-- Sorted by URL so that concurrent posts take their row locks in the same order.
INSERT INTO raw_fetcher_items
    (fetcher_source, download_url, title, description, pub_date, save_path, first_report_id,
     received_at)
SELECT %(fetcher_source)s, item.download_url, item.title, item.description, item.pub_date,
       item.save_path, %(report_id)s, %(now)s
FROM unnest(%(urls)s::text[], %(titles)s::text[], %(descriptions)s::text[],
            %(pub_dates)s::timestamptz[], %(save_paths)s::text[])
     AS item(download_url, title, description, pub_date, save_path)
ORDER BY item.download_url
ON CONFLICT DO NOTHING;

-- name: add_links
-- A link remembers the post's subscription if Core has it (an outside fetcher's id that names
-- no subscription is only kept on the post), and the new downloads come back with its
-- preferred downloader.
-- New links only (a known URL or info-hash is skipped), then one pending attempt for each
-- new link that has a type, due at %(due_at)s (now, or when the caller's claim ends). Links go in info-hash order, then URL order: a URL
-- always comes with the same info-hash, so every post meets the keys another post may be
-- inserting in the same order and two posts cannot deadlock. Downloads go in the post's
-- order, so their ids follow it.
WITH incoming AS (
    SELECT *
    FROM unnest(%(urls)s::text[], %(titles)s::text[], %(download_types)s::text[],
                %(info_hashes)s::text[], %(save_paths)s::text[], %(reasons)s::text[])
         WITH ORDINALITY AS link(url, title, download_type, info_hash, save_path, reason, position)
), added AS (
    INSERT INTO anime_links
        (url, title, download_type, info_hash, save_path, reason, created_at, subscription_id)
    SELECT url, title, download_type, info_hash, save_path, reason, %(now)s,
           (SELECT subscription_id FROM subscriptions
            WHERE subscription_id = %(subscription_id)s::bigint)
    FROM incoming
    ORDER BY info_hash NULLS LAST, url
    ON CONFLICT DO NOTHING
    RETURNING link_id, url, download_type
), made AS (
    INSERT INTO downloads (link_id, attempt, status, next_attempt_at, created_at, updated_at)
    SELECT added.link_id, 1, %(pending)s, %(due_at)s, %(now)s, %(now)s
    FROM added
    JOIN incoming ON incoming.url = added.url
    WHERE added.download_type IS NOT NULL
    ORDER BY incoming.position
    RETURNING download_id, link_id
)
SELECT made.download_id, added.url,
       (SELECT preferred_downloader FROM subscriptions
        WHERE subscription_id = %(subscription_id)s::bigint) AS preferred
FROM made
JOIN added ON added.link_id = made.link_id
ORDER BY made.download_id;
