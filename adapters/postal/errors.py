"""Postal errors, placed in the hub's one hierarchy (permanent versus transient)."""

from __future__ import annotations

from hub.errors import PermanentError, PostalServiceUnavailable

__all__ = [
    "NotDeliverableByPost",
    "PostalAuthenticationFailed",
    "PostalOrderConflict",
    "PostalRequestRejected",
    "PostalResponseInvalid",
    "PostalServiceUnavailable",
]


class PostalRequestRejected(PermanentError):
    """The postal service refused the request (4xx): sending it again will not help."""

    reason_code = "postal_rejected"

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(f"postal service answered {status_code}: {message}")
        self.status_code = status_code


class PostalOrderConflict(PostalRequestRejected):
    """An order with this OrderNumber exists with different content (409)."""

    reason_code = "postal_order_conflict"


class PostalAuthenticationFailed(PostalRequestRejected):
    """The client credentials are refused, or a fresh token is refused (401)."""

    reason_code = "postal_auth_failed"


class PostalResponseInvalid(PermanentError):
    """The postal service answered something that does not match its documented format."""

    reason_code = "postal_response_invalid"


class NotDeliverableByPost(PermanentError):
    """No order can be made: no delivery address, or the sending unit has no postal code."""

    reason_code = "not_deliverable_by_post"
