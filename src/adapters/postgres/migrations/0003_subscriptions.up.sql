-- Subscriptions: feeds Core follows by itself. Links remember the subscription that brought
-- them, so a download can be offered to the subscription's preferred downloader first.

CREATE TABLE subscriptions (
    subscription_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                 text NOT NULL CONSTRAINT subscriptions_name_key UNIQUE,
    feed_url             text NOT NULL,
    include_pattern      text,
    exclude_pattern      text,
    save_path            text,
    preferred_downloader text,
    interval_seconds     integer NOT NULL
        CONSTRAINT subscriptions_interval_check CHECK (interval_seconds >= 60),
    enabled              boolean NOT NULL DEFAULT true,
    next_fetch_at        timestamptz NOT NULL,
    last_fetched_at      timestamptz,
    last_success_at      timestamptz,
    last_error           text,
    failures             integer NOT NULL DEFAULT 0,
    items_seen           integer NOT NULL DEFAULT 0,
    links_created        bigint NOT NULL DEFAULT 0,
    -- The feed server's validators, sent back for a conditional GET.
    etag                 text,
    last_modified        text,
    -- Set by the Core fetching the feed; another Core leaves it alone until then.
    claimed_until        timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE INDEX subscriptions_due_idx ON subscriptions (next_fetch_at) WHERE enabled;

-- A deleted subscription leaves its links (and their downloads) in place, unattached.
ALTER TABLE anime_links
    ADD COLUMN subscription_id bigint
        CONSTRAINT anime_links_subscription_id_fkey
        REFERENCES subscriptions (subscription_id) ON DELETE SET NULL;

CREATE INDEX anime_links_subscription_id_idx ON anime_links (subscription_id)
    WHERE subscription_id IS NOT NULL;
