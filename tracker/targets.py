"""targets.yaml -> a validated `Program`; every problem reported at once with file:line:col.

    >>> program = load_program(Path("targets.yaml"))   # raises TargetsFileError
    >>> program.indicators["rural_income"].targets[0].deadline
    datetime.date(2025, 12, 31)

The YAML is composed into nodes (not loaded into dicts) so every value keeps its
position; `_Checker` walks the nodes, collects a Problem per mistake, and builds
the dataclasses of model.py only when there are none.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tracker.errors import Problem, TargetsFileError, UnitError
from tracker.model import (
    COMPARATORS,
    METHODS,
    Baseline,
    ExchangeRate,
    Indicator,
    Notify,
    Program,
    Target,
    Thresholds,
)
from tracker.parsing import parse_month_day, parse_period_end
from tracker.units import parse_unit

_TOP_KEYS = {
    "program",
    "region",
    "timezone",
    "schedule",
    "lang",
    "catch_up",
    "assessment",
    "exchange_rates",
    "indicators",
    "notify",
    "split_year_end",
    "web",
}
_INDICATOR_KEYS = {
    "name",
    "unit",
    "kind",
    "direction",
    "trend",
    "report_every",
    "baseline",
    "ratio_of",
    "bounds",
    "targets",
    "note",
    "limit_factor",
}
_TARGET_KEYS = {"by", "id", "stretch", "note", *COMPARATORS}
_INTERVAL = re.compile(r"^(\d+)\s*([ymq])$")
_INTERVAL_MONTHS = {"y": 12, "m": 1, "q": 3}


@dataclass
class _Node:
    """A YAML value with its position (1-based)."""

    value: Any  # dict[str, _Node] | list[_Node] | scalar
    line: int
    col: int
    key_line: int = 0
    key_col: int = 0


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.split_year_end: str | None = None  # the programme's, once read

    def bad(self, node: _Node | None, message: str, *, at_key: bool = False) -> None:
        if node is None:
            self.problems.append(Problem(self.file, None, None, message))
        elif at_key and node.key_line:
            self.problems.append(Problem(self.file, node.key_line, node.key_col, message))
        else:
            self.problems.append(Problem(self.file, node.line, node.col, message))

    # --- generic readers: return None (and record a problem) when the value is wrong

    def mapping(self, node: _Node, what: str, allowed: set[str]) -> dict[str, _Node] | None:
        if not isinstance(node.value, dict):
            self.bad(node, f"{what} must be a mapping of keys to values")
            return None
        for key, child in node.value.items():
            if key not in allowed:
                self.bad(
                    child,
                    f'unknown key "{key}" in {what}; expected one of: {", ".join(sorted(allowed))}',
                    at_key=True,
                )
        return node.value  # type: ignore[no-any-return]

    def text(
        self,
        m: dict[str, _Node],
        key: str,
        what: str,
        *,
        required: bool = False,
        parent: _Node | None = None,
        default: str | None = None,
    ) -> str | None:
        node = m.get(key)
        if node is None or node.value is None:
            if required:
                self.bad(parent, f'{what} has no "{key}"; add it')
            return default
        if isinstance(node.value, dict | list | bool):
            self.bad(node, f'"{key}" of {what} must be text')
            return default
        return str(node.value).strip()

    def number(self, node: _Node, what: str) -> float | None:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            hint = ""
            if isinstance(v, str) and re.match(r"^[\d.,\s]+$", v):
                hint = ' (write numbers plainly with "." as the decimal mark, e.g. 84.14 or 2240)'
            self.bad(node, f'{what} must be a number, not "{v}"{hint}')
            return None
        try:
            number = float(v)
        except OverflowError:  # an integer with hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            self.bad(node, f"{what} must be an ordinary number (not .nan, .inf or past 1e308)")
            return None
        return number

    def choice(
        self, m: dict[str, _Node], key: str, what: str, options: tuple[str, ...], default: str
    ) -> str:
        node = m.get(key)
        if node is None:
            return default
        if node.value not in options:
            self.bad(
                node, f'"{key}" of {what} must be one of {", ".join(options)}, not "{node.value}"'
            )
            return default
        return str(node.value)

    def day(self, node: _Node, what: str) -> date | None:
        v = node.value
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if isinstance(v, str):
            try:
                return parse_period_end(v, split_year_end=self.split_year_end)
            except ValueError as e:
                self.bad(node, f"{what}: {e}")
                return None
        self.bad(node, f"{what} must be a year or a date (YYYY, YYYY-MM, YYYY-MM-DD or 2015-16)")
        return None


# A targets file is a few levels deep and has no reason to repeat itself thousands of times:
# anything past these limits is a hostile or broken file, refused before it can hang a command
# (a "billion laughs" file expands nine aliases nine deep into 10^9 values).
MAX_DEPTH = 50
MAX_ALIAS_EXPANSION = 10_000  # values reached again through aliases, in the whole file


class _TooBig(Exception):
    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


_STR_TAG = "tag:yaml.org,2002:str"  # a scalar the resolver already knows is text


def _compose(
    text: str, file: str, loader_class: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
) -> tuple[_Node, list[Problem]]:
    """YAML text -> (_Node tree, duplicate-key problems); a syntax error raises
    TargetsFileError. Duplicates are returned, not raised, so the checker can report
    them together with everything else.

    libyaml's loader is used when present (about 10x faster on a big programme); a syntax
    error is re-read with the pure-Python loader, whose messages read better. Nesting
    deeper than MAX_DEPTH and aliases expanding past MAX_ALIAS_EXPANSION values are
    refused at the place they are written."""
    loader = loader_class(text)
    problems: list[Problem] = []
    seen: set[int] = set()  # nodes already walked: meeting one again is an alias
    expanded = 0
    try:
        root = loader.get_single_node()

        def walk(node: yaml.Node, depth: int, at: tuple[int, int]) -> _Node:
            nonlocal expanded
            pos = (node.start_mark.line + 1, node.start_mark.column + 1)
            if id(node) in seen:
                expanded += 1
                if expanded > MAX_ALIAS_EXPANSION:
                    raise _TooBig(
                        *at,
                        f"the aliases (*name) here expand to more than "
                        f"{MAX_ALIAS_EXPANSION:,} values; write the values out instead of "
                        "repeating anchors",
                    )
            else:
                seen.add(id(node))
                at = pos  # inside an alias, keep pointing where the alias is used
            if depth > MAX_DEPTH:
                raise _TooBig(
                    *at,
                    f"the values are nested more than {MAX_DEPTH} levels deep here; a targets "
                    "file needs about five (indicators > key > targets > item > value)",
                )
            if isinstance(node, yaml.MappingNode):
                out: dict[str, _Node] = {}
                for k, v in node.value:
                    key = _nfc(k.value if k.tag == _STR_TAG else str(loader.construct_object(k)))
                    child = walk(v, depth + 1, at)
                    child.key_line, child.key_col = k.start_mark.line + 1, k.start_mark.column + 1
                    if key in out:
                        problems.append(
                            Problem(
                                file,
                                child.key_line,
                                child.key_col,
                                f'duplicate key "{key}" (first at line {out[key].key_line}); '
                                "keep one of them",
                            )
                        )
                        continue
                    out[key] = child
                return _Node(out, *pos)
            if isinstance(node, yaml.SequenceNode):
                return _Node([walk(v, depth + 1, at) for v in node.value], *pos)
            if node.tag == _STR_TAG:  # most scalars: the text itself, no constructor call
                return _Node(_nfc(node.value), *pos)
            try:
                value = loader.construct_object(node)
            except (ValueError, OverflowError):
                # a scalar YAML reads as a date that does not exist (2025-02-30): keep the
                # text, so the checker says where it is and what is wrong (file:line:col)
                value = node.value
            return _Node(_nfc(value) if isinstance(value, str) else value, *pos)

        tree = walk(root, 0, (1, 1)) if root is not None else _Node(None, 1, 1)
    except _TooBig as e:
        raise TargetsFileError([Problem(file, e.line, e.col, e.message)]) from None
    except yaml.MarkedYAMLError as e:
        # libyaml stops at 1000 levels of nesting; the pure-Python loader would recurse
        # for seconds before failing, so its own message is the one to give.
        if loader_class is not yaml.SafeLoader and "nesting depth" not in str(e.problem):
            try:
                return _compose(text, file, yaml.SafeLoader)
            except RecursionError:
                pass
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise TargetsFileError(
            [Problem(file, line, col, f"this is not valid YAML: {e.problem or e}")]
        ) from None
    except RecursionError:  # only without libyaml: the pure-Python composer on deep nesting
        raise TargetsFileError(
            [Problem(file, None, None, f"the values are nested more than {MAX_DEPTH} levels deep")]
        ) from None
    finally:
        loader.dispose()
    return tree, problems


def _nfc(text: str) -> str:
    """One spelling per text: "Quảng Ninh" typed on a Mac (decomposed) is the same area."""
    return unicodedata.normalize("NFC", text)


def load_program(path: Path | str) -> Program:
    """Read and validate a targets file; TargetsFileError lists every problem found."""
    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TargetsFileError(
            [
                Problem(
                    file,
                    None,
                    None,
                    "the targets file does not exist; create it or point "
                    "TRACKER_TARGETS / --targets at it",
                )
            ]
        ) from None
    except OSError as e:
        raise TargetsFileError(
            [Problem(file, None, None, f"cannot read it: {e.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise TargetsFileError(
            [Problem(file, line, None, "is not UTF-8 text; save it as UTF-8")]
        ) from None
    program = parse_program(text, file)
    return _with_hash(program, hashlib.sha256(raw).hexdigest())


def _with_hash(program: Program, sha: str) -> Program:
    from dataclasses import replace

    return replace(program, source_sha256=sha)


def parse_program(text: str, file: str = "targets.yaml") -> Program:
    """Validate YAML text; see load_program."""
    root, duplicates = _compose(text, file)
    c = _Checker(file)
    c.problems.extend(duplicates)
    top = c.mapping(root, "the targets file", _TOP_KEYS) if root.value is not None else None
    if top is None:
        if root.value is None:
            c.bad(root, "the targets file is empty; it needs program, region and indicators")
        raise TargetsFileError(c.problems)

    name, name_vi = _bilingual(c, top, "program", root)
    region, region_vi = _bilingual(c, top, "region", root)
    tz = c.text(top, "timezone", "the targets file", default="UTC") or "UTC"
    _check_timezone(c, top.get("timezone"), tz)
    schedule = c.text(top, "schedule", "the targets file", default="0 6 1 * *") or "0 6 1 * *"
    _check_cron(c, top.get("schedule"), schedule)
    lang = c.choice(top, "lang", "the targets file", ("en", "vi"), "en")
    catch_up = c.choice(top, "catch_up", "the targets file", ("latest", "none"), "latest")
    c.split_year_end = _split_year_end(c, top.get("split_year_end"))
    thresholds, method, compare = _assessment(c, top.get("assessment"))
    rates = _rates(c, top.get("exchange_rates"))
    notify = _notify(c, top.get("notify"))
    public_read = _public_read(c, top.get("web"))

    indicators: dict[str, Indicator] = {}
    ind_nodes: dict[str, _Node] = {}
    inode = top.get("indicators")
    if inode is None:
        c.bad(root, 'the targets file has no "indicators"; add at least one')
    else:
        imap = c.mapping(inode, '"indicators"', set(inode.value or {}))
        for key, node in (imap or {}).items():
            if not re.match(r"^[A-Za-z][A-Za-z0-9_.-]*$", key):
                c.bad(
                    node,
                    f'indicator key "{key}" must start with a letter and use only '
                    "letters, digits, _ . -",
                    at_key=True,
                )
            ind_nodes[key] = node  # declared, even if invalid: ratio_of may name it
            ind = _indicator(c, key, node)
            if ind is not None:
                indicators[key] = ind
    _cross_checks(c, indicators, ind_nodes)
    if c.problems:
        raise TargetsFileError(c.problems)
    return Program(
        name=name,
        region=region,
        name_vi=name_vi,
        region_vi=region_vi,
        timezone=tz,
        schedule=schedule,
        lang=lang,
        catch_up=catch_up,  # type: ignore[arg-type]
        thresholds=thresholds,
        method=method,  # type: ignore[arg-type]
        compare=compare,
        split_year_end=c.split_year_end,
        exchange_rates=tuple(rates),
        indicators=indicators,
        notify=notify,
        public_read=public_read,
        source_path=file,
    )


def _bilingual(c: _Checker, top: dict[str, _Node], key: str, root: _Node) -> tuple[str, str]:
    """`key: text` or `key: {en: ..., vi: ...}` -> (English or plain text, Vietnamese or "")."""
    node = top.get(key)
    if node is not None and isinstance(node.value, dict):
        m = c.mapping(node, f'"{key}"', {"en", "vi"}) or {}
        en = c.text(m, "en", f'"{key}"', required=True, parent=node) or ""
        return en, c.text(m, "vi", f'"{key}"') or ""
    return c.text(top, key, "the targets file", required=True, parent=root) or "", ""


def _check_timezone(c: _Checker, node: _Node | None, tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        c.bad(node, f'unknown timezone "{tz}"; use an IANA name such as Asia/Ho_Chi_Minh')


def _check_cron(c: _Checker, node: _Node | None, cron: str) -> None:
    from tracker.cron import make_trigger, plainly_valid
    from tracker.errors import BadValue

    if plainly_valid(cron):  # the usual "0 6 1 * *": no need to load the scheduler
        return
    try:
        make_trigger(cron, "UTC", what="")  # the timezone is checked on its own line
    except BadValue as e:
        c.bad(node, str(e))


def _split_year_end(c: _Checker, node: _Node | None) -> str | None:
    if node is None or node.value is None:
        return None
    try:
        month, day = parse_month_day(str(node.value))
    except ValueError as e:
        c.bad(node, f'"split_year_end": {e}')
        return None
    return f"{month:02d}-{day:02d}"


def _assessment(c: _Checker, node: _Node | None) -> tuple[Thresholds, str, bool]:
    """assessment: {thresholds: {...}, method: statcan|unsd|linear, compare: true|false}"""
    if node is None:
        return Thresholds(), "statcan", False
    m = c.mapping(node, '"assessment"', {"thresholds", "method", "compare"})
    if not m:
        return Thresholds(), "statcan", False
    method = c.choice(m, "method", '"assessment"', METHODS, "statcan")
    compare = False
    if "compare" in m:
        if isinstance(m["compare"].value, bool):
            compare = m["compare"].value
        else:
            c.bad(m["compare"], f'"compare" must be true or false, not "{m["compare"].value}"')
    return _thresholds(c, m), method, compare


def _thresholds(c: _Checker, m: dict[str, _Node]) -> Thresholds:
    if "thresholds" not in m:
        return Thresholds()
    tm = c.mapping(
        m["thresholds"], '"thresholds"', {"on_track", "needs_acceleration", "limited_progress"}
    )
    if tm is None:
        return Thresholds()
    d = Thresholds()
    vals = {}
    for k in ("on_track", "needs_acceleration", "limited_progress"):
        vals[k] = getattr(d, k)
        if k in tm:
            v = c.number(tm[k], f'threshold "{k}"')
            if v is not None:
                vals[k] = v
    if not vals["on_track"] >= vals["needs_acceleration"] >= vals["limited_progress"]:
        c.bad(
            m["thresholds"],
            "thresholds must be ordered on_track >= needs_acceleration >= limited_progress",
        )
    return Thresholds(**vals)


def _rates(c: _Checker, node: _Node | None) -> list[ExchangeRate]:
    if node is None:
        return []
    if not isinstance(node.value, list):
        c.bad(node, '"exchange_rates" must be a list of {from, to, year, rate, source}')
        return []
    out: list[ExchangeRate] = []
    seen: dict[tuple[str, str, int], int] = {}
    for item in node.value:
        m = c.mapping(
            item, "an exchange rate", {"from", "to", "year", "rate", "source", "estimate", "note"}
        )
        if m is None:
            continue
        what = "an exchange rate"
        frm = (c.text(m, "from", what, required=True, parent=item) or "").upper()
        to = (c.text(m, "to", what, required=True, parent=item) or "").upper()
        source = c.text(m, "source", what, required=True, parent=item)
        year = rate = None
        if "year" not in m:
            c.bad(item, 'an exchange rate has no "year"; add it')
        elif isinstance(m["year"].value, int) and not isinstance(m["year"].value, bool):
            year = m["year"].value
        else:
            c.bad(m["year"], f'"year" must be a whole year such as 2024, not "{m["year"].value}"')
        if "rate" not in m:
            c.bad(item, 'an exchange rate has no "rate"; add it')
        else:
            rate = c.number(m["rate"], '"rate"')
            if rate is not None and rate <= 0:
                c.bad(m["rate"], '"rate" must be greater than 0')
                rate = None
        estimate = bool(m["estimate"].value) if "estimate" in m else False
        for ccy, k in ((frm, "from"), (to, "to")):
            if ccy and not re.match(r"^[A-Z]{3}$", ccy):
                c.bad(m[k], f'"{k}" must be a three-letter currency code such as USD or VND')
        if frm and to and frm == to:
            c.bad(item, "an exchange rate must be between two different currencies")
        if frm and to and year is not None and rate is not None and source:
            key = (min(frm, to), max(frm, to), year)
            if key in seen:
                c.bad(
                    item,
                    f"a second {frm}/{to} rate for {year} (first at line {seen[key]}); keep one",
                )
            seen[key] = item.line
            out.append(ExchangeRate(frm, to, year, rate, source, estimate))
    return out


def _notify(c: _Checker, node: _Node | None) -> Notify:
    if node is None:
        return Notify()
    m = c.mapping(node, '"notify"', {"command", "webhook"})
    if m is None:
        return Notify()
    hook = c.text(m, "webhook", '"notify"')
    if hook and not re.match(r"^https?://", hook):
        c.bad(m["webhook"], '"webhook" must be an http:// or https:// URL')
    command = c.text(m, "command", '"notify"')
    if command is not None:
        import shlex

        try:
            words = shlex.split(command)
        except ValueError as e:
            c.bad(
                m["command"],
                f'notify.command "{command}" cannot be split into words ({e}); check its quotes',
            )
        else:
            if not words:
                c.bad(m["command"], "notify.command is empty; remove it or fill it")
    return Notify(command=command, webhook=hook)


def _public_read(c: _Checker, node: _Node | None) -> bool:
    """`web: {public_read: true}`: the web page's reading pages need no account."""
    if node is None:
        return False
    m = c.mapping(node, '"web"', {"public_read"})
    flag = (m or {}).get("public_read")
    if flag is None:
        return False
    if not isinstance(flag.value, bool):
        c.bad(flag, f'"public_read" of "web" must be true or false, not "{flag.value}"')
        return False
    return flag.value


def _indicator(c: _Checker, key: str, node: _Node) -> Indicator | None:
    what = f'indicator "{key}"'
    m = c.mapping(node, what, _INDICATOR_KEYS)
    if m is None:
        return None
    n_before = len(c.problems)
    name_en = name_vi = key
    if "name" in m:
        nn = m["name"]
        if isinstance(nn.value, dict):
            nm = c.mapping(nn, f'"name" of {what}', {"en", "vi"}) or {}
            name_en = c.text(nm, "en", f'"name" of {what}') or key
            name_vi = c.text(nm, "vi", f'"name" of {what}') or name_en
        else:
            name_en = name_vi = c.text(m, "name", what) or key
    kind = c.choice(m, "kind", what, ("number", "milestone", "measure"), "number")
    direction = c.choice(m, "direction", what, ("increase", "decrease"), "increase")
    trend = c.choice(m, "trend", what, ("compound", "linear"), "compound")
    unit = c.text(
        m,
        "unit",
        what,
        required=kind != "milestone",
        parent=node,
        default="yes/no" if kind == "milestone" else "",
    )
    unit_node = m.get("unit")
    parsed_unit = None
    if unit:
        try:
            parsed_unit = parse_unit(unit)
        except UnitError as e:
            c.bad(unit_node, str(e))
        if kind == "milestone" and parsed_unit is not None and parsed_unit.kind != "milestone":
            c.bad(unit_node, f'{what} is a milestone: its unit must be "yes/no" (or leave it out)')
        if kind != "milestone" and parsed_unit is not None and parsed_unit.kind == "milestone":
            c.bad(unit_node, f'{what} has unit "{unit}": add "kind: milestone" for a yes/no goal')
    report_every = None
    if "report_every" in m:
        rv = str(m["report_every"].value).strip().lower()
        mm = _INTERVAL.match(rv)
        if mm and int(mm[1]) > 0:
            report_every = int(mm[1]) * _INTERVAL_MONTHS[mm[2]]
        else:
            c.bad(
                m["report_every"],
                f'"report_every" of {what} must be like 1y, 6m or 1q, '
                f'not "{m["report_every"].value}"',
            )
    baseline = None
    if "baseline" in m:
        bn = m["baseline"]
        bm = c.mapping(bn, f'"baseline" of {what}', {"date", "value", "unit", "source", "note"})
        if bm is not None:
            bdate = c.day(bm["date"], "baseline date") if "date" in bm else None
            if "date" not in bm:
                c.bad(bn, f'"baseline" of {what} has no "date"; add it')
            bval = (
                _goal_value(c, bm.get("value"), kind, "baseline value") if "value" in bm else None
            )
            # No value: the base point is the reading of that period (it has its source).
            bsrc = c.text(bm, "source", f'"baseline" of {what}', required="value" in bm, parent=bn)
            bunit = c.text(bm, "unit", f'"baseline" of {what}')
            if bunit and parsed_unit and bval is not None:
                from tracker.units import convert

                try:
                    bval, _ = convert(
                        bval, parse_unit(bunit), parsed_unit, bdate.year if bdate else 0
                    )
                except UnitError as e:
                    c.bad(bm["unit"], str(e))
            if "value" not in bm and "unit" in bm:
                c.bad(bm["unit"], f'"baseline" of {what} has a unit but no value; give both')
            if bdate and (("value" not in bm) or (bval is not None and bsrc)):
                baseline = Baseline(bdate, bval, bsrc)
    limit_factor = 1.0
    if "limit_factor" in m:
        lf = c.number(m["limit_factor"], f'"limit_factor" of {what}')
        if lf is not None and not 0 <= lf <= 1:
            c.bad(
                m["limit_factor"],
                f'"limit_factor" of {what} must be between 0 and 1 (1: no natural limit near; '
                "0: the base value sits on the limit)",
            )
        elif lf is not None:
            limit_factor = lf
    ratio_of = None
    if "ratio_of" in m:
        rm = c.mapping(m["ratio_of"], f'"ratio_of" of {what}', {"numerator", "denominator"})
        if rm is not None:
            num = c.text(rm, "numerator", '"ratio_of"', required=True, parent=m["ratio_of"])
            den = c.text(rm, "denominator", '"ratio_of"', required=True, parent=m["ratio_of"])
            if num and den:
                ratio_of = (num, den)
            if parsed_unit is not None and parsed_unit.kind != "percent":
                c.bad(m["ratio_of"], f"{what} is a ratio of two counts: its unit must be percent")
    bounds = _bounds(c, m.get("bounds"), what) if "bounds" in m else None
    targets: list[Target] = []
    if "targets" in m and m["targets"].value is not None:
        tnode = m["targets"]
        if not isinstance(tnode.value, list):
            c.bad(tnode, f'"targets" of {what} must be a list')
        else:
            seen: dict[date, int] = {}
            for item in tnode.value:
                t = _target(c, key, kind, direction, item)
                if t is None:
                    continue
                if t.deadline in seen:
                    c.bad(
                        item,
                        f"{what} has two targets for {t.deadline.isoformat()} (the other "
                        f"at line {seen[t.deadline]}); keep one, or give it a stretch value",
                    )
                    continue
                seen[t.deadline] = item.line
                targets.append(t)
    if baseline is not None and targets:
        first = min(targets, key=lambda t: t.deadline)
        if baseline.date >= first.deadline:
            c.bad(
                m["baseline"].value["date"],
                f"the baseline of {what} is dated {baseline.date.isoformat()}, not before the "
                f"deadline {first.deadline.isoformat()} of its target at line {first.line}; "
                "a baseline is where progress is measured from: date it before the deadlines",
            )
    if len(c.problems) > n_before:
        return None
    return Indicator(
        key=key,
        name_en=name_en,
        name_vi=name_vi,
        unit=unit or "yes/no",
        kind=kind,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        trend=trend,  # type: ignore[arg-type]
        report_every_months=report_every,
        baseline=baseline,
        limit_factor=limit_factor,
        ratio_of=ratio_of,
        bounds=bounds,
        targets=tuple(sorted(targets, key=lambda t: t.deadline)),
    )


def _improve(c: _Checker, node: _Node, kind: str, key: str) -> float | None:
    """`improve: true`: a goal without a number; its value is NaN (no target value)."""
    if kind == "milestone":
        c.bad(node, f'indicator "{key}" is a milestone: its target is "done: true"')
        return None
    if node.value is not True:
        c.bad(
            node,
            f'"improve" can only be true (keep improving in the indicator\'s direction), '
            f'not "{str(node.value).lower()}"; for a number use at_least / at_most',
        )
        return None
    return float("nan")


def _bounds(c: _Checker, node: _Node | None, what: str) -> tuple[float, float] | None:
    """`bounds: [min, max]`: the values a reading of this indicator can take (both included)."""
    if node is None or not isinstance(node.value, list) or len(node.value) != 2:
        c.bad(node, f'"bounds" of {what} must be a list of two numbers [min, max], e.g. [0, 100]')
        return None
    lo, hi = (c.number(n, f'"bounds" of {what}') for n in node.value)
    if lo is None or hi is None:
        return None
    if not lo < hi:
        c.bad(
            node, f'"bounds" of {what} must be [min, max] with min below max, not [{lo:g}, {hi:g}]'
        )
        return None
    return (lo, hi)


def _goal_value(c: _Checker, node: _Node | None, kind: str, what: str) -> float | None:
    if node is None:
        return None
    if kind == "milestone":
        if isinstance(node.value, bool):
            return 1.0 if node.value else 0.0
        c.bad(node, f'{what} of a milestone must be yes/true or no/false, not "{node.value}"')
        return None
    if isinstance(node.value, bool):
        c.bad(
            node,
            f'{what} must be a number; "{node.value}" is yes/no — for a yes/no goal '
            'add "kind: milestone" to the indicator',
        )
        return None
    return c.number(node, what)


def _target(c: _Checker, key: str, kind: str, direction: str, node: _Node) -> Target | None:
    what = f'a target of "{key}"'
    m = c.mapping(node, what, _TARGET_KEYS)
    if m is None:
        return None
    n_before = len(c.problems)
    deadline = None
    if "by" not in m:
        c.bad(node, f'{what} has no "by" (its deadline: a year or a date); add it')
    else:
        deadline = c.day(m["by"], f'"by" of {what}')
    comps = [k for k in COMPARATORS if k in m]
    value = None
    comparator = None
    if len(comps) != 1:
        c.bad(
            node,
            f"{what} needs exactly one of {', '.join(COMPARATORS)}"
            + (f" (it has {', '.join(comps)})" if comps else ""),
        )
    else:
        comparator = comps[0]
        if comparator == "improve":
            value = _improve(c, m["improve"], kind, key)
        elif comparator == "done" and kind != "milestone":
            c.bad(
                m["done"],
                f'"done" is for milestones; add "kind: milestone" to indicator '
                f'"{key}" or use at_least / at_most',
            )
        elif comparator != "done" and kind == "milestone":
            c.bad(m[comparator], f'indicator "{key}" is a milestone: its target is "done: true"')
        else:
            value = _goal_value(c, m[comparator], kind, f'"{comparator}"')
    stretch = None
    if "stretch" in m:
        stretch = c.number(m["stretch"], '"stretch"')
        if comparator == "improve":
            c.bad(m["stretch"], "a goal without a number (improve: true) has no stretch value")
        elif stretch is not None and value is not None and comparator:
            upward = comparator in ("at_least", "more_than")
            downward = comparator in ("at_most", "less_than")
            if (
                (upward and stretch <= value)
                or (downward and stretch >= value)
                or not (upward or downward)
            ):
                side = "above" if upward else "below"
                c.bad(
                    m["stretch"],
                    f"stretch {stretch:g} is on the wrong side of the goal "
                    f"{value:g}: it must be {side} it"
                    if (upward or downward)
                    else "a stretch needs an at_least / more_than / at_most / less_than goal",
                )
    tid = c.text(m, "id", what)
    if len(c.problems) > n_before or deadline is None or comparator is None or value is None:
        return None
    year_end = deadline.month == 12 and deadline.day == 31
    return Target(
        id=tid or f"{key}@{deadline.year if year_end else deadline.isoformat()}",
        indicator=key,
        deadline=deadline,
        comparator=comparator,  # type: ignore[arg-type]
        value=value,
        stretch=stretch,
        line=node.line,
    )


def _cross_checks(c: _Checker, indicators: dict[str, Indicator], nodes: dict[str, _Node]) -> None:
    ids: dict[str, int] = {}
    for key, ind in indicators.items():
        for t in ind.targets:
            if t.id in ids:
                c.problems.append(
                    Problem(
                        c.file,
                        t.line,
                        None,
                        f'target id "{t.id}" is used '
                        f"twice (also at line {ids[t.id]}); ids must be unique",
                    )
                )
            ids[t.id] = t.line or 0
        if ind.ratio_of:
            node = nodes[key].value.get("ratio_of")
            for part in ind.ratio_of:
                other = indicators.get(part)
                if part not in nodes:
                    c.bad(
                        node,
                        f'"ratio_of" of indicator "{key}" names "{part}", which is not '
                        "an indicator in this file",
                    )
                elif other is not None and parse_unit(other.unit).kind != "count":
                    c.bad(
                        node,
                        f'"ratio_of" of indicator "{key}": "{part}" must be a count, '
                        f'not "{other.unit}"',
                    )
