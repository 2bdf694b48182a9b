"""Run the VNPost-shaped postal simulator embedded (tests) or standalone (``main``).

The wire contract, endpoints and status codes are documented in :mod:`simulators.postal`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

import structlog
from aiohttp import web

from simulators.postal.app import build_app
from simulators.postal.config import PostalSimConfig
from simulators.postal.handlers import SIM
from simulators.postal.sim import PostalSim

__all__ = ["PostalSimConfig", "RunningServer", "build_app", "main", "start_postal_server"]


@dataclass(frozen=True)
class RunningServer:
    url: str
    sim: PostalSim
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_postal_server(
    config: PostalSimConfig, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Start serving; with ``port=0`` the OS picks a free port, reported in ``.url``."""
    app = build_app(config)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_host, bound_port = runner.addresses[0][:2]
    return RunningServer(url=f"http://{bound_host}:{bound_port}", sim=app[SIM], runner=runner)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="VNPost-shaped postal API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--client-id", default="hub")
    parser.add_argument("--client-secret", default="hub-secret")
    parser.add_argument("--time-scale", type=float, default=0.01)
    parser.add_argument("--unavailable-rate", type=float, default=0.0)
    parser.add_argument("--delivery-failure-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = PostalSimConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        time_scale=args.time_scale,
        unavailable_rate=args.unavailable_rate,
        delivery_failure_rate=args.delivery_failure_rate,
        seed=args.seed,
    )
    asyncio.run(_serve(config, args.host, args.port))


async def _serve(config: PostalSimConfig, host: str, port: int) -> None:
    server = await start_postal_server(config, host, port)
    structlog.get_logger(__name__).info("postal_simulator_started", url=server.url)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


if __name__ == "__main__":
    main()
