"""``hub overdue scan``: run the deadline scan once, at an explicit time if given."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer

from hub.settings import Settings

app = typer.Typer(
    name="overdue",
    help="Deadline warnings: due in one working day, and past due.",
    no_args_is_help=True,
)


def parse_now(text: str | None) -> datetime | None:
    """ISO 8601; without an offset it is Vietnam time."""
    from schemas import VIETNAM

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date-time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)


async def scan_once(settings: Settings, now: datetime | None) -> dict[str, int]:
    """One scan with its own database pool and confirming publisher."""
    from datetime import timedelta

    import aio_pika
    import asyncpg

    from hub.amqp import ConfirmingPublisher
    from hub.clock import SystemClock
    from hub.overdue_runner import OverdueScanner
    from hub.registry import load_registry
    from hub.relay import OutboxRelay

    pool = await asyncpg.create_pool(settings.database_url.get_secret_value(), min_size=1)
    connection = await aio_pika.connect_robust(settings.amqp_url.get_secret_value())
    try:
        relay = OutboxRelay(pool=pool, publisher=await ConfirmingPublisher.open(connection))
        scanner = OverdueScanner(
            pool=pool,
            registry=load_registry(),
            clock=SystemClock(),
            relay=relay,
            lookback=timedelta(days=settings.overdue_lookback_days),
        )
        counts = await scanner.scan_once(now)
    finally:
        await connection.close()
        await pool.close()
    return {"due_soon": counts["due_soon"], "overdue": counts["overdue"]}


@app.command()
def scan(
    now: Annotated[
        str | None,
        typer.Option(help="Scan as if it were this time (ISO 8601); default: the clock."),
    ] = None,
) -> None:
    """Warn about dossiers due within one working day, flag those past due; print counts."""
    from hub.cli_support import cli_settings

    counts = asyncio.run(scan_once(cli_settings(), parse_now(now)))
    typer.echo(f"due soon: {counts['due_soon']}, overdue: {counts['overdue']}")
