"""``hub run``: start the service, waiting out a broker or database that is restarting.

Once running, the connections reconnect by themselves; this only covers start-up, when a
worker (re)started by its supervisor meets a RabbitMQ or PostgreSQL that is not up yet.
Wrong credentials or configuration fail at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiormq.exceptions
import asyncpg
import structlog

from hub.settings import EventLoop, Settings

log = structlog.get_logger(__name__)

UNAVAILABLE: tuple[type[BaseException], ...] = (
    aiormq.exceptions.AMQPConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.PostgresConnectionError,
    ConnectionError,
    TimeoutError,
    OSError,
)
NOT_RETRIED: tuple[type[BaseException], ...] = (
    aiormq.exceptions.ProbableAuthenticationError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,
)
RETRY_EVERY_S = 2.0
T = TypeVar("T")


def new_event_loop(kind: EventLoop) -> asyncio.AbstractEventLoop:
    """The worker's event loop: uvloop (libuv, in C) where it is installed, else asyncio's
    own. uvloop's loop and transports cost the worker a fraction of the CPU of asyncio's
    (see docs/performance-history.md)."""
    if kind == "uvloop":
        try:
            import uvloop
        except ImportError:  # not available on this platform (Windows)
            log.warning("uvloop_unavailable", using="asyncio")
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_on_loop(main: Coroutine[Any, Any, T], kind: EventLoop) -> T:
    """``asyncio.run(main)`` on the event loop ``kind`` (see :func:`new_event_loop`)."""
    with asyncio.Runner(loop_factory=lambda: new_event_loop(kind)) as runner:
        return runner.run(main)


def run_until_stopped(settings: Settings) -> None:
    from hub.app import create_app

    deadline = time.monotonic() + settings.startup_wait_s
    while True:
        try:
            run_on_loop(create_app(settings).run(), settings.event_loop)
            return
        except NOT_RETRIED:
            raise
        except UNAVAILABLE as exc:
            if time.monotonic() + RETRY_EVERY_S > deadline:
                raise
            log.warning(
                "services_unavailable_at_start",
                error=type(exc).__name__,
                retry_in_s=RETRY_EVERY_S,
            )
            time.sleep(RETRY_EVERY_S)
