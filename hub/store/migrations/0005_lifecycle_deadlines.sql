-- Lifecycle bookkeeping on the hub's dossier rows: the once-only supplement request and
-- apology, and which due date the deadline scan already warned about or flagged, so each
-- warning is sent once.
ALTER TABLE hub.dossiers
    ADD COLUMN supplement_requested boolean NOT NULL DEFAULT false,
    ADD COLUMN deadline_extended    boolean NOT NULL DEFAULT false,
    ADD COLUMN warned_due_at        timestamptz,
    ADD COLUMN overdue_due_at       timestamptz;

CREATE INDEX dossiers_open_due ON hub.dossiers (due_at) WHERE status IN (1, 2, 4, 6);
