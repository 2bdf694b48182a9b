"""The dead-letter store: parked messages kept in PostgreSQL, listed, replayed or purged."""

from __future__ import annotations
