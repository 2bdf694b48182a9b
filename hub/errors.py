"""One error hierarchy: permanent (park with reason) versus transient (retry)."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    reason_code = "hub_error"


class RunStopped(HubError):
    """A demo or bench run cannot go on: a worker it started exited, or something it needs
    is not as it must be. The command exits 1 with this reason."""

    reason_code = "run_stopped"


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
    """The dossier's state does not allow this message.

    ``may_become_legal`` marks a forward jump from an open state (e.g. 'returned' while
    the result is not issued yet): the message may have overtaken its predecessor, which a
    broker restart can put on another ingress shard, so the consumer waits a little before
    it parks the message."""

    reason_code = "illegal_transition"

    def __init__(self, message: str, *, may_become_legal: bool = False) -> None:
        super().__init__(message)
        self.may_become_legal = may_become_legal


class DuplicateDossier(PermanentError):
    reason_code = "duplicate_dossier"


class Unroutable(HubError):
    """The broker returned a published message: no queue is bound for its routing key."""

    reason_code = "unroutable"


class TransientError(HubError):
    """A peer or dependency is unavailable: retry later with backoff."""

    reason_code = "transient"


class UnknownDossier(TransientError):
    """No such dossier yet: its registration may still be in flight on another worker,
    so the message is retried a bounded number of times before it is parked."""

    reason_code = "unknown_dossier"


class PostalServiceUnavailable(TransientError):
    reason_code = "postal_unavailable"


class SupplementAlreadyRequested(IllegalTransition):
    """A supplement may be requested once, listing every missing item in one go."""

    reason_code = "supplement_already_requested"


class DeadlineAlreadyExtended(IllegalTransition):
    """The return date may be re-set only once (Decree 61/2018 Art.19(9))."""

    reason_code = "deadline_already_extended"
