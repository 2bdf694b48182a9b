-- The hub's own state: processed message ids, tracked dossiers, the transactional outbox.
CREATE SCHEMA IF NOT EXISTS hub;

CREATE TABLE hub.inbox (
    message_id   uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hub.dossiers (
    code             text PRIMARY KEY,
    competent_unit   text NOT NULL,
    status           smallint NOT NULL,
    sequence         integer NOT NULL,
    due_at           timestamptz,
    postal_item_code text,
    dossier          jsonb NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hub.outbox (
    id          bigserial PRIMARY KEY,
    message_id  uuid NOT NULL,
    exchange    text NOT NULL,
    routing_key text NOT NULL,
    body        bytea NOT NULL,
    headers     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_created_at ON hub.outbox (created_at);

CREATE TABLE hub.postal_cursor (
    id     smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    cursor text
);
INSERT INTO hub.postal_cursor (id, cursor) VALUES (1, NULL);
