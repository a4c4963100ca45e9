"""The reading rules, each written once (DESIGN.md, "Readings a reader can trust").

Every rule works on columns: a reading file is checked a column at a time (each distinct
text once), and one reading (`tracker add`, the web form) is the very same call on
columns of length one. So a file row and a typed reading get the same verdict in the
same words; tests/test_rules.py feeds random rows through both to hold that.

    >>> checked = Rules(program).check({"indicator": ["communes"], "date": ["2025-06"],
    ...                                 "value": ["91"], "unit": ["communes"], "source": ["s"]})
    >>> checked.problems
    {}

Field rules (`Rules.check`) need only the programme; the cross-reading rules
(`cross_problems`: a part above its whole, a 10x jump) also need the readings the store
holds, which the caller passes in as a frame. A problem names its field and says what is
wrong; `held` problems (the 10x jump) are recorded once the user confirms them.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.errors import UnitError
from tracker.model import QUALIFIERS, Indicator, Program
from tracker.parsing import parse_number, parse_period_end, parse_yes_no, period_start
from tracker.units import Unit, parse_unit

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Column widths of the reading table (store/tables.py): longer text is refused at entry.
MAX_AREA = 200
MAX_UNIT = 100
# No real reading is this large (Vietnam's GDP is about 1e16 VND, so a VND amount that
# large is written in million or billion VND); past it a figure is a typing accident
# (1e308, 99999999999999999) that would also lose digits as a float.
MAX_MAGNITUDE = 1e15
# A reading this many times (or this fraction of) the previous one is held for confirmation.
JUMP_FACTOR = 10.0

TEXT_FIELDS = ("unit", "area", "source", "qualifier", "note")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # every control character but tab
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")  # 5.400, 12.345.678
# Within these characters, float() accepts exactly what parse_number accepts in "en" style.
_NOT_NUMBER_CHARS = re.compile(r"[^0-9.eE+\-\n]")
_YES_NO_WORDS = ("yes", "no", "true", "false")


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a reading; str() is the sentence the CLI prints."""

    field: str  # indicator, date, value, unit, area, source, qualifier, note, confirmed
    message: str
    held: bool = False  # True: recorded once confirmed (--confirm, `confirmed` = yes)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class Checked:
    """The parsed columns of every row (meaningful where the row has no problem), and
    the problems of the rows that have some, by row position."""

    indicator: np.ndarray
    area: np.ndarray
    period_date: np.ndarray
    value: np.ndarray
    unit: np.ndarray
    source: np.ndarray
    qualifier: np.ndarray
    note: np.ndarray
    confirmed: np.ndarray
    problems: dict[int, list[FieldProblem]] = field(default_factory=dict)


def programme_today(program: Program) -> date:
    """Today in the programme's timezone: what "a period that has started" is measured by."""
    try:
        return datetime.now(ZoneInfo(program.timezone)).date()
    except Exception:  # an unknown zone is refused by load_program; stay safe regardless
        return date.today()


def control_character(text: str) -> str | None:
    """The sentence for text holding a control character (tab is allowed), else None."""
    m = _CONTROL.search(text)
    if m is None:
        return None
    return (
        f"contains the control character U+{ord(m[0]):04X} at position {m.start() + 1}; "
        "remove it (only tab is allowed)"
    )


def _obj(values: Sequence[Any]) -> np.ndarray:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


class Rules:
    """The rules of one programme; `check` applies them to columns of raw text."""

    def __init__(self, program: Program, *, locale: str = "en", today: date | None = None) -> None:
        self.program = program
        self.locale = locale
        self.today = today or programme_today(program)
        self._units: dict[str, Unit | UnitError] = {}
        self._factors: dict[tuple[str, str], float] = {}

    # ------------------------------------------------------------------ per distinct text
    def unit(self, text: str) -> Unit:
        u = self._units.get(text)
        if u is None:
            try:
                u = parse_unit(text)
            except UnitError as e:
                u = e
            self._units[text] = u
        if isinstance(u, UnitError):
            raise u
        return u

    def _indicator(self, key: str) -> tuple[Indicator | None, str | None]:
        if not key:
            return None, "the indicator is empty"
        ind = self.program.indicators.get(key)
        if ind is None:
            return None, (
                f'unknown indicator "{key}"; it must be a key under indicators: in '
                f"{self.program.source_path}"
            )
        return ind, None

    def _date(self, text: str) -> tuple[date | None, str | None]:
        split_end = self.program.split_year_end  # 2015-16: a fiscal or school year
        try:
            end = parse_period_end(text, split_year_end=split_end)
        except ValueError as e:
            return None, str(e)
        start = period_start(text, split_year_end=split_end)
        if start > self.today:
            return None, (
                f'"{text}" starts after today ({self.today.isoformat()}); a reading describes '
                "a period that has begun (a goal for a later date belongs in the targets file)"
            )
        return end, None

    def _unit_for(self, ind: Indicator, text: str) -> tuple[str, str | None, float]:
        """(unit as stored, problem, factor into the indicator's unit or NaN)."""
        if not text and ind.kind == "milestone":
            text = "yes/no"
        if len(text) > MAX_UNIT:
            return text, f"{len(text)} characters is too long (at most {MAX_UNIT})", math.nan
        bad = control_character(text)
        if bad:
            return text, bad, math.nan
        try:
            unit = self.unit(text)
            target = self.unit(ind.unit)
        except UnitError as e:
            return text, str(e), math.nan
        try:
            compatible(unit, target, ind.key)
        except UnitError as e:
            return text, str(e), math.nan
        factor = math.nan
        if unit.kind != "money" or unit.currency == target.currency:
            factor = unit.scale / target.scale
        return text, None, factor

    def _numbers(self, texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
        """Each distinct value text as a number, or the sentence saying why it is not one."""
        import numpy as np

        out = _fast_numbers(texts) if self.locale == "en" else np.full(len(texts), np.nan)
        errors: list[str | None] = [None] * len(texts)
        for i in np.flatnonzero(np.isnan(out)).tolist():
            try:
                out[i] = parse_number(texts[i], locale=self.locale)
            except ValueError as e:
                errors[i] = str(e)
        return out, errors

    # ------------------------------------------------------------------ the whole table
    def check(self, columns: Mapping[str, Sequence[str] | np.ndarray]) -> Checked:
        """Apply every field rule to the columns (raw text as written; a missing optional
        column is all ""). Rows are positions 0..n-1."""
        import numpy as np
        import pandas as pd

        n = len(columns["indicator"])
        problems: dict[int, list[FieldProblem]] = {}

        def factorize(name: str) -> tuple[np.ndarray, list[str]]:
            col = columns.get(name)
            if col is None:
                return np.zeros(n, dtype=np.int64), [""]
            codes, uniques = pd.factorize(np.asarray(col, dtype=object))
            return codes, [str(u).strip() for u in uniques.tolist()]

        def report(name: str, bad: np.ndarray, message: Any) -> None:
            """Add `message(i)` as a problem of `name` for each row i where bad[i]."""
            for i in np.flatnonzero(bad).tolist():
                problems.setdefault(i, []).append(FieldProblem(name, message(i)))

        def per_unique(name: str, codes: np.ndarray, results: list[tuple[Any, str | None]]):
            values = _obj([r[0] for r in results])
            msgs = [r[1] for r in results]
            bad_u = np.array([m is not None for m in msgs], dtype=bool)
            if bad_u.any():
                report(name, bad_u[codes], lambda i: msgs[codes[i]])
            return values[codes], bad_u[codes]

        # indicator
        ind_codes, ind_u = factorize("indicator")
        ind_results = [self._indicator(k) for k in ind_u]
        inds, ind_bad = per_unique("indicator", ind_codes, ind_results)
        known = ~ind_bad
        # date
        date_codes, date_u = factorize("date")
        period, _ = per_unique("date", date_codes, [self._date(d) for d in date_u])
        # value: parsed once per distinct text (yes/no texts for milestones)
        val_codes, val_u = factorize("value")
        milestone_u = np.array(
            [r[0] is not None and r[0].kind == "milestone" for r in ind_results], dtype=bool
        )
        milestone = milestone_u[ind_codes]
        value = np.full(n, np.nan)
        value_bad = np.zeros(n, dtype=bool)
        value_msg: dict[int, str] = {}
        number_rows = known & ~milestone
        if number_rows.any():
            used = np.unique(val_codes[number_rows])
            nums, errs = self._numbers([val_u[c] for c in used.tolist()])
            table = np.full(len(val_u), np.nan)
            table[used] = nums
            err_of = dict(zip(used.tolist(), errs, strict=True))
            value[number_rows] = table[val_codes[number_rows]]
            for i in np.flatnonzero(number_rows & np.isnan(value)).tolist():
                text, key = val_u[val_codes[i]], ind_u[ind_codes[i]]
                ind = ind_results[ind_codes[i]][0]
                assert ind is not None
                if text.lower() in _YES_NO_WORDS:
                    value_msg[i] = (
                        f'"{text}" is yes/no, but "{key}" is a number indicator '
                        f"(unit {ind.unit}); give a number"
                    )
                else:
                    value_msg[i] = err_of[val_codes[i]] or f'"{text}" is not a number'
        milestone_rows = known & milestone
        if milestone_rows.any():
            yes_no: list[tuple[float, str | None]] = []
            for t in val_u:
                try:
                    yes_no.append((parse_yes_no(t), None))
                except ValueError as e:
                    yes_no.append((math.nan, str(e)))
            got = np.array([v for v, _ in yes_no], dtype=np.float64)
            value[milestone_rows] = got[val_codes[milestone_rows]]
            for i in np.flatnonzero(milestone_rows & np.isnan(value)).tolist():
                value_msg[i] = yes_no[val_codes[i]][1] or ""
        value_bad[list(value_msg)] = True
        # unit, per (indicator, unit) pair
        unit_codes, unit_u = factorize("unit")
        pair = ind_codes * len(unit_u) + unit_codes
        pairs, pair_codes = np.unique(pair, return_inverse=True)
        pair_codes = pair_codes.reshape(-1)
        unit_results = []
        for p in pairs.tolist():
            ind = ind_results[p // len(unit_u)][0]
            text = unit_u[p % len(unit_u)]
            unit_results.append(
                (text, None, math.nan) if ind is None else self._unit_for(ind, text)
            )
        unit = _obj([r[0] for r in unit_results])[pair_codes]
        factor = np.array([r[2] for r in unit_results], dtype=np.float64)[pair_codes]
        unit_msgs = [r[1] for r in unit_results]
        unit_bad = np.array([m is not None for m in unit_msgs], dtype=bool)[pair_codes]
        # the value rules, on rows whose value and unit were read
        ready = known & ~value_bad & ~unit_bad
        if ready.any():
            ind_objs = [r[0] for r in ind_results]
            self._value_rules(
                ready, value, factor, ind_codes, ind_objs, val_u, val_codes, value_msg
            )
        for i in sorted(value_msg):
            problems.setdefault(i, []).append(FieldProblem("value", value_msg[i]))
        report("unit", unit_bad, lambda i: unit_msgs[pair_codes[i]])
        # area, source, qualifier, note, confirmed
        area_codes, area_u = factorize("area")
        region = self.program.region
        area, _ = per_unique(
            "area",
            area_codes,
            [
                (
                    a or region,
                    f"{len(a)} characters is too long (at most {MAX_AREA})"
                    if len(a) > MAX_AREA
                    else control_character(a),
                )
                for a in area_u
            ],
        )
        src_codes, src_u = factorize("source")
        source, _ = per_unique(
            "source",
            src_codes,
            [
                (s, "the source is empty; say where the figure comes from")
                if not s
                else (s, control_character(s))
                for s in src_u
            ],
        )
        q_codes, q_u = factorize("qualifier")
        qualifier, _ = per_unique("qualifier", q_codes, [_qualifier(q) for q in q_u])
        note_codes, note_u = factorize("note")
        # a note may hold line breaks (Alt+Enter in a spreadsheet cell); nothing else may
        note, _ = per_unique(
            "note",
            note_codes,
            [
                (t or None, control_character(t.replace("\r\n", " ").replace("\n", " ")))
                for t in note_u
            ],
        )
        conf_codes, conf_u = factorize("confirmed")
        confirmed, _ = per_unique("confirmed", conf_codes, [_confirmed(c) for c in conf_u])
        # each row's problems in field order, whatever order the rules ran in
        order = {f: k for k, f in enumerate(("indicator", "date", "value", "unit", "area"))}
        for ps in problems.values():
            ps.sort(key=lambda p: order.get(p.field, len(order)))
        return Checked(
            indicator=_obj(ind_u)[ind_codes],
            area=area,
            period_date=period,
            value=value,
            unit=unit,
            source=source,
            qualifier=qualifier,
            note=note,
            confirmed=confirmed.astype(bool),
            problems=problems,
        )

    def _value_rules(
        self,
        ready: np.ndarray,
        value: np.ndarray,
        factor: np.ndarray,
        ind_codes: np.ndarray,
        ind_u: list[Indicator | None],
        val_u: list[str],
        val_codes: np.ndarray,
        value_msg: dict[int, str],
    ) -> None:
        """The hard rules on a number, vectorised; the first that applies is the problem."""
        import numpy as np

        def per_indicator(attr: Any, fill: Any, dtype: Any) -> np.ndarray:
            table = np.array([fill if x is None else attr(x) for x in ind_u], dtype=dtype)
            return table[ind_codes]

        def kind(ind: Indicator) -> str:
            return "milestone" if ind.kind == "milestone" else self.unit(ind.unit).kind

        number = (
            ready & ~np.isnan(value) & per_indicator(lambda x: x.kind != "milestone", False, bool)
        )
        share = per_indicator(
            lambda x: kind(x) == "percent" and (x.ratio_of is not None or x.bounds is None),
            False,
            bool,
        )
        count = per_indicator(lambda x: x.kind == "number" and kind(x) == "count", False, bool)
        money = per_indicator(lambda x: x.kind == "number" and kind(x) == "money", False, bool)
        has_bounds = per_indicator(lambda x: x.bounds is not None, False, bool)
        lo = per_indicator(lambda x: x.bounds[0] if x.bounds else -np.inf, -np.inf, np.float64)
        hi = per_indicator(lambda x: x.bounds[1] if x.bounds else np.inf, np.inf, np.float64)
        in_unit = value * factor  # in the indicator's unit; NaN across currencies
        done = np.zeros(len(value), dtype=bool)

        def rule(bad: np.ndarray, message: Any) -> None:
            nonlocal done
            bad = bad & number & ~done
            for i in np.flatnonzero(bad).tolist():
                ind = ind_u[ind_codes[i]]
                value_msg[i] = message(i, ind, val_u[val_codes[i]])
            done |= bad

        with np.errstate(invalid="ignore"):
            rule(
                np.abs(value) >= MAX_MAGNITUDE,
                lambda i, ind, t: (
                    f'"{t}" is too large to be a reading (the limit is '
                    f"{MAX_MAGNITUDE:.0e} in size); check the figure"
                ),
            )
            rule(
                share & ((in_unit < 0) | (in_unit > 100)),
                lambda i, ind, t: (
                    f'"{t}" is outside 0–100, and "{ind.key}" is a share in '
                    "percent; check the figure (or declare `bounds` in the targets file if it is "
                    "not a share)"
                ),
            )
            rule(
                has_bounds & ((in_unit < lo) | (in_unit > hi)),
                lambda i, ind, t: (
                    f'"{t}" is outside the bounds [{ind.bounds[0]:g}, '
                    f'{ind.bounds[1]:g}] declared for "{ind.key}" in the targets file'
                ),
            )
            rule(
                count & (value != np.floor(value)),
                lambda i, ind, t: _fraction_message(t, ind),
            )
            rule(
                (count | money) & ~has_bounds & (value < 0),
                lambda i, ind, t: (
                    f'"{t}" is negative, but "{ind.key}" is '
                    + ("a count" if count[i] else "an amount of money")
                    + "; check the sign (declare `bounds` in the targets file if negative values "
                    "are real)"
                ),
            )


def _fraction_message(text: str, ind: Indicator) -> str:
    msg = f'"{text}" is not a whole number, but "{ind.key}" counts {ind.unit}'
    if _THOUSANDS.match(text):
        msg += (
            f"; {text}: did you mean {text.replace('.', '')}? In Vietnamese style write "
            "--locale vi (in a file, write the number without thousands separators)"
        )
    else:
        msg += ' (add "kind: measure" to the indicator if its readings are not whole counts)'
    return msg


def _qualifier(text: str) -> tuple[str | None, str | None]:
    q = text.lower() or None
    if q is not None and q not in QUALIFIERS:
        bad = control_character(text)
        return None, bad or f'"{q}" must be one of {", ".join(QUALIFIERS)} or empty'
    return q, None


def _confirmed(text: str) -> tuple[bool, str | None]:
    t = text.lower()
    if t in ("", "no", "false"):
        return False, None
    if t in ("yes", "true"):
        return True, None
    return False, f'"{text}" must be yes (the jump is confirmed) or empty'


def _fast_numbers(texts: list[str]) -> np.ndarray:
    """float of each text that parse_number(locale="en") reads unchanged, else NaN (the
    text then goes through parse_number, which says what is wrong or reads "1 000")."""
    import numpy as np

    if not _NOT_NUMBER_CHARS.search("\n".join(texts)):
        try:
            out = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
        except ValueError:
            pass
        else:
            out[~np.isfinite(out)] = np.nan
            return out
    values = []
    for t in texts:
        v = math.nan
        if not _NOT_NUMBER_CHARS.search(t):
            with contextlib.suppress(ValueError):
                v = float(t)
        values.append(v if math.isfinite(v) else math.nan)
    return np.array(values, dtype=np.float64)


def compatible(unit: Unit, target: Unit, key: str) -> None:
    """Refuse at entry what can never be converted (a missing exchange rate can be added later)."""
    if unit.kind != target.kind:
        raise UnitError(
            f'"{unit.text}" cannot be converted to "{target.text}", the unit of "{key}"'
        )
    if unit.kind == "count" and unit.noun != target.noun:
        raise UnitError(
            f'"{unit.text}" counts something else than "{target.text}", the unit of "{key}"'
        )
    if unit.kind == "money" and unit.per != target.per:
        raise UnitError(
            f'"{unit.text}" cannot be converted to "{target.text}", the unit of '
            f'"{key}" ("{unit.per or "no /… tail"}" vs "{target.per or "no /… tail"}")'
        )


# ---------------------------------------------------------------------- cross-reading rules

CROSS_COLUMNS = ("indicator", "area", "period_date", "value", "unit")


def cross_problems(
    rules: Rules,
    batch: pd.DataFrame,
    stored: pd.DataFrame,
    *,
    confirm_how: str = "tracker add --confirm; in a reading file, a confirmed column set to yes",
) -> dict[int, list[FieldProblem]]:
    """The rules that compare a reading with others, vectorised over a batch.

    `batch`: the readings being recorded (columns CROSS_COLUMNS, `confirmed`, `pos` their
    position, `where` how to name them, e.g. "line 5", and optionally `new`: False for
    rows already recorded, which count as neighbours but are not checked); `stored`: the
    current readings the batch joins (same columns, `where` e.g. "reading 12").
    Returns problems by pos: a numerator above its denominator on the same date and area
    (hard, whichever arrives second), and a jump of JUMP_FACTOR or more against the
    previous reading of the same indicator and area (held unless confirmed); its message
    ends with `confirm_how`, the way to confirm at the door the batch came through.
    """
    import numpy as np
    import pandas as pd

    out: dict[int, list[FieldProblem]] = {}
    if batch.empty:
        return out
    program = rules.program
    if "new" not in batch:
        batch = batch.assign(new=True)
    both = pd.concat(
        [batch, stored.assign(new=False, pos=-1, confirmed=True)],
        ignore_index=True,
    )
    # a part above its whole
    ratios = [ind.ratio_of for ind in program.indicators.values() if ind.ratio_of is not None]
    # each indicator's rows, in order (one pass over the column, not two per share)
    rows_of = both.groupby("indicator", sort=False).indices if ratios else {}
    nothing = np.array([], dtype=np.int64)
    for num_key, den_key in ratios:
        num = both.iloc[rows_of.get(num_key, nothing)]
        den = both.iloc[rows_of.get(den_key, nothing)]
        if num.empty or den.empty or not (num["new"].any() or den["new"].any()):
            continue
        j = num.merge(den, on=["area", "period_date"], suffixes=("_n", "_d"))
        j = j[(j["new_n"] | j["new_d"]) & (j["value_n"] > j["value_d"])]
        for r in j.itertuples(index=False):
            pos, other = (r.pos_n, r.where_d) if r.new_n else (r.pos_d, r.where_n)
            msg = (
                f"{r.value_n:g} {num_key} is more than the {r.value_d:g} {den_key} on "
                f"{r.period_date.isoformat()} for {r.area} ({other}); a part cannot be "
                "larger than its whole: check both figures"
            )
            problems = out.setdefault(int(pos), [])
            if not any(p.message == msg for p in problems):
                problems.append(FieldProblem("value", msg))
    # a jump of 10x either way against the previous reading
    numbers = {k for k, ind in program.indicators.items() if ind.kind != "milestone"}
    numeric = both[both["indicator"].isin(numbers)]
    if numeric.empty:
        return out
    # grouped by (indicator, area), by date, each row's previous one is the row before it when
    # that row has the same indicator and area (numpy on codes: at a national file's
    # size, pandas' sort and group-by shifts of the rows themselves took seconds)
    ind = pd.factorize(numeric["indicator"])[0]  # any order keeps a group together
    area = pd.factorize(numeric["area"])[0]
    day, days = pd.factorize(numeric["period_date"])  # dates in order: rank the few days
    order = np.lexsort((np.argsort(np.argsort(days.to_numpy()))[day], area, ind))
    pair, pairs = pd.factorize(pd.MultiIndex.from_arrays([numeric["indicator"], numeric["unit"]]))
    factor = np.array(
        [rules._unit_for(program.indicators[k], u)[2] for k, u in pairs.tolist()], np.float64
    )
    v = (numeric["value"].to_numpy(np.float64) * factor[pair])[order]
    a, b = np.abs(v[1:]), np.abs(v[:-1])
    same = (ind[order][1:] == ind[order][:-1]) & (area[order][1:] == area[order][:-1])
    new = numeric["new"].to_numpy(bool)[order][1:]
    confirmed = numeric["confirmed"].to_numpy(bool)[order][1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.maximum(a / b, b / a)
    jump = same & new & ~confirmed & (a > 0) & (b > 0) & (ratio >= JUMP_FACTOR)
    at = np.flatnonzero(jump)
    rows = numeric.iloc[order[at + 1]]
    prev = numeric.iloc[order[at]]
    for r, p, k, here, before in zip(
        rows.itertuples(index=False),
        prev.itertuples(index=False),
        ratio[at].tolist(),
        v[at + 1].tolist(),
        v[at].tolist(),
        strict=True,
    ):
        times = f"{k:,.0f} times" if abs(here) > abs(before) else f"1/{k:,.0f} of"
        out.setdefault(int(r.pos), []).append(
            FieldProblem(
                "value",
                f"{r.value:g} {r.unit} is {times} the previous reading of {r.indicator} for "
                f"{r.area}, {p.value:g} {p.unit} on {p.period_date.isoformat()} "
                f"({p.where}); if the figure is right, confirm it ({confirm_how})",
                held=True,
            )
        )
    return out
