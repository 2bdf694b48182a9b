"""The event loop ``hub run`` runs on (``HUB_EVENT_LOOP``)."""

from __future__ import annotations

import asyncio
import builtins
from typing import Any

import pytest
import uvloop

from hub.settings import Settings
from hub.startup import new_event_loop


def test_the_worker_runs_on_uvloop_by_default() -> None:
    loop = new_event_loop(Settings().event_loop)
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_asyncio_s_own_loop_can_be_chosen() -> None:
    loop = new_event_loop(Settings(event_loop="asyncio").event_loop)
    try:
        assert not isinstance(loop, uvloop.Loop)
        assert isinstance(loop, asyncio.AbstractEventLoop)
    finally:
        loop.close()


def test_without_uvloop_installed_the_worker_falls_back_to_asyncio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_uvloop(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvloop":
            raise ImportError("no uvloop here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    loop = new_event_loop("uvloop")
    try:
        assert not isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_an_unknown_loop_is_refused_by_the_settings() -> None:
    with pytest.raises(ValueError, match="event_loop"):
        Settings(event_loop="tokio")  # type: ignore[arg-type]
