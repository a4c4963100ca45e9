"""The library API: the functions the command line and the web page both call.

    from tracker import Settings, load_program, open_store, record_reading, run_job, RunRequest

    settings = Settings.from_env()
    program = load_program(settings.targets)
    engine = open_store(settings.database_url)
    rid = record_reading(engine, program, {"indicator": "communes_ntm", "date": "2025",
                                           "value": "91", "source": "Sở NN&PTNT"}, by="hanh").id
    correct_reading(engine, program, rid, {"value": "92"}, by="hanh")
    retract_reading(engine, rid, reason="double-counted", by="hanh")
    import_files(engine, program, [Path("actuals/2025.csv")], settings.actuals)
    result = run_job(settings, RunRequest(lang="vi"), engine=engine)
    list_readings(engine, indicator="communes_ntm", history=True)
    target_history(engine, "communes_ntm@2025"), status_text(engine, program)

Every function raises a tracker.errors exception for a person's mistake (InputError:
bad input, exit 2 on the command line, a message next to the field on the web);
record_reading (tracker.store.record) raises ReadingRefused, whose problems name their
field and say whether a confirmation would let the reading in (`held`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import InputError
from tracker.store.record import ReadingRefused, Recorded, record_reading

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.model import Program
    from tracker.store.sync import SyncResult


# The words of a reading's rules start with the field they are about ("date: ...").
FIELDS = ("indicator", "area", "date", "value", "unit", "source", "qualifier", "note")


def field_of(sentence: str) -> str:
    """The field a rule's sentence is about ("date: ..." -> "date"); "" for the whole."""
    head, sep, _ = sentence.partition(": ")
    return head if sep and head in FIELDS else ""


def problems_by_field(e: InputError) -> dict[str, list[str]]:
    """{field: [sentence, ...]} of a refusal, each sentence as the command line prints it."""
    if isinstance(e, ReadingRefused):
        out: dict[str, list[str]] = {}
        for p in e.field_problems:
            out.setdefault(p.field, []).append(str(p))
        return out
    grouped: dict[str, list[str]] = {}
    for problem in e.problems:
        grouped.setdefault(field_of(problem.message), []).append(problem.message)
    return grouped


def import_files(
    engine: Engine, program: Program, paths: list[Path], actuals: Path, *, by: str = "import"
) -> list[SyncResult]:
    """Sync reading files into the store (see store/sync.py); one result per file."""
    from tracker.store.sync import sync_files

    return sync_files(engine, program, paths, actuals, by=by)


__all__ = [
    "ReadingRefused",
    "Recorded",
    "field_of",
    "import_files",
    "problems_by_field",
    "record_reading",
]
