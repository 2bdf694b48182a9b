"""``hub dlq``: list, inspect, replay and purge stored dead letters.

Lists never show bodies (they hold personal data); ``show --body`` does, on request.
"""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import typer

from hub.settings import Settings

app = typer.Typer(
    name="dlq",
    help="The dead-letter store: parked messages kept in PostgreSQL.",
    no_args_is_help=True,
)
T = TypeVar("T")

ReasonOption = Annotated[str | None, typer.Option("--reason", help="Only this reason code.")]
QueueOption = Annotated[str | None, typer.Option("--queue", help="Only this source queue.")]
ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who acts, for the audit trail (default: OS user).")
]


def _settings() -> Settings:
    from hub.cli_support import cli_settings

    return cli_settings()


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(conn)`` on one database connection (a HubError exits 1 with its reason)."""
    from hub.cli_support import run_on_database

    return run_on_database(work, database="hub")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command("list")
def list_(
    reason: ReasonOption = None,
    queue: QueueOption = None,
    status: Annotated[
        str, typer.Option(help="parked, replayed, purged or all.", case_sensitive=False)
    ] = "parked",
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List dead letters (newest first), without their bodies."""
    from hub.dlq import render, store

    if status != "all" and status not in store.STATUSES:
        raise typer.BadParameter("must be parked, replayed, purged or all", param_hint="--status")
    rows = _run(
        lambda conn: store.list_summaries(
            conn,
            reason_code=reason,
            source_queue=queue,
            status=None if status == "all" else status,  # type: ignore[arg-type]
            limit=limit,
        )
    )
    if as_json:
        typer.echo(json.dumps([render.summary(row) for row in rows], ensure_ascii=False))
    else:
        render.print_table(rows)


@app.command()
def show(
    dead_letter_id: Annotated[int, typer.Argument(metavar="ID")],
    body: Annotated[bool, typer.Option("--body", help="Also print the body.")] = False,
) -> None:
    """Show one dead letter: metadata, reason, headers, audit trail (body only with --body)."""
    from hub.dlq import render, store

    async def fetch(conn: Any) -> tuple[Any, list[Any]]:
        return await store.get(conn, dead_letter_id), await store.audit_trail(conn, dead_letter_id)

    row, trail = _run(fetch)
    if row is None:
        raise _fail(f"no dead letter with id {dead_letter_id}")
    typer.echo(render.details(row, trail, with_body=body))


@app.command()
def replay(
    dead_letter_id: Annotated[int | None, typer.Argument(metavar="[ID]")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every parked one (see filters).")] = False,
    reason: ReasonOption = None,
    queue: QueueOption = None,
    actor: ActorOption = None,
    force: Annotated[bool, typer.Option(help="Replay even if already replayed.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Say what would be replayed; do nothing.")] = False,
) -> None:
    """Republish dead letters to where they were parked from, with publisher confirms."""
    if (dead_letter_id is None) == (not all_):
        raise typer.BadParameter("give either an ID or --all")
    if dead_letter_id is not None and (reason or queue):
        raise typer.BadParameter("--reason and --queue only go with --all")
    who = actor or getpass.getuser()
    failed = asyncio.run(
        _replay(_settings(), dead_letter_id, who, reason, queue, force=force, dry_run=dry_run)
    )
    if failed:
        raise typer.Exit(1)


async def _replay(
    settings: Settings,
    dead_letter_id: int | None,
    actor: str,
    reason: str | None,
    queue: str | None,
    *,
    force: bool,
    dry_run: bool,
) -> int:
    """Replay one or many; return how many could not be replayed."""
    from hub.dlq import operations, store

    async with _connections(settings, dry_run=dry_run) as (conn, publisher):
        if dead_letter_id is not None:
            ids = [dead_letter_id]
        else:
            ids = await store.replayable_ids(
                conn, reason_code=reason, source_queue=queue, include_replayed=force
            )
            typer.echo(f"{len(ids)} dead letter(s) to replay", err=True)
        failed = 0
        for index, one in enumerate(ids, start=1):
            try:
                done = await operations.replay(
                    conn, publisher, one, actor=actor, force=force, dry_run=dry_run
                )
            except Exception as exc:
                failed += 1
                typer.echo(f"[{index}/{len(ids)}] #{one} not replayed: {exc}", err=True)
                continue
            verb = "would replay" if dry_run else "replayed"
            typer.echo(f"[{index}/{len(ids)}] {verb} #{one} to {done.target.describe()}", err=True)
        if dead_letter_id is None:
            summary = "would replay" if dry_run else "replayed"
            typer.echo(f"{summary} {len(ids) - failed} of {len(ids)}, {failed} failed", err=True)
        return failed


@asynccontextmanager
async def _connections(settings: Settings, *, dry_run: bool) -> AsyncIterator[tuple[Any, Any]]:
    import aio_pika
    import asyncpg

    from hub.amqp import ConfirmingPublisher

    conn = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        if dry_run:
            yield conn, None
            return
        connection = await aio_pika.connect_robust(
            settings.amqp_url.get_secret_value(), timeout=30, fail_fast=True
        )
        try:
            publisher = await ConfirmingPublisher.open(connection)
            yield conn, publisher
        finally:
            await connection.close()
    finally:
        await conn.close()


@app.command()
def purge(
    dead_letter_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: ActorOption = None,
    detail: Annotated[str, typer.Option(help="Why, for the audit trail.")] = "",
) -> None:
    """Mark a dead letter as truly bad (the row is kept), with an audit record."""
    from hub.dlq import operations

    who = actor or getpass.getuser()
    _run(lambda conn: operations.purge(conn, dead_letter_id, actor=who, detail=detail))
    typer.echo(f"purged #{dead_letter_id}", err=True)
