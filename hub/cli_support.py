"""What the ``hub`` sub-commands share: settings with logging configured, and running one
piece of work on a database connection with errors turned into exit code 1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from hub.settings import Settings

T = TypeVar("T")


def cli_settings() -> Settings:
    from hub.logging import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    return settings


def run_or_exit(main: Callable[[], T]) -> T:
    """``main()``; a run that cannot go on (:class:`hub.errors.RunStopped`: a worker
    exited, a precondition failed) or a phase that timed out exits 1 with a one-line
    reason instead of a traceback."""
    from hub.errors import RunStopped

    try:
        return main()
    except (RunStopped, TimeoutError) as exc:
        typer.echo(f"error: {str(exc) or type(exc).__name__}", err=True)
        raise typer.Exit(1) from None


def run_on_database(work: Callable[..., Awaitable[T]], *, database: str) -> T:
    """``work(conn)`` on one connection to the configured database. A HubError, or tables
    that are not there yet (``database`` names which), exit 1 with a one-line reason."""
    import asyncpg

    from hub.errors import HubError

    async def main() -> T:
        conn = await asyncpg.connect(cli_settings().database_url.get_secret_value())
        try:
            return await work(conn)
        finally:
            await conn.close()

    try:
        return asyncio.run(main())
    except HubError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except asyncpg.UndefinedTableError:
        typer.echo(f"error: the {database} database is not set up; run `hub migrate`", err=True)
        raise typer.Exit(1) from None
