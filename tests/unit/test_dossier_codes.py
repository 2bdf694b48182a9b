"""Dossier codes per Circular 01/2018/TT-VPCP: format, parse, validate (pure)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.dossier_codes import (
    MAX_SEQUENCE,
    DossierCode,
    InvalidDossierCode,
    SequenceExhausted,
    format_code,
    is_valid_code,
    parse_code,
    reception_day,
)
from schemas import VIETNAM
from schemas.dossier import DOSSIER_CODE_PATTERN, dossier_code_agency

agency_codes = st.from_regex(r"[0-9A-Za-z.]{1,40}", fullmatch=True)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
sequences = st.integers(1, MAX_SEQUENCE)


def test_the_code_is_agency_code_reception_day_and_four_digit_sequence() -> None:
    received = datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM)
    assert format_code("000.00.31.H57", received, 1) == "000.00.31.H57-190417-0001"
    assert format_code("000.00.31.H57", received, 9999) == "000.00.31.H57-190417-9999"


def test_the_reception_day_is_the_day_in_vietnam_not_in_utc() -> None:
    evening_utc = datetime(2019, 4, 16, 18, 30, tzinfo=UTC)  # 01:30 on the 17th in Huế
    assert reception_day(evening_utc) == date(2019, 4, 17)
    assert format_code("000.01.31.H57", evening_utc, 7) == "000.01.31.H57-190417-0007"


def test_a_naive_reception_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        reception_day(datetime(2019, 4, 17, 8, 0))


@given(agency_codes, days, sequences)
def test_formatting_then_parsing_gives_the_parts_back(agency: str, day: date, n: int) -> None:
    code = str(DossierCode(agency, day, n))
    assert parse_code(code) == DossierCode(agency, day, n)
    assert str(parse_code(code)) == code
    assert re.fullmatch(DOSSIER_CODE_PATTERN, code)
    assert dossier_code_agency(code) == agency


@given(agency_codes, days, sequences, sequences)
def test_codes_of_one_unit_and_day_sort_as_their_sequence(
    agency: str, day: date, a: int, b: int
) -> None:
    first, second = str(DossierCode(agency, day, a)), str(DossierCode(agency, day, b))
    assert (first < second) == (a < b)
    assert (first == second) == (a == b)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "000.00.31.H57",
        "000.00.31.H57-190417-1",  # not 4 digits
        "000.00.31.H57-190417-12345",
        "000.00.31.H57-190417-0000",  # sequences start at 0001
        "000.00.31.H57-190230-0001",  # 30 February
        "000 00-190417-0001",  # space in the agency code
        "-190417-0001",
        "000.00.31.H57-190417-0001\n",
    ],
)
def test_malformed_codes_are_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidDossierCode):
        parse_code(text)
    assert not is_valid_code(text)


def test_a_unit_cannot_issue_a_ten_thousandth_code_in_one_day() -> None:
    received = datetime(2019, 4, 17, 8, 0, tzinfo=VIETNAM)
    with pytest.raises(SequenceExhausted, match=r"9999 dossier codes on 17/04/2019"):
        format_code("000.00.31.H57", received, MAX_SEQUENCE + 1)


def test_parts_that_cannot_form_a_code_are_refused() -> None:
    with pytest.raises(InvalidDossierCode, match="agency code"):
        DossierCode("000 00", date(2019, 4, 17), 1)
    with pytest.raises(InvalidDossierCode, match="two-digit year"):
        DossierCode("000.00.31.H57", date(2100, 1, 1), 1)
    with pytest.raises(InvalidDossierCode, match="at most 64"):
        DossierCode("A" * 60, date(2019, 4, 17), 1)
