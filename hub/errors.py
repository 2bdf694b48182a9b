"""One error hierarchy: permanent (park with reason) versus transient (retry)."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    reason_code = "hub_error"


class PermanentError(HubError):
    """The message can never be processed as it is: park it with the reason."""

    reason_code = "permanent"


class InvalidJson(PermanentError):
    reason_code = "invalid_json"


class SchemaInvalid(PermanentError):
    reason_code = "schema_invalid"


class UnknownUnit(PermanentError):
    reason_code = "unknown_unit"


class UnknownProcedure(PermanentError):
    reason_code = "unknown_procedure"


class SenderNotAllowed(PermanentError):
    """The sender may not send this message (wrong unit, wrong role, impersonation)."""

    reason_code = "sender_not_allowed"


class IllegalTransition(PermanentError):
    reason_code = "illegal_transition"


class DuplicateDossier(PermanentError):
    reason_code = "duplicate_dossier"


class TransientError(HubError):
    """A peer or dependency is unavailable: retry later with backoff."""

    reason_code = "transient"


class UnknownDossier(TransientError):
    """No such dossier yet: its registration may still be in flight on another worker,
    so the message is retried a bounded number of times before it is parked."""

    reason_code = "unknown_dossier"


class PostalServiceUnavailable(TransientError):
    reason_code = "postal_unavailable"
