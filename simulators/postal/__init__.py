"""A VNPost-shaped postal service simulator (public-administration postal API, as OpenCPS uses it).

JSON over HTTP, OAuth2 client credentials, PascalCase fields. Endpoints:

- ``POST /oauth/token`` (form or JSON ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``) -> 200 ``{access_token, token_type: "Bearer", expires_in}``;
  400 unsupported grant type; 401 wrong credentials.
- ``POST /api/v1/orders`` -> 201 created, 200 same order again (idempotent on ``OrderNumber``),
  409 same ``OrderNumber`` with a different body, 400 missing or invalid fields.
- ``POST /api/v1/orders/{OrderNumber}/cancel`` -> 200 cancelled (again: 200), 404 unknown order,
  409 already collected past the sender's post office.
- ``GET /api/v1/tracking?OrderNumber=X&Page=1&PageSize=50`` -> 200 one order's events, oldest
  first; 404 unknown order. ``GET /api/v1/tracking?Since=<cursor>&PageSize=50`` -> 200 the
  client's events after the cursor across all its orders, with ``NextCursor`` (start with
  ``Since=0``). 400 on bad paging parameters.
- Every ``/api/`` call needs ``Authorization: Bearer <token>`` (401 otherwise) and may answer
  503 at the configured rate.

Tracking status codes (``StatusCode``, VNPost style):

====  ==========================  ==================================================
code  StatusMessage               meaning
====  ==========================  ==================================================
100   Đã tiếp nhận đơn hàng       order registered electronically (on create)
200   Đã nhận hàng                collected from the sender (POSID: sender's office)
300   Đang vận chuyển             in transit between post offices
400   Đang phát                   out for delivery (POSID: receiver's office)
401   Phát không thành công       delivery attempt failed; redelivery follows
500   Phát thành công             **delivered** (final)
600   Đã hủy                      cancelled by the sender (final)
====  ==========================  ==================================================

``EventTime`` is ``dd/MM/yyyy HH:mm:ss`` in Vietnam time (Asia/Ho_Chi_Minh), as VNPost sends it.
"""

from __future__ import annotations

from simulators.postal.config import PostalSimConfig
from simulators.postal.statuses import DELIVERED

__all__ = ["DELIVERED", "PostalSimConfig"]
