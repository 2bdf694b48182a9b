-- Hub-issued dossier codes (Circular 01/2018/TT-VPCP Art.19): the last sequence number issued
-- per receiving unit's agency code and reception day (Vietnam time). Keyed by agency code, the
-- part of the dossier code that must stay unique, so a renamed unit keeps its sequence.
CREATE TABLE hub.dossier_code_sequences (
    agency_code text    NOT NULL,
    day         date    NOT NULL,
    last        integer NOT NULL CHECK (last BETWEEN 1 AND 9999),
    PRIMARY KEY (agency_code, day)
);
