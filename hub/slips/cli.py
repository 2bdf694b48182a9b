"""``hub slip``: print a dossier's slip or a unit's register as printable HTML.

``hub slip --dossier CODE --kind receipt|supplement|refusal|apology|control [--out FILE]``
``hub slip register --unit CODE --period 2024Q2 [--out FILE]``
Exit code 1 when the dossier or unit is unknown or the slip does not apply to the dossier.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer

from hub.slips.kinds import SlipKind

app = typer.Typer(
    name="slip",
    help="Printable Vietnamese slips (HTML) from the provincial database: "
    "`hub slip --dossier CODE --kind KIND` for one dossier's slip, "
    "`hub slip register --unit CODE --period 2024Q2` for a unit's dossier register.",
    no_args_is_help=True,
)
OutOption = Annotated[
    Path | None, typer.Option("--out", help="HTML file to write; stdout when omitted.")
]


def _render(work: Callable[..., Awaitable[str]]) -> str:
    """Run ``work(conn, now=...)`` on one connection; HubErrors become exit code 1."""
    from hub.cli_support import run_on_database
    from hub.clock import SystemClock

    now = SystemClock().now()
    return run_on_database(lambda conn: work(conn, now=now), database="provincial")


def _write(page: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(page)
        return
    out.write_text(page, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


@app.callback(invoke_without_command=True)
def dossier_slip(
    ctx: typer.Context,
    dossier: Annotated[str | None, typer.Option(help="Dossier code.")] = None,
    kind: Annotated[SlipKind | None, typer.Option(help="Which slip.")] = None,
    out: OutOption = None,
) -> None:
    """One dossier's slip: receipt, supplement, refusal, apology or control."""
    if ctx.invoked_subcommand is not None:
        if dossier or kind or out:
            raise typer.BadParameter("--dossier, --kind and --out are for a dossier slip only")
        return
    if dossier is None or kind is None:
        raise typer.BadParameter("give both --dossier and --kind (or use `hub slip register`)")
    from hub.slips.issue import dossier_slip_html

    _write(_render(lambda conn, now: dossier_slip_html(conn, dossier, kind, now=now)), out)


@app.command()
def register(
    unit: Annotated[str, typer.Option(help="Unit code, e.g. 19744 or 474-PAC.")],
    period: Annotated[str, typer.Option(help="2024, 2024H1, 2024Q2 or 2024-05.")],
    out: OutOption = None,
) -> None:
    """Sổ theo dõi hồ sơ: the dossiers a unit received or was handed over in a period."""
    from adapters.provincial_db.statistics import Period
    from hub.slips.issue import register_html

    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None
    _write(_render(lambda conn, now: register_html(conn, unit, parsed, now=now)), out)
