"""VNPost tracking status codes the hub relies on (documented in ``simulators.postal``)."""

from __future__ import annotations

REGISTERED = "100"
COLLECTED = "200"
IN_TRANSIT = "300"
OUT_FOR_DELIVERY = "400"
DELIVERY_FAILED = "401"
DELIVERED = "500"
CANCELLED = "600"

EVENT_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"
"""``EventTime`` as VNPost sends it: ``dd/MM/yyyy HH:mm:ss``, Vietnam local time."""
