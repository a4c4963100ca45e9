"""tracker.parsing and tracker.units: numbers, dates and units as people write them.

Every refusal pins the exact sentence the user will read (it is what a reading file or
`tracker add` prints after `file:line:`).
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.errors import NoExchangeRate, UnitError
from tracker.model import ExchangeRate
from tracker.parsing import parse_number, parse_period_end, parse_yes_no
from tracker.units import Unit, convert, find_rate, parse_unit

RATES = (ExchangeRate("USD", "VND", 2024, 25000.0, "test rate"),)

# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("84,14", 84.14),
        ("2.240", 2240.0),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("2240", 2240.0),
        ("-3,5", -3.5),
        (" 5.400 ", 5400.0),
        ("5\u00a0400", 5400.0),  # a no-break space between thousands is ignored
    ],
)
def test_vietnamese_numbers_use_comma_decimals_and_dot_thousands(text, expected):
    assert parse_number(text, locale="vi") == pytest.approx(expected, abs=0, rel=1e-15)


def test_vietnamese_2_comma_240_is_a_decimal_two_point_two_four():
    # In Vietnamese style "," is always the decimal mark: "2,240" is 2.24, never 2240.
    assert parse_number("2,240", locale="vi") == 2.24


@pytest.mark.parametrize("text", ["84.14", "12.34", "1.23", "1,234.5", "abc", ""])
def test_vietnamese_style_refuses_english_style_and_bad_grouping(text):
    with pytest.raises(ValueError) as e:
        parse_number(text, locale="vi")
    assert str(e.value) == (
        f'"{text}" is not a number in Vietnamese style (use "," for decimals and "." for '
        'thousands, e.g. 84,14 or 2.240)'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("84.14", 84.14), ("2240", 2240.0), ("-0.5", -0.5), (".5", 0.5), ("1e3", 1000.0)],
)
def test_english_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "as_vi"), [("84,14", "84.14"), ("2,240", "2.24"),
                                             ("1.234,5", "1234.5")])
def test_english_style_refuses_a_decimal_comma_with_the_vietnamese_hint(text, as_vi):
    with pytest.raises(ValueError) as e:
        parse_number(text)
    assert str(e.value) == (
        f'"{text}" is not a number; write it with "." as the decimal mark and no thousands '
        f"separator (read Vietnamese-style it is {as_vi}: write {as_vi}, or give --locale vi "
        "to tracker add / correct)"
    )


@pytest.mark.parametrize("text", ["1,234.5", "12abc", "yes"])
def test_english_style_refuses_other_text_without_the_hint(text):
    with pytest.raises(ValueError) as e:
        parse_number(text)
    assert str(e.value) == (
        f'"{text}" is not a number; write it with "." as the decimal mark and no thousands '
        "separator"
    )


def test_an_overflowing_number_is_not_finite():
    with pytest.raises(ValueError) as e:
        parse_number("1e999")
    assert str(e.value) == '"1e999" is not a finite number'


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", 1.0), ("Yes", 1.0), ("true", 1.0), ("có", 1.0), ("no", 0.0), ("không", 0.0)],
)
def test_yes_no(text, expected):
    assert parse_yes_no(text) == expected


def test_a_number_is_not_yes_or_no():
    with pytest.raises(ValueError) as e:
        parse_yes_no("5")
    assert str(e.value) == '"5" is not yes or no (this indicator is a milestone)'


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", date(2024, 12, 31)),
        ("2024-06", date(2024, 6, 30)),
        ("2024-02", date(2024, 2, 29)),  # leap year
        ("2023-02", date(2023, 2, 28)),
        ("2024-12", date(2024, 12, 31)),
        ("2024-02-29", date(2024, 2, 29)),
        (" 2025-06-15 ", date(2025, 6, 15)),
    ],
)
def test_a_date_means_the_last_day_of_its_period(text, expected):
    assert parse_period_end(text) == expected


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-02-30", "2023-02-29", "2024-04-31"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError) as e:
        parse_period_end(text)
    assert str(e.value) == f'"{text}" is not a real date (check the month and day)'


@pytest.mark.parametrize("text", ["June 2024", "2024-6", "24", "2024/06", "30-06-2024", ""])
def test_dates_not_in_iso_form_are_refused(text):
    with pytest.raises(ValueError) as e:
        parse_period_end(text)
    assert str(e.value) == f'"{text}" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY'


# --- units --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["percent", "%", "phần trăm", "Percent"])
def test_percent_spellings(text):
    assert parse_unit(text).kind == "percent"


def test_vietnamese_and_english_money_units_read_the_same():
    vi, en = parse_unit("triệu đồng/người/năm"), parse_unit("million VND/person/year")
    for u in (vi, en):
        assert (u.kind, u.currency, u.scale, u.per) == ("money", "VND", 1e6, "/person/year")
    assert convert(84.14, vi, en, 2024) == (84.14, None)


def test_ty_dong_is_a_billion_vnd():
    u = parse_unit("tỷ đồng")
    assert (u.kind, u.currency, u.scale, u.per) == ("money", "VND", 1e9, "")
    assert convert(2.24, u, parse_unit("million VND"), 2024) == (2240.0, None)


@pytest.mark.parametrize(
    ("a", "b"), [("communes", "commune"), ("households", "Household"), ("cities", "city")]
)
def test_counts_fold_singular_and_plural(a, b):
    ua, ub = parse_unit(a), parse_unit(b)
    assert ua.kind == ub.kind == "count"
    assert ua.noun == ub.noun
    assert convert(91.0, ua, ub, 2024) == (91.0, None)


def test_yes_no_is_the_milestone_unit():
    assert parse_unit("yes/no") == Unit("yes/no", "milestone")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the unit is empty; write one (percent, a currency, or what is counted)"),
        ("5 communes", 'cannot read the unit "5 communes": use percent, a currency such as '
         '"million VND", or a plain noun for counts such as "communes"'),
        ("million communes", 'cannot read the unit "million communes": a scale or "/..." tail '
         "needs a currency (VND, đồng, USD)"),
        ("VND/fortnight", 'cannot read the unit "VND/fortnight": "/fortnight" is not a known '
         "period or population (use /person, /household, /year, /month)"),
    ],
)
def test_unreadable_units(text, message):
    with pytest.raises(UnitError) as e:
        parse_unit(text)
    assert str(e.value) == message


def test_vnd_to_usd_uses_the_declared_rate_and_says_so():
    value, how = convert(84.14, parse_unit("triệu đồng/người/năm"),
                         parse_unit("USD/person/year"), 2024, RATES)
    assert value == pytest.approx(84.14e6 / 25000)  # 3365.6
    assert how == ("84.14 triệu đồng/người/năm = 3,365.6 USD/person/year at 25,000 VND/USD "
                   "(2024)")


def test_usd_to_vnd_uses_the_same_rate_the_other_way():
    value, how = convert(5000, parse_unit("USD/person/year"),
                         parse_unit("million VND/person/year"), 2024, RATES)
    assert value == pytest.approx(125.0)
    assert how == ("5,000 USD/person/year = 125 million VND/person/year at 25,000 VND/USD "
                   "(2024)")


def test_an_estimated_rate_is_marked_in_the_text():
    rates = (ExchangeRate("USD", "VND", 2025, 25500.0, "bank quotes", estimate=True),)
    _, how = convert(1, parse_unit("USD"), parse_unit("VND"), 2025, rates)
    assert how == "1 USD = 25,500 VND at 25,500 VND/USD (2025, estimate)"


def test_find_rate_in_both_directions():
    assert find_rate(RATES, "USD", "VND", 2024) == (25000.0, RATES[0])
    assert find_rate(RATES, "VND", "USD", 2024) == (1 / 25000.0, RATES[0])


def test_no_rate_for_the_year_names_the_pair_and_the_year():
    with pytest.raises(NoExchangeRate) as e:
        convert(84.14, parse_unit("million VND/person/year"), parse_unit("USD/person/year"),
                2023, RATES)
    assert str(e.value) == ("no exchange rate VND->USD is declared for 2023; add one under "
                            "exchange_rates in the targets file")


def test_counts_of_different_things_cannot_be_compared():
    with pytest.raises(UnitError) as e:
        convert(5, parse_unit("households"), parse_unit("communes"), 2024)
    assert str(e.value) == ('a reading counting "households" cannot be compared with a target '
                            'counting "communes"')


def test_different_kinds_cannot_be_compared():
    with pytest.raises(UnitError) as e:
        convert(5, parse_unit("percent"), parse_unit("communes"), 2024)
    assert str(e.value) == 'a reading in "percent" cannot be compared with a target in "communes"'


def test_money_with_a_different_tail_cannot_be_compared():
    with pytest.raises(UnitError) as e:
        convert(5, parse_unit("million VND/person/year"), parse_unit("USD/person"), 2024, RATES)
    assert str(e.value) == ('a reading in "million VND/person/year" cannot be compared with a '
                            'target in "USD/person" ("/person/year" vs "/person")')
