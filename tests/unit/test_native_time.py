"""One-stop software's compact times (``yyyyMMddHHmmss``, Vietnam time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.native import format_compact_time, parse_compact_time
from hub.errors import SchemaInvalid
from schemas import VIETNAM


def test_a_compact_time_is_read_in_vietnam_time() -> None:
    parsed = parse_compact_time("20190417083005")
    assert parsed == datetime(2019, 4, 17, 8, 30, 5, tzinfo=VIETNAM)
    assert parsed.utcoffset() == timedelta(hours=7)


@given(st.datetimes(min_value=datetime(1976, 1, 1), max_value=datetime(9999, 12, 31)))
def test_what_the_hub_writes_it_reads_back(moment: datetime) -> None:
    # From 1976 Vietnam time is UTC+7 all year (no local time occurs twice).
    aware = moment.replace(microsecond=0, tzinfo=UTC)
    assert parse_compact_time(format_compact_time(aware)) == aware


@pytest.mark.parametrize(
    "value",
    [
        "20190230120000",  # 30 February
        "20190417246000",  # hour 24
        "2019041708300",  # 13 digits
        "201904170830000",  # 15 digits
        "2019041708300a",
        "2019-04-17 08:3",
        "２０１９０４１７０８３０００",  # full-width digits
        "",
    ],
)
def test_anything_else_is_refused_with_the_field_named(value: str) -> None:
    with pytest.raises(SchemaInvalid, match=r"^ThoiGian: not a real date and time"):
        parse_compact_time(value, field="ThoiGian")
