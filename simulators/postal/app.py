"""The aiohttp application: routes plus the fault and bearer-token middlewares."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from simulators.postal import handlers
from simulators.postal.config import PostalSimConfig
from simulators.postal.handlers import SIM, error
from simulators.postal.sim import PostalSim


@web.middleware
async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") and request.app[SIM].answers_unavailable():
        return error(503, "Hệ thống đang bận, vui lòng thử lại sau")
    return await handler(request)


@web.middleware
async def bearer_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/"):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not request.app[SIM].tokens.is_valid(token.strip()):
            return error(401, "Token không hợp lệ hoặc đã hết hạn")
    return await handler(request)


def build_app(config: PostalSimConfig) -> web.Application:
    app = web.Application(middlewares=[faults, bearer_token])
    sim = PostalSim(config)
    app[SIM] = sim
    app.router.add_post("/oauth/token", handlers.issue_token)
    app.router.add_post("/api/v1/orders", handlers.create_order)
    app.router.add_post("/api/v1/orders/{order_number}/cancel", handlers.cancel_order)
    app.router.add_get("/api/v1/tracking", handlers.tracking)

    async def close_sim(_: web.Application) -> None:
        await sim.close()

    app.on_shutdown.append(close_sim)
    return app
