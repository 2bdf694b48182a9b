"""The demo's summary: a table for people, one JSON object for machines."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from hub.demo.runner import DemoResult

ROWS = (
    ("dossiers", "Dossiers driven"),
    ("communes", "Communes (receiving units)"),
    ("districts", "Districts"),
    ("received", "Received (in the provincial database)"),
    ("transferred", "Transferred to a deciding agency"),
    ("resolved", "Resolved"),
    ("on_time", "  on time"),
    ("late", "  late"),
    ("refused", "Refused (not accepted), with the reason"),
    ("supplements", "Supplement requested (all items in one go)"),
    ("resubmissions", "  resubmitted, deadline restarted"),
    ("withdrawals", "Withdrawn by the citizen"),
    ("due_soon_warnings", "Warned one working day before due"),
    ("overdue_flagged", "Flagged past due"),
    ("apologies", "Apology with a new date (once)"),
    ("fees_paid", "Fees recorded with an e-receipt"),
    ("ratings", "Satisfaction ratings"),
    ("linked_groups", "Linked procedure groups (one dossier, several agencies)"),
    ("linked_groups_complete", "  complete, every part resolved"),
    ("linked_groups_with_refusal", "  with a refused part, reported with the others"),
    ("linked_parts", "Linked group parts"),
    ("linked_parts_resolved", "  resolved"),
    ("linked_parts_refused", "  refused"),
    ("returned_in_person", "Returned in person"),
    ("returned_by_post", "Returned by post"),
    ("final", "Final state reached"),
    ("open", "Still open"),
    ("timelines_incomplete", "Timelines incomplete or out of order"),
    ("not_accepted", "Messages not accepted"),
)


def print_report(result: DemoResult, console: Console, *, as_json: bool) -> None:
    table = Table(title="Demo summary", show_header=True)
    table.add_column("measure")
    table.add_column("count", justify="right")
    data = result.as_dict()
    for key, label in ROWS:
        table.add_row(label, str(data[key]))
    console.print(table)
    verdict = (
        "[green]every dossier reached a final state[/]"
        if result.ok
        else ("[red]not every dossier reached a final state with a complete timeline[/]")
    )
    console.print(f"{verdict} in {result.seconds}s")
    if as_json:
        print(json.dumps(data), flush=True)
