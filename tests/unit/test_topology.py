"""The RabbitMQ topology (``hub.topology``) and the definitions generated from it."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from hub.definitions import password_hash, peer_password, render_definitions
from hub.registry import Registry, Unit, UnitKind, load_registry
from hub.topology import (
    HUB_CONSUMED_QUEUES,
    INBOUND_EXCHANGE,
    INGRESS_EXCHANGE,
    INGRESS_QUEUES,
    INGRESS_RETRY_KEY,
    INGRESS_SHARDS,
    OUTBOUND_EXCHANGE,
    PARKED_QUEUE,
    PARKING_EXCHANGE,
    RETRY_TIERS_MS,
    Topology,
    build_topology,
    inbound_routing_key,
    parse_inbound_routing_key,
    peer_format_of,
    peer_queue,
    retry_queue,
    retry_return_key,
    retry_source,
    shards_of_worker,
)

VHOST = "dossier-hub-test"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def units(registry: Registry) -> list[Unit]:
    return list(registry.peers())


@pytest.fixture(scope="module")
def topology(units: list[Unit]) -> Topology:
    return build_topology(units)


@pytest.fixture(scope="module")
def definitions(topology: Topology, units: list[Unit]) -> dict[str, Any]:
    return render_definitions(
        topology, units, vhost=VHOST, secret="deployment-secret", hub_password="hub-pass"
    )


def work_queue_names(units: list[Unit]) -> list[str]:
    return [*HUB_CONSUMED_QUEUES, *(peer_queue(u.code) for u in units)]


def test_every_work_queue_is_a_quorum_queue_dead_lettered_at_least_once_to_parking(
    topology: Topology, units: list[Unit]
) -> None:
    for name in work_queue_names(units):
        arguments = topology.queue(name).arguments
        assert arguments["x-queue-type"] == "quorum", name
        assert arguments["x-dead-letter-exchange"] == PARKING_EXCHANGE, name
        assert arguments["x-dead-letter-strategy"] == "at-least-once", name


def test_every_queue_is_a_quorum_queue(topology: Topology) -> None:
    assert {q.arguments.get("x-queue-type") for q in topology.queues} == {"quorum"}


def test_queue_names_are_unique(topology: Topology) -> None:
    names = [q.name for q in topology.queues]

    assert len(names) == len(set(names))


def test_the_parking_exchange_feeds_the_parked_queue(topology: Topology) -> None:
    parking = [b for b in topology.bindings if b.exchange == PARKING_EXCHANGE]

    assert [(b.queue, b.routing_key) for b in parking] == [(PARKED_QUEUE, "")]
    assert {e.name: e.type for e in topology.exchanges}[PARKING_EXCHANGE] == "fanout"


@pytest.mark.parametrize("queue", HUB_CONSUMED_QUEUES)
def test_every_hub_consumed_queue_has_retry_queues_that_dead_letter_back_to_it(
    topology: Topology, queue: str
) -> None:
    source = retry_source(queue)
    retries = [q for q in topology.queues if q.name.startswith(f"{source}.retry.")]

    assert len(retries) == len(RETRY_TIERS_MS) == 3
    assert sorted(q.arguments["x-message-ttl"] for q in retries) == sorted(RETRY_TIERS_MS)
    for retry in retries:
        if queue in INGRESS_QUEUES:  # back through the hash exchange: the same shard again
            assert retry.arguments["x-dead-letter-exchange"] == INGRESS_EXCHANGE
            assert retry.arguments["x-dead-letter-routing-key"] == INGRESS_RETRY_KEY
        else:
            assert retry.arguments["x-dead-letter-exchange"] == ""
            assert retry.arguments["x-dead-letter-routing-key"] == source
        assert retry.arguments["x-dead-letter-routing-key"] == retry_return_key(source)
        assert retry.arguments["x-dead-letter-strategy"] == "at-least-once"


def test_ingress_shards_are_single_active_consumer_behind_a_hash_on_the_correlation_id(
    topology: Topology,
) -> None:
    exchange = next(e for e in topology.exchanges if e.name == INGRESS_EXCHANGE)
    shard_bindings = [b for b in topology.bindings if b.exchange == INGRESS_EXCHANGE]

    assert exchange.type == "x-consistent-hash"
    assert exchange.arguments == {"hash-property": "correlation_id"}
    assert sorted(b.queue for b in shard_bindings) == sorted(INGRESS_QUEUES)
    assert len(INGRESS_QUEUES) == INGRESS_SHARDS
    for name in INGRESS_QUEUES:
        assert topology.queue(name).arguments["x-single-active-consumer"] is True


@pytest.mark.parametrize("count", [1, 2, 3, 5, 16])
def test_workers_share_the_shards_exactly_once(count: int) -> None:
    shares = [shards_of_worker(i, count) for i in range(count)]

    assert sorted(q for share in shares for q in share) == sorted(INGRESS_QUEUES)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_a_worker_index_outside_the_count_is_refused() -> None:
    with pytest.raises(ValueError, match="not within"):
        shards_of_worker(2, 2)


def test_retry_queue_names_carry_their_delay_in_seconds() -> None:
    assert [retry_queue("hub.ingress", d) for d in RETRY_TIERS_MS] == [
        "hub.ingress.retry.1s",
        "hub.ingress.retry.5s",
        "hub.ingress.retry.30s",
    ]


def test_each_registry_unit_has_one_peer_queue_bound_on_the_outbound_exchange_by_its_code(
    topology: Topology, units: list[Unit]
) -> None:
    outbound = [b for b in topology.bindings if b.exchange == OUTBOUND_EXCHANGE]

    assert sorted((b.queue, b.routing_key) for b in outbound) == sorted(
        (peer_queue(u.code), u.code) for u in units
    )
    assert len(units) == len({u.code for u in units}) > 0


def test_every_peer_kind_has_a_peer_queue(topology: Topology, registry: Registry) -> None:
    names = {q.name for q in topology.queues}

    for kind in UnitKind:
        assert any(peer_queue(u.code) in names for u in registry.of_kind(kind)), kind


def test_every_binding_names_a_declared_exchange_and_queue(topology: Topology) -> None:
    exchanges = {e.name for e in topology.exchanges}
    queues = {q.name for q in topology.queues}

    for binding in topology.bindings:
        assert binding.exchange in exchanges, binding
        assert binding.queue in (exchanges if binding.to_exchange else queues), binding


def test_every_dead_letter_target_is_declared(topology: Topology) -> None:
    exchanges = {e.name for e in topology.exchanges} | {""}
    queues = {q.name for q in topology.queues}

    for queue in topology.queues:
        if "x-dead-letter-exchange" in queue.arguments:
            assert queue.arguments["x-dead-letter-exchange"] in exchanges, queue.name
        if queue.arguments.get("x-dead-letter-exchange") == "":
            assert queue.arguments["x-dead-letter-routing-key"] in queues, queue.name


def test_every_peer_routing_key_reaches_the_ingress_hash_exactly_once(
    topology: Topology, units: list[Unit]
) -> None:
    inbound = [b for b in topology.bindings if b.exchange == INBOUND_EXCHANGE]

    for unit in units:
        peer_format = peer_format_of(unit)
        key = inbound_routing_key(peer_format, unit.code, "status")
        matches = [b for b in inbound if topic_matches(b.routing_key, key)]
        assert [(b.queue, b.to_exchange) for b in matches] == [(INGRESS_EXCHANGE, True)], key


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching for patterns made of words and ``*`` (no ``#``)."""
    words, parts = pattern.split("."), key.split(".")
    return len(words) == len(parts) and all(
        w in ("*", p) for w, p in zip(words, parts, strict=True)
    )


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("commune.19744.hoso", ("commune", "19744", "hoso")),
        ("agency.474-PAC.status", ("agency", "474-PAC", "status")),
        ("commune.19744", None),
        ("commune..hoso", None),
        ("commune.19744.hoso.extra", None),
    ],
)
def test_inbound_routing_keys_parse_only_when_they_have_three_words(
    key: str, parsed: tuple[str, str, str] | None
) -> None:
    assert parse_inbound_routing_key(key) == parsed


# Generated broker definitions


def test_the_definitions_declare_exactly_the_topology(
    definitions: dict[str, Any], topology: Topology
) -> None:
    assert {e["name"] for e in definitions["exchanges"]} == {e.name for e in topology.exchanges}
    assert {q["name"]: q["arguments"] for q in definitions["queues"]} == {
        q.name: q.arguments for q in topology.queues
    }
    assert len(definitions["bindings"]) == len(topology.bindings)
    assert all(item["vhost"] == VHOST for item in definitions["queues"])


def test_there_is_one_broker_user_per_unit_plus_the_hub(
    definitions: dict[str, Any], units: list[Unit]
) -> None:
    names = [u["name"] for u in definitions["users"]]

    assert sorted(names) == sorted(["hub", *(f"unit-{u.code}" for u in units)])
    assert all(
        u["hashing_algorithm"] == "rabbit_password_hashing_sha256" for u in definitions["users"]
    )


def topic_permission(definitions: dict[str, Any], unit_code: str) -> dict[str, Any]:
    return next(p for p in definitions["topic_permissions"] if p["user"] == f"unit-{unit_code}")


def test_a_commune_may_publish_only_under_its_own_routing_keys(definitions: dict[str, Any]) -> None:
    permission = topic_permission(definitions, "19744")
    write = re.compile(permission["write"])

    assert permission["exchange"] == INBOUND_EXCHANGE
    assert write.search("commune.19744.hoso")
    assert write.search("commune.19744.trangthai")
    assert not write.search("commune.19747.hoso")
    assert not write.search("commune.197444.hoso")
    assert not write.search("agency.19744.status")
    assert not write.search("commune.19744.hoso.x")
    assert permission["read"] == "^$"


def test_an_agency_may_publish_only_under_its_own_agency_routing_keys(
    definitions: dict[str, Any],
) -> None:
    write = re.compile(topic_permission(definitions, "474-PAC")["write"])

    assert write.search("agency.474-PAC.status")
    assert not write.search("agency.476-PAC.status")
    assert not write.search("commune.474-PAC.hoso")


def test_a_unit_may_write_only_to_the_inbound_exchange_and_read_only_its_own_queue(
    definitions: dict[str, Any],
) -> None:
    permission = next(p for p in definitions["permissions"] if p["user"] == "unit-19744")

    assert re.search(permission["write"], INBOUND_EXCHANGE)
    assert not re.search(permission["write"], OUTBOUND_EXCHANGE)
    assert not re.search(permission["write"], "dossierXin")
    assert re.search(permission["read"], "peer.19744")
    assert not re.search(permission["read"], "peer.19747")
    assert permission["configure"] == "^$"


def test_each_unit_user_has_the_hash_of_its_derived_password(definitions: dict[str, Any]) -> None:
    user = next(u for u in definitions["users"] if u["name"] == "unit-19744")
    stored = base64.b64decode(user["password_hash"])

    assert (
        password_hash(peer_password("deployment-secret", "19744"), stored[:4])
        == user["password_hash"]
    )
    assert (
        password_hash(peer_password("other-secret", "19744"), stored[:4]) != user["password_hash"]
    )


def test_derived_passwords_differ_per_unit() -> None:
    assert peer_password("s", "19744") != peer_password("s", "19747")


def test_the_password_hash_matches_rabbitmqs_documented_example() -> None:
    # rabbitmq.com/docs/passwords, "Computing Password Hash": salt 908DC60A, password test12
    assert (
        password_hash("test12", bytes.fromhex("908DC60A"))
        == "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"
    )


def test_the_password_hash_is_base64_of_salt_and_sha256_of_salt_and_password() -> None:
    salt = b"\x01\x02\x03\x04"

    decoded = base64.b64decode(password_hash("mật khẩu", salt))

    assert decoded == salt + hashlib.sha256(salt + "mật khẩu".encode()).digest()


def test_the_password_hash_uses_a_fresh_four_byte_salt_each_time() -> None:
    first, second = password_hash("secret"), password_hash("secret")

    assert len(base64.b64decode(first)) == 4 + 32
    assert first != second
