"""When a dossier reaches the unit that decides it (Decree 61/2018 Art.18(1)). Pure.

A dossier received at the counter (channel 1) is paper: it goes to the deciding unit the
same day if received by 15:00, otherwise at the opening of the next working day. Online
(2) and postal (3) dossiers go at once: Art.18(1)(b) names dossiers received directly.
The deciding unit's deadline counts from the hand-off.
"""

from __future__ import annotations

from datetime import datetime

from hub.deadlines import due_at, handoff_at
from hub.registry.model import Processing
from schemas import Channel, Dossier


def is_paper(channel: Channel) -> bool:
    """Dossiers received at the counter travel on paper to the deciding unit."""
    return channel is Channel.IN_PERSON


def handed_over_at(dossier: Dossier) -> datetime:
    """When the receiving unit hands ``dossier`` to another unit that decides it."""
    return handoff_at(dossier.received_at, paper=is_paper(dossier.channel))


def due_for(processing: Processing, dossier: Dossier, *, transferred: bool) -> datetime:
    """The deciding unit's due date: from the hand-off when another unit decides, from the
    reception when the receiving unit decides itself."""
    start = handed_over_at(dossier) if transferred else dossier.received_at
    return due_at(processing, start)
