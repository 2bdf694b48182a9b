"""RabbitMQ definitions (for ``rabbitmqctl import_definitions`` or the management API),
generated from the topology and the unit registry: exchanges, queues, bindings, one user
per unit with its permissions, and the hub's own user."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from hub.consumers import peer_user
from hub.registry import Unit
from hub.topology import (
    INBOUND_EXCHANGE,
    Topology,
    peer_format_of,
    peer_queue,
)

HUB_USER = "hub"


def peer_password(secret: str, unit_code: str) -> str:
    """A unit's broker password, derived from the deployment secret (``hub topology``)."""
    return hmac.new(secret.encode(), f"unit:{unit_code}".encode(), hashlib.sha256).hexdigest()[:32]


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + pw))."""
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _user(name: str, password: str, tags: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "password_hash": password_hash(password),
        "hashing_algorithm": "rabbit_password_hashing_sha256",
        "tags": tags,
        "limits": {},
    }


def render_definitions(
    topology: Topology,
    units: list[Unit],
    *,
    vhost: str,
    secret: str,
    hub_password: str,
    with_users: bool = True,
) -> dict[str, Any]:
    definitions: dict[str, Any] = {
        "rabbit_version": "3.10.8",
        "vhosts": [{"name": vhost}],
        "exchanges": [
            {
                "name": e.name,
                "vhost": vhost,
                "type": e.type,
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": e.arguments,
            }
            for e in topology.exchanges
        ],
        "queues": [
            {
                "name": q.name,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": q.arguments,
            }
            for q in topology.queues
        ],
        "bindings": [
            {
                "source": b.exchange,
                "vhost": vhost,
                "destination": b.queue,
                "destination_type": "exchange" if b.to_exchange else "queue",
                "routing_key": b.routing_key,
                "arguments": {},
            }
            for b in topology.bindings
        ],
        "policies": [],
        "parameters": [],
        "global_parameters": [],
    }
    if with_users:
        definitions |= _users(units, vhost=vhost, secret=secret, hub_password=hub_password)
    return definitions


def _users(units: list[Unit], *, vhost: str, secret: str, hub_password: str) -> dict[str, Any]:
    users = [_user(HUB_USER, hub_password, ["administrator"])]
    permissions = [
        {"user": HUB_USER, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}
    ]
    topic_permissions = []
    for unit in sorted(units, key=lambda u: u.code):
        name = peer_user(unit.code)
        users.append(_user(name, peer_password(secret, unit.code), []))
        permissions.append(
            {
                "user": name,
                "vhost": vhost,
                "configure": "^$",
                "write": f"^{INBOUND_EXCHANGE.replace('.', '[.]')}$",
                "read": f"^{peer_queue(unit.code).replace('.', '[.]')}$",
            }
        )
        topic_permissions.append(
            {
                "user": name,
                "vhost": vhost,
                "exchange": INBOUND_EXCHANGE,
                "write": f"^{peer_format_of(unit)}[.]{unit.code}[.][a-z_]+$",
                "read": "^$",
            }
        )
    return {"users": users, "permissions": permissions, "topic_permissions": topic_permissions}
