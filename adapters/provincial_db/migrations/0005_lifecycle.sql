-- Later steps of a dossier's life in the registry: supplement requests and resubmissions,
-- deadline warnings and past-due flags, apologies with a new date, fees with their
-- e-receipt numbers, and satisfaction ratings. All derived from the timeline.
ALTER TABLE province.dossiers
    ADD COLUMN supplement_requested_at timestamptz,
    ADD COLUMN resubmitted_at          timestamptz,
    ADD COLUMN due_warned_at           timestamptz,
    ADD COLUMN overdue_flagged_at      timestamptz,
    ADD COLUMN apologised_at           timestamptz,
    ADD COLUMN fees_vnd                bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN province.dossiers.overdue_flagged_at IS
    'when the hub first flagged the dossier past its due date without a result';
COMMENT ON COLUMN province.dossiers.apologised_at IS
    'when the deciding unit apologised and set a new date (due_at is then the new date)';

CREATE INDEX dossiers_overdue ON province.dossiers (overdue_flagged_at)
    WHERE overdue_flagged_at IS NOT NULL;

CREATE TABLE province.fees (
    message_id     uuid PRIMARY KEY,
    dossier_code   text NOT NULL,
    unit           text NOT NULL,
    amount_vnd     bigint NOT NULL CHECK (amount_vnd > 0),
    receipt_number text NOT NULL,
    description    text,
    paid_at        timestamptz NOT NULL
);
CREATE INDEX fees_dossier ON province.fees (dossier_code);
CREATE INDEX fees_receipt ON province.fees (receipt_number);

CREATE TABLE province.ratings (
    message_id   uuid PRIMARY KEY,
    dossier_code text NOT NULL,
    unit         text NOT NULL,
    rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 3),
    feedback     text,
    rated_at     timestamptz NOT NULL
);
CREATE INDEX ratings_dossier ON province.ratings (dossier_code);
CREATE INDEX ratings_unit ON province.ratings (unit, rated_at);
