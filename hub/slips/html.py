"""Printable HTML built from ``string.Template`` with every value escaped.

A value is escaped unless it is :class:`Safe`, which only this module's helpers and
:func:`fill` produce, so markup is written by templates and data is always text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from string import Template

from hub.slips.model import UnitInfo
from hub.slips.vietnamese import dateline, place_of

COMMUNE_SECTION = "Bộ phận Tiếp nhận và Trả kết quả"


class Safe(str):
    """Markup that is already escaped; everything else is escaped when filled in."""

    __slots__ = ()


def esc(value: object) -> Safe:
    return value if isinstance(value, Safe) else Safe(html.escape(str(value), quote=True))


def fill(template: Template, **values: object) -> Safe:
    """Substitute ``values`` into ``template``, escaping each one that is not :class:`Safe`."""
    return Safe(template.substitute({key: esc(value) for key, value in values.items()}))


def join(parts: Iterable[object]) -> Safe:
    return Safe("".join(esc(part) for part in parts))


STYLE = """
@page { size: A4 $orientation; margin: 2cm 1.5cm 2cm 2.5cm; }
body { font-family: "Times New Roman", Times, serif; font-size: 13pt; line-height: 1.45;
       color: #000; max-width: $width; margin: 1em auto; }
table.head { width: 100%; border-collapse: collapse; }
table.head td { width: 50%; text-align: center; vertical-align: top; }
.dateline { text-align: right; font-style: italic; margin: .5em 0 1.5em; }
h1 { font-size: 14pt; text-align: center; margin: .2em 0; }
.center { text-align: center; }
.rule { display: inline-block; width: 35%; border-top: 1px solid #000; }
table.grid { width: 100%; border-collapse: collapse; font-size: 12pt; }
table.grid th, table.grid td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; }
table.signatures { width: 100%; margin-top: 2em; }
table.signatures td { width: 50%; text-align: center; vertical-align: top; height: 6em; }
"""

_PAGE = Template(
    """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>$style</style>
</head>
<body>
$body
</body>
</html>
"""
)

_HEAD = Template(
    """<table class="head"><tr>
<td><b>$unit</b>$section<br><span class="rule"></span></td>
<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b><br>\
<span class="rule"></span></td>
</tr></table>
<p class="dateline">$dateline</p>"""
)


def page(title: str, body: Safe, *, landscape: bool = False) -> str:
    style = Template(STYLE).substitute(
        orientation="landscape" if landscape else "portrait",
        width="27cm" if landscape else "18cm",
    )
    return _PAGE.substitute(title=esc(title), style=style, body=body)


def national_header(unit: UnitInfo, at: datetime) -> Safe:
    """The issuing unit (left), the national motto (right) and the place-and-date line.

    A commune's one-stop section signs under its People's Committee, as the forms show."""
    section = Safe("")
    if unit.is_commune:
        section = fill(Template("<br><b>$s</b>"), s=COMMUNE_SECTION.upper())
    return fill(
        _HEAD, unit=unit.name.upper(), section=section, dateline=dateline(place_of(unit.name), at)
    )


def title(text: str, code: str | None = None) -> Safe:
    heading = fill(Template("<h1>$t</h1>"), t=text.upper())
    if code is None:
        return heading
    return Safe(heading + fill(Template('<p class="center">Mã hồ sơ: <b>$c</b></p>'), c=code))


def line(label: str, value: object) -> Safe:
    """``<p>Label: value</p>``, the form's basic line."""
    return fill(Template("<p>$label: $value</p>"), label=label, value=value)


def paragraph(*parts: object) -> Safe:
    return fill(Template("<p>$text</p>"), text=join(parts))


def numbered(items: Iterable[object]) -> Safe:
    rows = join(fill(Template("<li>$item</li>"), item=item) for item in items)
    return fill(Template("<ol>$rows</ol>"), rows=rows)


def signatures(left: str | None, right: str, note: str = "(Ký và ghi rõ họ tên)") -> Safe:
    cell = Template("<td><b>$who</b><br><i>$note</i></td>")
    left_cell = fill(cell, who=left, note=note) if left else Safe("<td></td>")
    right_cell = fill(cell, who=right, note=note)
    return fill(
        Template('<table class="signatures"><tr>$l$r</tr></table>'), l=left_cell, r=right_cell
    )


def grid(headings: Safe, rows: Iterable[Iterable[object]]) -> Safe:
    """A bordered table: ``headings`` is the (already built) header markup."""
    body = join(
        fill(Template("<tr>$cells</tr>"), cells=join(fill(Template("<td>$v</td>"), v=v) for v in r))
        for r in rows
    )
    return fill(
        Template('<table class="grid"><thead>$h</thead><tbody>$b</tbody></table>'),
        h=headings,
        b=body,
    )


def heading_row(*labels: str) -> Safe:
    cells = join(fill(Template("<th>$label</th>"), label=label) for label in labels)
    return fill(Template("<tr>$cells</tr>"), cells=cells)


def lines(*parts: object) -> Safe:
    """Escaped parts, one per line (``<br>`` between)."""
    return Safe("<br>".join(esc(part) for part in parts))


def blocks(parts: Iterable[object]) -> Safe:
    """A page body: escaped parts, one per source line."""
    return Safe("\n".join(esc(part) for part in parts))
