"""The bench's report: the machine figures, and a service that runs elsewhere shown as such;
events counted once as projected and once as the broker messages (batches) they took; the
per-hop figure from the hop run; the headlines from the median of the one-worker runs and
from the hop run and relay run pair with the median ratio."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rich.console import Console

from hub.bench.hops import HopResult
from hub.bench.procstats import MachineUse
from hub.bench.raw_relay import RelayResult
from hub.bench.report import print_report
from hub.bench.runner import BenchResult, HopPair, PhaseResult, median_pair, median_run
from hub.bench.stalls import Stalls


def _phase(
    workers: int,
    machine: MachineUse | None = None,
    bench_cpu_seconds: float | None = None,
    *,
    seconds: float = 2.0,
    final: int = 10,
    cpu_seconds: float = 0.12,
    peak_rss_mb: float = 90.0,
    not_accepted: int = 0,
) -> PhaseResult:
    return PhaseResult(
        workers=workers,
        dossiers=10,
        final=final,
        seconds=seconds,
        sim_published=40,
        sim_consumed=15,
        events=60,
        event_messages=5,
        postal_commands=4,
        published_bytes=40 * 300,
        not_accepted=not_accepted,
        cpu_seconds=cpu_seconds,
        peak_rss_mb=peak_rss_mb,
        latencies_ms=[20.0, 30.0, 40.0],
        machine=machine,
        bench_cpu_seconds=bench_cpu_seconds,
    )


def test_the_machine_figures_are_per_lifecycle_and_null_for_a_remote_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    machine = MachineUse(
        services={"broker": None, "database": 0.05}, busy_seconds=0.3, wall_seconds=0.5, cores=2
    )
    relay_machine = MachineUse(
        services={"broker": 0.4, "database": 0.0}, busy_seconds=1.0, wall_seconds=2.0, cores=2
    )
    busy_while_timed = MachineUse(
        services={"broker": 0.1, "database": 0.08}, busy_seconds=0.5, wall_seconds=1.0, cores=2
    )
    result = BenchResult(
        latency=_phase(1, busy_while_timed, bench_cpu_seconds=0.02),
        throughput={1: _phase(1, machine, bench_cpu_seconds=0.04), 2: _phase(2)},
        hops=HopResult(
            messages=300, hops=250, seconds=0.5, cpu_seconds=0.2, mean_bytes=900, machine=machine
        ),
        relay=RelayResult(1000, 1.0, client_cpu_seconds=0.25, machine=machine),
        paced_relay=RelayResult(1000, 2.0, client_cpu_seconds=0.5, machine=relay_machine),
        rate=50.0,
    )
    console = Console(record=True, width=120)

    print_report(result, console, as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["machine_busy_pct"] == 30.0  # 0.3 s busy of 2 cores x 0.5 s
    assert figures["machine_cpu_ms_per_lifecycle"] == 30.0  # 300 ms for 10 dossiers
    assert figures["database_cpu_ms_per_lifecycle"] == 5.0
    assert figures["broker_cpu_ms_per_lifecycle"] is None
    assert figures["lifecycle_deliveries_per_s"] == 24.5  # (40 + 5 batches + 4) / 2 s
    assert figures["events_per_message"] == 12.0
    # the per-hop figure is the hop run's: 250 receptions relayed in 0.5 s, 0.8 ms CPU each
    assert (figures["hub_per_hop_msgs_per_s"], figures["hop_cpu_ms"]) == (500.0, 0.8)
    assert figures["ratio_to_raw_relay"] == 0.5  # 500 ÷ 1000 msgs/s
    assert figures["machine_cpu_ms_per_hop"] == 1.2  # 300 ms for 250 hops
    assert figures["broker_cpu_ms_per_hop"] is None
    # the load generator's own CPU, per lifecycle: 40 ms for 10 dossiers
    assert figures["bench_process_cpu_ms_per_lifecycle"] == 4.0
    # the relays' cost per message: the client's, and the machine's as for the hub
    assert figures["raw_relay_msgs_per_s"] == 1000.0
    assert figures["raw_relay_client_cpu_ms_per_msg"] == 0.25
    assert figures["raw_relay_machine_cpu_ms_per_msg"] == 0.3
    assert figures["raw_relay_broker_cpu_ms_per_msg"] is None
    assert figures["paced_relay_msgs_per_s"] == 500.0
    assert figures["paced_relay_broker_cpu_ms_per_msg"] == 0.4
    assert figures["paced_relay_client_cpu_ms_per_msg"] == 0.5
    # the load the latencies were taken under: 0.5 s busy of 2 cores x 1 s, for 10 dossiers
    assert figures["latency_machine_busy_pct"] == 25.0
    assert figures["latency_machine_cpu_ms_per_lifecycle"] == 50.0
    assert figures["latency_broker_cpu_ms_per_lifecycle"] == 10.0
    assert figures["latency_database_cpu_ms_per_lifecycle"] == 8.0
    assert figures["latency_bench_process_cpu_ms_per_lifecycle"] == 2.0
    assert figures["latency_cpu_ms_per_lifecycle"] == 12.0  # the worker's 0.12 s
    table = console.export_text()
    assert "Machine busy % of all cores (latency run)" in table
    assert "of which RabbitMQ (when local)" in table
    assert "n/a" in table.split("of which RabbitMQ (when local)")[1].splitlines()[0]


def _result(runs: list[PhaseResult]) -> BenchResult:
    return BenchResult(
        latency=_phase(1),
        throughput={1: median_run(runs), 2: _phase(2, seconds=4.0)},
        hops=HopResult(messages=300, hops=250, seconds=0.5, cpu_seconds=0.2, mean_bytes=900),
        relay=RelayResult(1000, 1.0, client_cpu_seconds=0.25),
        rate=50.0,
        main_runs=tuple(runs),
    )


def test_the_headline_is_the_median_one_worker_run_and_every_run_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given three one-worker runs at 5, 2.5 and 4 lifecycles/s (10 dossiers each)
    runs = [
        _phase(1, seconds=2.0, cpu_seconds=0.1),
        _phase(1, seconds=4.0, cpu_seconds=0.3, peak_rss_mb=95.0),
        _phase(1, seconds=2.5, cpu_seconds=0.2, not_accepted=1),
    ]
    console = Console(record=True, width=120)

    print_report(_result(runs), console, as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # the headline and every figure of the one-worker throughput run come from the median run
    assert figures["lifecycles_per_s"] == 4.0
    assert figures["workers_1_lifecycles_per_s"] == 4.0
    assert figures["cpu_ms_per_lifecycle"] == 20.0  # the median run's 0.2 s for 10
    assert figures["throughput_runs"] == 3
    assert figures["lifecycles_per_s_runs"] == [5.0, 2.5, 4.0]  # in the order run
    assert (figures["lifecycles_per_s_min"], figures["lifecycles_per_s_max"]) == (2.5, 5.0)
    # what any run saw counts: the highest RSS and every message not accepted
    assert figures["peak_rss_mb"] == 95.0
    assert figures["not_accepted"] == 1
    assert figures["ok"] is True
    assert "5.0 / 2.5 / 4.0" in console.export_text()


def test_a_one_worker_run_that_left_dossiers_open_fails_the_bench_even_if_not_the_median(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runs = [_phase(1, seconds=2.0), _phase(1, seconds=2.5), _phase(1, seconds=9.0, final=7)]

    result = _result(runs)

    assert median_run(runs) is runs[1]
    assert not result.complete
    assert not result.ok


def test_the_median_of_an_even_number_of_runs_is_the_slower_middle_one() -> None:
    runs = [_phase(1, seconds=s) for s in (2.0, 4.0, 2.5, 3.0)]

    assert median_run(runs) is runs[3]  # 3.33 lifecycles/s, below 4.0
    assert median_run(runs[:1]) is runs[0]
    with pytest.raises(ValueError, match="no throughput run"):
        median_run([])


def test_the_services_scheduling_policy_is_reported_with_a_note_when_it_is_the_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runs = [_phase(1)]
    result = replace(_result(runs), service_policies={"broker": "other", "database": None})
    console = Console(record=True, width=200)

    print_report(result, console, as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["broker_sched_policy"] == "other"
    assert figures["database_sched_policy"] is None  # not on this machine
    text = console.export_text()
    assert "RabbitMQ runs with the default scheduling policy" in text
    assert "make sched-batch" in text


def test_no_note_when_the_services_batch_their_wake_ups(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = replace(
        _result([_phase(1)]), service_policies={"broker": "batch", "database": "batch"}
    )
    console = Console(record=True, width=200)

    print_report(result, console, as_json=True)

    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["broker_sched_policy"] == (
        "batch"
    )
    assert "default scheduling policy" not in console.export_text()


def _pair(
    hops_per_s: float,
    relay_msgs_per_s: float,
    *,
    hops: int = 300,
    durable_msgs_per_s: float | None = None,
    durable_messages: int = 300,
) -> HopPair:
    """A hop run of 300 receptions and the relay run after it, at the given rates (and the
    durable relay run after that, with a rate)."""
    durable = (
        None
        if durable_msgs_per_s is None
        else RelayResult(durable_messages, 300 / durable_msgs_per_s, client_cpu_seconds=0.15)
    )
    return HopPair(
        HopResult(
            messages=300, hops=hops, seconds=300 / hops_per_s, cpu_seconds=0.3, mean_bytes=900
        ),
        RelayResult(300, 300 / relay_msgs_per_s, client_cpu_seconds=0.1),
        durable,
    )


def _paired(pairs: list[HopPair]) -> BenchResult:
    chosen = median_pair(pairs)
    return replace(
        _result([_phase(1)]),
        hops=chosen.hops,
        relay=chosen.relay,
        durable_relay=chosen.durable,
        hop_pairs=tuple(pairs),
    )


def test_the_per_hop_figures_come_from_the_pair_with_the_median_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given three hop runs, each with its relay run: ratios 0.5, 0.3 and 0.2
    pairs = [_pair(500.0, 1000.0), _pair(300.0, 1000.0), _pair(400.0, 2000.0)]
    console = Console(record=True, width=120)

    print_report(_paired(pairs), console, as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # the headline ratio and every per-hop and relay figure are the median pair's
    assert figures["ratio_to_raw_relay"] == 0.3
    assert figures["hub_per_hop_msgs_per_s"] == 300.0
    assert figures["raw_relay_msgs_per_s"] == 1000.0
    assert figures["hop_cpu_ms"] == 1.0  # its 0.3 s for 300 hops
    # and every pair is reported, in the order run
    assert figures["hop_runs"] == 3
    assert figures["ratio_to_raw_relay_runs"] == [0.5, 0.3, 0.2]
    assert (figures["ratio_to_raw_relay_min"], figures["ratio_to_raw_relay_max"]) == (0.2, 0.5)
    assert figures["hub_per_hop_msgs_per_s_runs"] == [500.0, 300.0, 400.0]
    assert figures["raw_relay_msgs_per_s_runs"] == [1000.0, 1000.0, 2000.0]
    assert figures["ok"] is True
    assert "0.5 / 0.3 / 0.2" in console.export_text()


def test_the_durable_relay_figures_come_from_the_median_pair_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given three hop runs with their raw and durable relays: raw ratios 0.5, 0.3 and 0.2
    pairs = [
        _pair(500.0, 1000.0, durable_msgs_per_s=800.0),
        _pair(300.0, 1000.0, durable_msgs_per_s=600.0),
        _pair(400.0, 2000.0, durable_msgs_per_s=1600.0),
    ]
    console = Console(record=True, width=120)

    print_report(_paired(pairs), console, as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # the durable relay of the median pair (raw ratio 0.3) is the second baseline
    assert figures["durable_relay_msgs_per_s"] == 600.0
    assert figures["ratio_to_durable_relay"] == 0.5  # 300 hops/s ÷ 600 msgs/s
    assert figures["durable_relay_client_cpu_ms_per_msg"] == 0.5  # 0.15 s for 300
    assert figures["durable_relay_msgs_per_s_runs"] == [800.0, 600.0, 1600.0]
    assert figures["ok"] is True
    table = console.export_text()
    assert "Per-hop ÷ durable relay (median pair)" in table
    assert "800.0 / 600.0 / 1600.0" in table


def test_a_durable_relay_that_moved_nothing_fails_the_bench() -> None:
    pairs = [_pair(300.0, 1000.0, durable_msgs_per_s=600.0, durable_messages=0)]

    assert not _paired(pairs).ok
    assert _paired([_pair(300.0, 1000.0, durable_msgs_per_s=600.0)]).ok


def test_no_durable_relay_figures_when_it_did_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    print_report(_paired([_pair(300.0, 1000.0)]), Console(record=True), as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "ratio_to_durable_relay" not in figures
    assert "durable_relay_msgs_per_s" not in figures


def test_the_median_of_an_even_number_of_pairs_is_the_lower_middle_ratio() -> None:
    pairs = [_pair(r, 1000.0) for r in (500.0, 200.0, 400.0, 300.0)]

    assert median_pair(pairs) is pairs[3]  # 0.3, below 0.4
    assert median_pair(pairs[:1]) is pairs[0]
    with pytest.raises(ValueError, match="no hop run"):
        median_pair([])


def test_a_hop_run_that_relayed_nothing_fails_the_bench_even_if_not_the_median() -> None:
    pairs = [_pair(300.0, 1000.0), _pair(400.0, 1000.0), _pair(500.0, 1000.0, hops=0)]
    # (a run with no hops has no rate: its ratio is 0, the lowest, and the median is 0.3)
    assert median_pair(pairs) is pairs[0]

    assert not _paired(pairs).ok
    assert _paired(pairs[:2]).ok


def test_a_result_without_pairs_reports_its_one_hop_run_and_relay(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_report(_result([_phase(1)]), Console(record=True, width=120), as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["hop_runs"] == 1
    assert figures["ratio_to_raw_relay_runs"] == [figures["ratio_to_raw_relay"]] == [0.5]


def test_the_workers_loop_stalls_of_the_latency_and_throughput_runs_are_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = replace(
        _result([replace(_phase(1), loop_stalls=Stalls(count=0, longest_ms=0))]),
        latency=replace(_phase(1), loop_stalls=Stalls(count=3, longest_ms=140)),
    )
    console = Console(record=True, width=120)

    print_report(result, console, as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (
        figures["latency_worker_loop_stalls"],
        figures["latency_worker_loop_stall_longest_ms"],
    ) == (3, 140)
    assert (figures["worker_loop_stalls"], figures["worker_loop_stall_longest_ms"]) == (0, 0)
    assert "Worker event-loop stalls ≥ 50 ms (latency run)" in console.export_text()


def test_no_stall_figures_when_the_logs_were_not_read(capsys: pytest.CaptureFixture[str]) -> None:
    print_report(_result([_phase(1)]), Console(record=True, width=120), as_json=True)

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "worker_loop_stalls" not in figures
    assert "latency_worker_loop_stalls" not in figures
