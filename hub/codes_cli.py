"""``hub dossier-code``: issue a dossier code by hand (Circular 01/2018), e.g. for a counter
whose own software is down. Registered on the ``hub`` app in ``hub/cli.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer


def dossier_code(
    unit: Annotated[str, typer.Option(help="Receiving unit's registry code, e.g. 19744.")],
    at: Annotated[
        str | None,
        typer.Option(help="Reception time, ISO 8601 (default now); without an offset: Vietnam."),
    ] = None,
) -> None:
    """Issue a new dossier code <agency code>-<YYMMDD>-<NNNN> (Circular 01/2018) and print it."""
    from hub.errors import UnknownUnit
    from hub.registry import load_registry

    try:
        moment = _moment(at)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date-time: {at!r}", param_hint="--at") from None
    try:
        agency_code = load_registry().unit(unit).agency_code
    except UnknownUnit as exc:
        raise typer.BadParameter(str(exc), param_hint="--unit") from None
    typer.echo(_issue(agency_code, moment))


def _moment(at: str | None) -> datetime:
    from hub.clock import SystemClock
    from schemas import VIETNAM

    if at is None:
        return SystemClock().now()
    moment = datetime.fromisoformat(at)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)


def _issue(agency_code: str, moment: datetime) -> str:
    from hub.cli_support import run_on_database
    from hub.store.codes import issue_dossier_code

    return run_on_database(
        lambda conn: issue_dossier_code(conn, agency_code=agency_code, received_at=moment),
        database="hub",
    )
