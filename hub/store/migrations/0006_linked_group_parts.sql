-- Linked procedure groups (liên thông): one row per part of a group dossier, with the part's
-- competent unit, status, due date and outcome. Written in the same transaction as the
-- dossier row it belongs to.
CREATE TABLE hub.dossier_parts (
    dossier_code    text NOT NULL REFERENCES hub.dossiers (code) ON DELETE CASCADE,
    procedure_code  text NOT NULL,
    position        smallint NOT NULL,
    competent_unit  text NOT NULL,
    status          smallint NOT NULL,
    due_at          timestamptz,
    decision_number text,
    summary         text,
    reason          text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_code, procedure_code)
);
CREATE INDEX dossier_parts_unit_open ON hub.dossier_parts (competent_unit)
    WHERE status IN (1, 2, 4, 5, 6);
