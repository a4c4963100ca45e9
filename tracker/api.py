"""The library API: the functions the command line and the web page both call.

    from tracker import Settings, load_program, open_store, record_reading, run_job, RunRequest

    settings = Settings.from_env()
    program = load_program(settings.targets)
    engine = open_store(settings.database_url)
    rid = record_reading(engine, program, {"indicator": "communes_ntm", "date": "2025",
                                           "value": "91", "source": "Sở NN&PTNT"}, by="hanh")
    correct_reading(engine, program, rid, {"value": "92"}, by="hanh")
    retract_reading(engine, rid, reason="double-counted", by="hanh")
    import_files(engine, program, [Path("actuals/2025.csv")], settings.actuals)
    result = run_job(settings, RunRequest(lang="vi"), engine=engine)
    list_readings(engine, indicator="communes_ntm", history=True)
    target_history(engine, "communes_ntm@2025"), status_text(engine, program)

Every function raises a tracker.errors exception for a person's mistake (InputError:
bad input, exit 2 on the command line, a message next to the field on the web).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import BadValue, Problem

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.model import Program
    from tracker.store.sync import SyncResult


class ReadingRefused(BadValue):
    """A reading that breaks a rule; `problems` name the field each sentence is about
    ("" for the reading as a whole) and `held` says a confirmation would let it in."""

    def __init__(self, problems: list[Problem], *, held: bool = False) -> None:
        super().__init__(problems)
        self.held = held

    def by_field(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.file, []).append(p.message)
        return out

    def __str__(self) -> str:  # the sentences alone, as the command line prints them
        return "\n".join(p.message for p in self.problems)


# Which field a sentence of the reading rules is about (store/rowcheck.py words them).
_FIELD_OF = (
    ("date:", "date"),
    ("value:", "value"),
    ("unit:", "unit"),
    ("area:", "area"),
    ("qualifier", "qualifier"),
    ("the source", "source"),
    ("the indicator", "indicator"),
    ("unknown indicator", "indicator"),
)


def field_of(sentence: str) -> str:
    return next((f for start, f in _FIELD_OF if sentence.startswith(start)), "")


def record_reading(
    engine: Engine,
    program: Program,
    fields: dict[str, str],
    *,
    by: str,
    locale: str = "en",
    confirm: bool = False,
) -> int:
    """Check one reading typed by a person (fields as text) and record it; its id.

    Raises ReadingRefused with every problem, each tied to its field."""
    from tracker.store.ledger import add_reading
    from tracker.store.rowcheck import RowChecker

    ind = program.indicators.get((fields.get("indicator") or "").strip())
    if not (fields.get("unit") or "").strip() and ind is not None:
        fields = {**fields, "unit": ind.unit}
    row, errors = RowChecker(program).check(fields, locale=locale)
    if row is None:
        raise ReadingRefused([Problem(field_of(e), None, None, e) for e in errors])
    try:
        return add_reading(engine, row, by=by)
    except BadValue as e:
        raise ReadingRefused([Problem("", None, None, p.message) for p in e.problems]) from None


def import_files(
    engine: Engine, program: Program, paths: list[Path], actuals: Path, *, by: str = "import"
) -> list[SyncResult]:
    """Sync reading files into the store (see store/sync.py); one result per file."""
    from tracker.store.sync import sync_files

    return sync_files(engine, program, paths, actuals, by=by)
