-- The dead-letter store: every message that reached hub.parked, kept with its reason until an
-- operator replays or purges it, and an audit trail of those operator actions.
CREATE TABLE hub.dead_letters (
    id                   bigserial PRIMARY KEY,
    parked_message_id    text NOT NULL UNIQUE,
    original_message_id  text,
    source_queue         text NOT NULL,
    original_exchange    text,
    original_routing_key text NOT NULL,
    reason_code          text NOT NULL,
    reason               text NOT NULL DEFAULT '',
    attempts             integer NOT NULL DEFAULT 0,
    headers              jsonb NOT NULL DEFAULT '{}'::jsonb,
    body                 bytea NOT NULL,
    content_type         text,
    parked_at            timestamptz NOT NULL,
    stored_at            timestamptz NOT NULL DEFAULT now(),
    status               text NOT NULL DEFAULT 'parked'
                         CHECK (status IN ('parked', 'replayed', 'purged')),
    replayed_at          timestamptz,
    replay_count         integer NOT NULL DEFAULT 0
);
CREATE INDEX dead_letters_status_reason ON hub.dead_letters (status, reason_code);
CREATE INDEX dead_letters_source_queue ON hub.dead_letters (source_queue);

CREATE TABLE hub.dead_letter_audit (
    id             bigserial PRIMARY KEY,
    dead_letter_id bigint NOT NULL REFERENCES hub.dead_letters (id),
    action         text NOT NULL CHECK (action IN ('replay', 'purge')),
    actor          text NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    detail         text NOT NULL DEFAULT ''
);
CREATE INDEX dead_letter_audit_dead_letter ON hub.dead_letter_audit (dead_letter_id);
