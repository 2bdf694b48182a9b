"""``hub``: the one entry point (service, migrations, topology, demo, schemas)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.settings import Settings

app = typer.Typer(help="Dossier integration hub.", no_args_is_help=True, add_completion=False)


def _settings() -> Settings:
    from hub.cli_support import cli_settings

    return cli_settings()


@app.command()
def run() -> None:
    """Run the hub service (consumers, outbox relay, postal tracker) until SIGTERM/SIGINT."""
    from hub.startup import run_until_stopped

    run_until_stopped(_settings())


@app.command()
def check() -> None:
    """Check that RabbitMQ and PostgreSQL are reachable; explain how to start them if not."""
    from hub.preflight import check_services

    problems = asyncio.run(check_services(_settings()))
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo("RabbitMQ and PostgreSQL are reachable.")


@app.command("due-date")
def due_date(
    procedure: Annotated[str, typer.Option(help="Procedure code, e.g. 1.001193.")],
    received: Annotated[
        str, typer.Option(help="Reception time, ISO 8601; without an offset it is Vietnam time.")
    ],
) -> None:
    """Print when a dossier is due (ISO 8601, +07:00), so an official can check by hand."""
    from datetime import datetime

    from hub.deadlines import due_at, rules_for
    from hub.errors import UnknownProcedure
    from hub.registry import load_registry
    from schemas import VIETNAM

    try:
        moment = datetime.fromisoformat(received)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date-time: {received!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    try:
        found = load_registry().procedure(procedure)
    except UnknownProcedure as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(due_at(found.processing, moment).isoformat())
    typer.echo(f"{found.name}; rules {rules_for(moment).name}", err=True)


@app.command()
def report(
    period: Annotated[str, typer.Option(help="2024, 2024H1, 2024Q2 or 2024-05.")],
    unit: Annotated[
        str | None, typer.Option(help="A unit code, or a district code for all its units.")
    ] = None,
    by: Annotated[str, typer.Option(help="Group rows by unit, district or field.")] = "unit",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """Statistics from the provincial database, as the inspection reports quote them."""
    from hub.reporting import print_statistics

    if by not in ("unit", "district", "field"):
        raise typer.BadParameter("--by is unit, district or field")
    try:
        asyncio.run(print_statistics(_settings(), period=period, unit=unit, by=by, as_json=as_json))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def migrate() -> None:
    """Apply pending database migrations (hub state and provincial registry), then sync the
    unit registry and procedure catalog into the provincial database."""
    from hub.bootstrap import migrate_database

    applied = asyncio.run(migrate_database(_settings()))
    typer.echo(f"applied {len(applied)} migration(s)" + "".join(f"\n  {m}" for m in applied))


@app.command()
def topology(
    vhost: Annotated[str, typer.Option(help="Virtual host the definitions are for.")] = "/",
    users: Annotated[bool, typer.Option(help="Include per-unit users and permissions.")] = True,
    apply: Annotated[
        bool, typer.Option(help="Declare it on the configured broker instead.")
    ] = False,
) -> None:
    """Print the broker definitions JSON generated from the topology and the registry."""
    from hub.definitions import render_definitions
    from hub.registry import load_registry
    from hub.topology import build_topology

    settings = _settings()
    registry = load_registry()
    topo = build_topology(registry.peers())
    if apply:
        from hub.broker_setup import apply_topology

        asyncio.run(apply_topology(settings.amqp_url.get_secret_value(), topo))
        typer.echo(f"declared {len(topo.exchanges)} exchanges, {len(topo.queues)} queues", err=True)
        return
    definitions = render_definitions(
        topo,
        list(registry.peers()),
        vhost=vhost,
        secret=settings.peer_secret.get_secret_value(),
        hub_password=settings.broker_password.get_secret_value(),
        with_users=users,
    )
    json.dump(definitions, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


@app.command()
def schemas(
    out: Annotated[Path, typer.Option(help="Directory for the JSON Schema files.")] = Path(
        "schemas/json"
    ),
) -> None:
    """Export a JSON Schema for every canonical message and native peer message."""
    from adapters.wire_catalog import NATIVE_MESSAGES
    from schemas.export import export_json_schemas

    written = export_json_schemas(out, extra=NATIVE_MESSAGES)
    typer.echo(f"wrote {len(written)} schema(s) to {out}")


@app.command()
def asyncapi(
    out: Annotated[Path | None, typer.Option(help="File to write; stdout when omitted.")] = None,
) -> None:
    """Print the AsyncAPI document generated from the application's subscribers."""
    from hub.asyncapi import asyncapi_json

    text = asyncapi_json(Settings())
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


@app.command()
def demo(
    dossiers: Annotated[int, typer.Option(min=1, help="How many dossiers to drive.")] = 300,
    workers: Annotated[int, typer.Option(min=1, help="Hub worker processes.")] = 1,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for final states.")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Also print one JSON line.")] = False,
) -> None:
    """Start the simulators and the hub, drive dossiers through, print a summary.

    Exits 0 only when every dossier reached a final state with a complete timeline."""
    from rich.console import Console

    from hub.cli_support import run_or_exit
    from hub.demo.report import print_report
    from hub.demo.runner import run_demo

    settings = _settings()
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)
    result = run_or_exit(
        lambda: asyncio.run(
            run_demo(
                settings, dossiers=dossiers, workers=workers, timeout_s=timeout, console=console
            )
        )
    )
    print_report(result, console, as_json=as_json)
    raise typer.Exit(0 if result.ok else 1)


from hub.dlq.cli import app as dlq_app  # noqa: E402  (sub-command group, no I/O at import)

app.add_typer(dlq_app, name="dlq")

from hub.slips.cli import app as slip_app  # noqa: E402  (sub-command group, no I/O at import)

app.add_typer(slip_app, name="slip")

from hub.codes_cli import dossier_code  # noqa: E402  (no I/O at import)

app.command("dossier-code")(dossier_code)


from hub.overdue_cli import app as overdue_app  # noqa: E402  (sub-command group, no I/O)

app.add_typer(overdue_app, name="overdue")


@app.command()
def bench(
    dossiers: Annotated[
        int | None, typer.Option(min=1, help="Dossiers per throughput run (1000; quick 100).")
    ] = None,
    rate: Annotated[
        float, typer.Option(min=1.0, help="Offered lifecycles/s in the latency run.")
    ] = 50.0,
    runs: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=9,
            help=(
                "One-worker throughput runs, and hop runs each with its raw and durable "
                "relay runs; the median of each is reported (3; quick 1)."
            ),
        ),
    ] = None,
    quick: Annotated[bool, typer.Option(help="A reduced run, under a minute.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Also print one JSON line.")] = False,
) -> None:
    """Measure throughput, latency and cost of the hub against a raw aio-pika relay.

    And against a durable relay: the same, with one committed INSERT per message.

    Uses its own database (hub_bench) on the configured PostgreSQL server."""
    from rich.console import Console

    from hub.bench.report import print_report
    from hub.bench.runner import BenchConfig, run_bench
    from hub.cli_support import run_or_exit
    from hub.startup import run_on_loop

    settings = _settings()
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)
    if quick:
        config = BenchConfig.quick(dossiers=dossiers, rate=rate)
    else:
        config = BenchConfig(dossiers=dossiers or 1000, rate=rate, latency_dossiers=int(rate * 20))
    if runs is not None:
        config = dataclasses.replace(config, throughput_runs=runs, hop_runs=runs)
    # The bench process (simulators, raw relay baseline) runs on the workers' event loop,
    # so that the baseline is the same client on the same loop as the hub.
    result = run_or_exit(
        lambda: run_on_loop(run_bench(settings, config, console), settings.event_loop)
    )
    print_report(result, console, as_json=as_json)
    raise typer.Exit(0 if result.ok else 1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
