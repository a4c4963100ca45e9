"""`tracker validate`: everything a run would read, checked without writing anything.

The targets file (load_program raises on it), then every reading file of the readings
folder as a dry run of the import (the same rules, nothing written: the store is not
even opened), then the units: an indicator whose unit matches none of its readings'
units is named with both places and the closest reading unit ("did you mean").

    >>> report = validate_all(program, Path("actuals"))
    >>> report.problems, report.files, report.rows
    ([], 1, 16)
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

from tracker.errors import Problem, ReadingsFileError, UnitError
from tracker.model import Program
from tracker.store.rules import compatible
from tracker.units import parse_unit


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    rows: int = 0


def validate_all(program: Program, actuals: Path) -> ValidationReport:
    """Problems of the reading files in `actuals` and of the units they use against
    `program` (already loaded, so the targets file itself is valid)."""
    import pandas as pd

    from tracker.store.readingfile import decode_utf8, parse_reading_table
    from tracker.store.rules import Rules, cross_problems
    from tracker.store.sync import display_name, reading_files

    report = ValidationReport()
    if not actuals.is_dir():
        return report
    used: dict[str, list[tuple[str, str]]] = {}  # indicator -> [(unit, "file:line")]
    for path in reading_files(actuals):
        shown = display_name(path)
        report.files += 1
        try:
            text = decode_utf8(path.read_bytes(), shown)
            _units_used(text, shown, used)
            table = parse_reading_table(text, shown, program)
        except ReadingsFileError as e:
            report.problems.extend(e.problems)
            continue
        except OSError as e:
            report.problems.append(Problem(shown, None, None, f"cannot read it: {e.strerror}"))
            continue
        report.rows += len(table)
        batch = pd.DataFrame(
            {
                "indicator": table.indicator,
                "area": table.area,
                "period_date": table.period_date,
                "value": table.value,
                "unit": table.unit,
                "confirmed": table.confirmed,
                "pos": range(len(table)),
                "where": [f"line {ln}" for ln in table.line.tolist()],
            }
        )
        stored = batch.iloc[0:0].drop(columns=["pos", "confirmed"])
        for pos, found in sorted(cross_problems(Rules(program), batch, stored).items()):
            line = int(table.line[pos])
            report.problems.extend(Problem(shown, line, None, str(p)) for p in found)
    report.problems.extend(_unmatched_units(program, used))
    return report


def _units_used(text: str, shown: str, used: dict[str, list[tuple[str, str]]]) -> None:
    """Each indicator's units as the file writes them, with where (a light read: the
    rules say what else is wrong with a row)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        if "indicator" not in header or "unit" not in header:
            return
        i, u = header.index("indicator"), header.index("unit")
        for record in reader:
            if len(record) == len(header):
                used.setdefault(record[i].strip(), []).append(
                    (record[u].strip(), f"{shown}:{reader.line_num}")
                )
    except (csv.Error, StopIteration):
        return


def _unmatched_units(program: Program, used: dict[str, list[tuple[str, str]]]) -> list[Problem]:
    problems = []
    lines = _unit_positions(program)
    for key, ind in program.indicators.items():
        readings = used.get(key)
        if not readings or ind.kind == "milestone":
            continue
        try:
            target = parse_unit(ind.unit)
        except UnitError:
            continue

        def matches(text: str, target=target, key=key) -> bool:
            try:
                compatible(parse_unit(text), target, key)
            except UnitError:
                return False
            return True

        if any(matches(u) for u, _ in readings):
            continue
        units = sorted({u for u, _ in readings})
        first = {u: w for u, w in reversed(readings)}
        close = difflib.get_close_matches(ind.unit, units, n=1, cutoff=0.6)
        guess = close[0] if close else units[0]
        line, col = lines.get(key, (None, None))
        problems.append(
            Problem(
                program.source_path,
                line,
                col,
                f'the unit "{ind.unit}" of "{key}" matches none of its readings\' units '
                f'("{guess}" at {first[guess]}); did you mean "{guess}"?',
            )
        )
    return problems


def _unit_positions(program: Program) -> dict[str, tuple[int, int]]:
    """line:col of each indicator's `unit` in the targets file (for the messages above)."""
    from tracker.targets import _compose

    try:
        text = Path(program.source_path).read_text(encoding="utf-8")
        root, _ = _compose(text, program.source_path)
    except Exception:  # the file was valid a moment ago; without positions, say the file
        return {}
    out = {}
    top = root.value if isinstance(root.value, dict) else {}
    inds = top.get("indicators")
    if inds is not None and isinstance(inds.value, dict):
        for key, node in inds.value.items():
            if isinstance(node.value, dict) and "unit" in node.value:
                unit = node.value["unit"]
                out[key] = (unit.line, unit.col)
    return out
