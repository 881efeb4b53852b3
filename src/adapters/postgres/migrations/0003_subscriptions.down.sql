DROP INDEX anime_links_subscription_id_idx;
ALTER TABLE anime_links DROP COLUMN subscription_id;
DROP TABLE subscriptions;
