"""tracker: declared goals vs recorded readings, assessed on a schedule, written as gap reports.

Data flows one way: targets + readings -> assessment -> reports.

    targets.py   targets.yaml -> Program (model.py)
    store/       the readings ledger (Core tables), import/sync, queries as DataFrames, accounts
    assess.py    pure pandas: (program, readings, as_of) -> gaps frame
    reports/     gaps frame -> Markdown, HTML, CSV, JSON, XLSX
    job.py       the one function `tracker run` and the scheduler both call
    schedule.py  APScheduler wiring over the run ledger
    api.py       the functions the command line and the web page share
    web/         `tracker serve`: pages and forms over the same functions
    cli.py       thin typer front end

The public API is importable from here (`from tracker import run_job, RunRequest`); each
name is loaded on first use, so `import tracker` and `tracker --help` stay fast (no pandas).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that owns it
_EXPORTS = {
    "Settings": "tracker.settings",
    "load_program": "tracker.targets",
    "open_store": "tracker.store.database",
    "record_reading": "tracker.store.record",
    "ReadingRefused": "tracker.store.record",
    "Recorded": "tracker.store.record",
    "import_files": "tracker.api",
    "correct_reading": "tracker.store.ledger",
    "retract_reading": "tracker.store.ledger",
    "list_readings": "tracker.store.queries",
    "readings_frame": "tracker.store.queries",
    "run_job": "tracker.job",
    "RunRequest": "tracker.job",
    "RunResult": "tracker.job",
    "recent_runs": "tracker.store.runs",
    "target_history": "tracker.store.runs",
    "status_text": "tracker.status",
    "assess": "tracker.assess",
    "write_report": "tracker.reports",
    "TrackerError": "tracker.errors",
    "InputError": "tracker.errors",
    "StoreError": "tracker.errors",
    "Problem": "tracker.errors",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from tracker.api import import_files  # noqa: F401
    from tracker.assess import assess  # noqa: F401
    from tracker.errors import InputError, Problem, StoreError, TrackerError  # noqa: F401
    from tracker.job import RunRequest, RunResult, run_job  # noqa: F401
    from tracker.reports import write_report  # noqa: F401
    from tracker.settings import Settings  # noqa: F401
    from tracker.status import status_text  # noqa: F401
    from tracker.store.database import open_store  # noqa: F401
    from tracker.store.ledger import correct_reading, retract_reading  # noqa: F401
    from tracker.store.queries import list_readings, readings_frame  # noqa: F401
    from tracker.store.record import ReadingRefused, Recorded, record_reading  # noqa: F401
    from tracker.store.runs import recent_runs, target_history  # noqa: F401
    from tracker.targets import load_program  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # next time, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
