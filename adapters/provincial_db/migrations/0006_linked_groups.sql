-- Linked procedure groups (liên thông) in the provincial registry: the group a dossier was
-- registered for, and one row per part (its competent unit, due date, status and outcome),
-- derived from the timeline (dossier.group_fanned_out and the parts' status events).
ALTER TABLE province.dossiers ADD COLUMN group_code text;
CREATE INDEX dossiers_group ON province.dossiers (group_code) WHERE group_code IS NOT NULL;

CREATE TABLE province.dossier_parts (
    dossier_code    text NOT NULL,
    procedure_code  text NOT NULL,
    competent_unit  text NOT NULL,
    status          smallint NOT NULL,
    status_at       timestamptz NOT NULL,
    last_sequence   integer NOT NULL,
    due_at          timestamptz,
    decision_number text,
    reason          text,
    PRIMARY KEY (dossier_code, procedure_code)
);
COMMENT ON COLUMN province.dossier_parts.last_sequence IS
    'sequence of the timeline entry the status comes from; a lower one never overwrites it';
CREATE INDEX dossier_parts_unit ON province.dossier_parts (competent_unit, status);
