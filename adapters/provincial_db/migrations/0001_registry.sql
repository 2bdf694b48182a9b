-- The provincial registry: every dossier, its timeline, handoffs and postal returns.
-- Dossier rows are a projection of the timeline; nothing here is the hub's working state.

CREATE SCHEMA IF NOT EXISTS province;

CREATE TABLE province.units (
    code          text PRIMARY KEY,
    kind          text NOT NULL,
    name          text NOT NULL,
    agency_code   text NOT NULL UNIQUE,
    gso_code      text NOT NULL,
    district_code text,
    postal_code   text
);

CREATE TABLE province.procedures (
    code            text PRIMARY KEY,
    name            text NOT NULL,
    field           text NOT NULL,
    field_name      text NOT NULL,
    competent       text NOT NULL,
    processing_kind text NOT NULL,
    processing_days integer NOT NULL,
    fee_vnd         bigint NOT NULL
);

-- No foreign keys to units or procedures: events are recorded even when the registry
-- snapshot is older than the event (units merge, procedures are republished).
CREATE TABLE province.dossiers (
    code             text PRIMARY KEY,
    procedure_code   text NOT NULL,
    receiving_unit   text NOT NULL,
    competent_unit   text NOT NULL,
    channel          smallint NOT NULL CHECK (channel BETWEEN 1 AND 3),
    return_method    text NOT NULL,
    received_at      timestamptz NOT NULL,
    due_at           timestamptz,
    status           smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
    status_at        timestamptz NOT NULL,
    last_sequence    integer NOT NULL DEFAULT 0,
    resolved_at      timestamptz,
    returned_at      timestamptz,
    applicant_digest text NOT NULL,
    applicant        jsonb NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN province.dossiers.applicant_digest IS
    'hex SHA-256 of the applicant id number: lookups without the raw number';
COMMENT ON COLUMN province.dossiers.applicant IS
    'personal data: {"full_name", "id_number"} only; never copied to lookup columns or logs';
COMMENT ON COLUMN province.dossiers.last_sequence IS
    'sequence of the timeline entry that set the current status (0: none sequenced)';

CREATE INDEX dossiers_status ON province.dossiers (status, status_at);
CREATE INDEX dossiers_receiving_unit ON province.dossiers (receiving_unit, received_at);
CREATE INDEX dossiers_competent_unit ON province.dossiers (competent_unit, status);
CREATE INDEX dossiers_applicant_digest ON province.dossiers (applicant_digest);

CREATE TABLE province.timeline (
    id           bigserial PRIMARY KEY,
    message_id   uuid NOT NULL UNIQUE,
    dossier_code text NOT NULL,
    sequence     integer,
    type         text NOT NULL,
    status       smallint CHECK (status BETWEEN 1 AND 10),
    unit         text,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    payload      jsonb NOT NULL
);
CREATE UNIQUE INDEX timeline_dossier_sequence
    ON province.timeline (dossier_code, sequence) WHERE sequence IS NOT NULL;
CREATE INDEX timeline_dossier_occurred ON province.timeline (dossier_code, occurred_at);

CREATE TABLE province.handoffs (
    message_id     uuid PRIMARY KEY,
    dossier_code   text NOT NULL,
    from_unit      text NOT NULL,
    to_unit        text NOT NULL,
    handed_over_at timestamptz NOT NULL,
    due_at         timestamptz
);
CREATE INDEX handoffs_dossier ON province.handoffs (dossier_code);
CREATE INDEX handoffs_to_unit ON province.handoffs (to_unit, handed_over_at);

-- An order row may first appear from a tracking event (receiver and creation time unknown
-- until postal.order_created arrives).
CREATE TABLE province.postal_orders (
    order_number     text PRIMARY KEY,
    item_code        text NOT NULL,
    dossier_code     text NOT NULL,
    receiver_commune text,
    created_at       timestamptz,
    last_status_code text,
    last_status_at   timestamptz,
    delivered_at     timestamptz
);
CREATE INDEX postal_orders_dossier ON province.postal_orders (dossier_code);

CREATE TABLE province.postal_events (
    order_number   text NOT NULL,
    status_code    text NOT NULL,
    event_time     timestamptz NOT NULL,
    status_message text NOT NULL,
    pos_id         text,
    delivered      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (order_number, status_code, event_time)
);
