"""HTTP handlers of the postal API; they translate between JSON and :class:`PostalSim`."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from aiohttp import web

from simulators.postal import statuses
from simulators.postal.sim import OrderConflict, PostalSim, UnknownOrder
from simulators.postal.validation import InvalidOrder, validated_order

SIM = web.AppKey("postal_sim", PostalSim)
DEFAULT_PAGE_SIZE = 50


def reply(body: object, status: int = 200) -> web.Response:
    """JSON with Vietnamese text left readable (UTF-8, not ``\\u`` escapes)."""
    return web.json_response(body, status=status, dumps=partial(json.dumps, ensure_ascii=False))


def error(status: int, message: str) -> web.Response:
    return reply({"Code": status, "Message": message}, status=status)


async def issue_token(request: web.Request) -> web.Response:
    sim = request.app[SIM]
    form = await _token_form(request)
    if form.get("grant_type") != "client_credentials":
        return reply({"error": "unsupported_grant_type"}, status=400)
    token = sim.tokens.issue(str(form.get("client_id", "")), str(form.get("client_secret", "")))
    if token is None:
        return reply({"error": "invalid_client"}, status=401)
    expires_in = round(sim.tokens.ttl_seconds)
    return reply({"access_token": token, "token_type": "Bearer", "expires_in": expires_in})


async def _token_form(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await _json_body(request)
        return body if isinstance(body, dict) else {}
    return dict(await request.post())


async def create_order(request: web.Request) -> web.Response:
    sim = request.app[SIM]
    try:
        order, created = sim.create_order(validated_order(await _json_body(request)))
    except InvalidOrder as exc:
        return error(400, str(exc))
    except OrderConflict:
        return error(409, "Số đơn hàng đã tồn tại với nội dung khác")
    body = order.to_wire(statuses.MESSAGES[order.status_code])
    return reply(body, status=201 if created else 200)


async def cancel_order(request: web.Request) -> web.Response:
    sim = request.app[SIM]
    try:
        order = sim.cancel_order(request.match_info["order_number"])
    except UnknownOrder:
        return error(404, "Không tìm thấy đơn hàng")
    except OrderConflict:
        return error(409, "Bưu gửi đã được chuyển đi, không thể hủy")
    return reply(order.to_wire(statuses.MESSAGES[order.status_code]))


async def tracking(request: web.Request) -> web.Response:
    sim = request.app[SIM]
    query = request.query
    try:
        page = _positive(query.get("Page", "1"), "Page")
        page_size = _positive(query.get("PageSize", str(DEFAULT_PAGE_SIZE)), "PageSize")
        if page_size > sim.config.max_page_size:
            raise ValueError(f"PageSize tối đa {sim.config.max_page_size}")
        if "OrderNumber" in query:
            return _order_page(sim, query["OrderNumber"], page, page_size)
        if "Since" in query:
            return _feed_page(sim, sim.cursor_position(query["Since"]), page_size)
    except ValueError as exc:
        return error(400, str(exc))
    return error(400, "Cần OrderNumber hoặc Since")


def _order_page(sim: PostalSim, order_number: str, page: int, page_size: int) -> web.Response:
    try:
        records = sim.order(order_number).records
    except UnknownOrder:
        return error(404, "Không tìm thấy đơn hàng")
    chunk = records[(page - 1) * page_size : page * page_size]
    return reply(
        {
            "Page": page,
            "PageSize": page_size,
            "TotalCount": len(records),
            "Items": [record.to_wire() for record in chunk],
        }
    )


def _feed_page(sim: PostalSim, since: int, page_size: int) -> web.Response:
    pending = sim.feed_after(since)
    chunk = pending[:page_size]
    next_cursor = sim.cursor(chunk[-1].sequence if chunk else since)
    return reply(
        {
            "Page": 1,
            "PageSize": page_size,
            "TotalCount": len(pending),
            "Items": [record.to_wire() for record in chunk],
            "NextCursor": next_cursor,
        }
    )


def _positive(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} phải là số nguyên dương")
    return int(raw)


async def _json_body(request: web.Request) -> object:
    try:
        return await request.json()
    except json.JSONDecodeError:
        return None
