"""Units and scales, and conversion of a reading to its target's unit.

A unit is written the way people write it: "percent" or "%", "communes",
"million VND", "triệu đồng/người/năm", "USD/person/year", "yes/no".

    >>> u = parse_unit("triệu đồng/người/năm")
    >>> (u.kind, u.currency, u.scale, u.per)
    ('money', 'VND', 1000000.0, '/person/year')

Three kinds:
- percent: "percent", "%", "phần trăm";
- money: a currency (VND / đồng / USD / ...) with an optional scale word before it
  (thousand/nghìn/ngàn, million/triệu, billion/tỷ) and an optional "/person/year" tail;
- count: any other plain noun ("communes", "households", "works") counts that thing.
Milestones have the unit "yes/no".

Conversions: scale to scale within a currency; currency to currency with the rate
declared for the reading's year (no rate, no guess: NoExchangeRate); count to count
only for the same noun (singular/plural folded); percent to percent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tracker.errors import NoExchangeRate, UnitError
from tracker.model import ExchangeRate

UnitKind = Literal["percent", "money", "count", "milestone"]

_SCALES = {
    "thousand": 1e3,
    "nghìn": 1e3,
    "ngàn": 1e3,
    "k": 1e3,
    "million": 1e6,
    "triệu": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "tỷ": 1e9,
    "tỉ": 1e9,
    "bn": 1e9,
}
_CURRENCIES = {
    "vnd": "VND",
    "đồng": "VND",
    "đ": "VND",
    "dong": "VND",
    "usd": "USD",
    "$": "USD",
    "us$": "USD",
    "dollars": "USD",
    "eur": "EUR",
    "€": "EUR",
    "cny": "CNY",
    "jpy": "JPY",
    "gbp": "GBP",
}
_PERCENT = {"percent", "%", "phần trăm", "pct", "per cent"}
_MILESTONE = {"yes/no", "milestone", "done"}
# Words of a "/person/year" tail, Vietnamese folded onto English so both compare equal.
_TAIL_WORDS = {
    "người": "person",
    "person": "person",
    "people": "person",
    "capita": "person",
    "head": "person",
    "năm": "year",
    "year": "year",
    "yr": "year",
    "y": "year",
    "tháng": "month",
    "month": "month",
    "hộ": "household",
    "household": "household",
}
_NOUN = re.compile(r"^[^\d\s/][^/]*$")


@dataclass(frozen=True)
class Unit:
    text: str
    kind: UnitKind
    currency: str | None = None
    scale: float = 1.0
    per: str = ""  # normalised tail, e.g. "/person/year"
    noun: str | None = None  # counts: the folded noun

    def describe(self) -> str:
        return self.text


def _fold_noun(noun: str) -> str:
    n = " ".join(noun.lower().split())
    if n.endswith("ies"):
        return n[:-3] + "y"
    if n.endswith("s") and not n.endswith("ss"):
        return n[:-1]
    return n


def parse_unit(text: str) -> Unit:
    """Read a unit as written; UnitError with a sentence if it cannot be read."""
    raw = str(text).strip()
    low = " ".join(raw.lower().split())
    if not low:
        raise UnitError("the unit is empty; write one (percent, a currency, or what is counted)")
    if low in _PERCENT:
        return Unit(raw, "percent")
    if low in _MILESTONE:
        return Unit(raw, "milestone")
    head, *tail = [p.strip() for p in low.split("/")]
    words = head.split()
    scale = 1.0
    if len(words) == 2 and words[0] in _SCALES:
        scale, words = _SCALES[words[0]], words[1:]
    if len(words) == 1 and words[0] in _CURRENCIES:
        per_parts = []
        for part in tail:
            if part not in _TAIL_WORDS:
                raise UnitError(
                    f'cannot read the unit "{raw}": "/{part}" is not a known period or '
                    "population (use /person, /household, /year, /month)"
                )
            per_parts.append(_TAIL_WORDS[part])
        per = "".join("/" + p for p in per_parts)
        return Unit(raw, "money", currency=_CURRENCIES[words[0]], scale=scale, per=per)
    if scale != 1.0 or tail:
        raise UnitError(
            f'cannot read the unit "{raw}": a scale or "/..." tail needs a currency '
            "(VND, đồng, USD)"
        )
    if any(ch.isdigit() for ch in head) or not _NOUN.match(head):
        raise UnitError(
            f'cannot read the unit "{raw}": use percent, a currency such as "million VND", '
            'or a plain noun for counts such as "communes"'
        )
    return Unit(raw, "count", noun=_fold_noun(head))


def find_rate(
    rates: Iterable[ExchangeRate], from_ccy: str, to_ccy: str, year: int
) -> tuple[float, ExchangeRate]:
    """Rate multiplying `from_ccy` amounts into `to_ccy` for `year`, and the declared rate used."""
    for r in rates:
        if r.year == year and r.from_ == from_ccy and r.to == to_ccy:
            return r.rate, r
    for r in rates:
        if r.year == year and r.from_ == to_ccy and r.to == from_ccy:
            return 1.0 / r.rate, r
    raise NoExchangeRate(
        f"no exchange rate {from_ccy}->{to_ccy} is declared for {year}; "
        f"add one under exchange_rates in the targets file"
    )


def fmt_plain(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if abs(x) < 1e15 else f"{x:g}"


def convert(
    value: float,
    src: Unit,
    dst: Unit,
    year: int,
    rates: Iterable[ExchangeRate] = (),
) -> tuple[float, str | None]:
    """Convert `value` in `src` to `dst`; returns (value, how) where `how` names the rate used."""
    if src.kind != dst.kind:
        raise UnitError(
            f'a reading in "{src.text}" cannot be compared with a target in "{dst.text}"'
        )
    if src.kind in ("percent", "milestone"):
        return value, None
    if src.kind == "count":
        if src.noun != dst.noun:
            raise UnitError(
                f'a reading counting "{src.text}" cannot be compared with a target counting '
                f'"{dst.text}"'
            )
        return value, None
    if src.per != dst.per:
        raise UnitError(
            f'a reading in "{src.text}" cannot be compared with a target in "{dst.text}" '
            f'("{src.per or "no tail"}" vs "{dst.per or "no tail"}")'
        )
    base = value * src.scale
    how = None
    if src.currency != dst.currency:
        assert src.currency and dst.currency
        factor, used = find_rate(rates, src.currency, dst.currency, year)
        base *= factor
        # Short enough for a table cell; the rate's source is listed with the declared rates.
        how = (
            f"{fmt_plain(value)} {src.text} = {fmt_plain(base / dst.scale)} {dst.text} "
            f"at {fmt_plain(used.rate)} {used.to}/{used.from_} ({used.year}"
            f"{', estimate' if used.estimate else ''})"
        )
    return base / dst.scale, how
