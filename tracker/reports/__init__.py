"""Gap reports: the gaps frame written as JSON, CSV, Markdown, HTML and XLSX, atomically.

    from tracker.reports import ReportContext, write_report, update_latest_pointer

    ctx = ReportContext(program=program.name, region=program.region, as_of=as_of,
                        generated_at=datetime.now(tz), lang="vi")
    paths = write_report(gaps, readings, ctx, reports_dir / as_of.isoformat())
    update_latest_pointer(reports_dir, reports_dir / as_of.isoformat())

`gaps` has the columns of frames.GAP_COLUMNS (from assess.assess); `readings` those
of frames.READING_COLUMNS (used for the HTML charts, the conversions used and the
XLSX "readings" sheet). JSON and CSV are the machine contract; Markdown, HTML, XLSX and
DOCX are for people, in `ctx.lang` (content.py says what they say).

A report folder is all or nothing: the files are built in a hidden sibling folder,
flushed to disk, and only then swapped in place of `out_dir`. A crash at any moment
leaves either the previous report or the new one, never half of one. (A crash inside
the swap itself can leave `out_dir` briefly absent, with the old report still in its
hidden `.<name>.old-*` sibling; it is never a mixture.)
"""

from __future__ import annotations

import importlib
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from tracker.outpaths import check_report_folder

from .context import Change, FailedRun, ReadingRef, ReportContext
from .rows import check_gaps
from .tabular import write_csv, write_json

__all__ = [
    "FORMATS",
    "preload",
    "WRITERS",
    "Change",
    "FailedRun",
    "ReadingRef",
    "ReportContext",
    "update_latest_pointer",
    "write_report",
]

FORMATS = ("json", "csv", "md", "html", "xlsx", "docx")

Writer = Callable[[pd.DataFrame, pd.DataFrame, ReportContext, Path], None]


def _on_call(module: str, name: str) -> Writer:
    """The writer `name` of `module`, imported when a report of that format is written: a
    run that writes JSON and CSV (a script's, a benchmark's) pays nothing for the others."""

    def write(gaps: pd.DataFrame, readings: pd.DataFrame, ctx: ReportContext, path: Path) -> None:
        getattr(importlib.import_module(module, __name__), name)(gaps, readings, ctx, path)

    return write


# format -> writer; write_report looks writers up here at call time.
WRITERS: dict[str, Writer] = {
    "json": write_json,
    "csv": write_csv,
    "md": _on_call(".markdown", "write_markdown"),
    "html": _on_call(".html", "write_html"),
    "xlsx": _on_call(".xlsx", "write_xlsx"),
    "docx": _on_call(".word", "write_docx"),
}
LATEST_LINK = "latest"
LATEST_FILE = "LATEST"


def preload() -> None:
    """Import the libraries the XLSX and DOCX writers load lazily (openpyxl, python-docx).

    A one-shot `tracker run` pays for them only when it writes those formats; a
    long-running process (the scheduler, a web server) calls this once at start so
    that its first report is not late by a second of imports."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    for module in (".markdown", ".html", ".xlsx", ".word"):
        importlib.import_module(module, __name__)


def file_name(fmt: str) -> str:
    return f"gap-report.{fmt}"


def write_report(
    gaps: pd.DataFrame,
    readings: pd.DataFrame,
    ctx: ReportContext,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Write `gap-report.<fmt>` for each format into `out_dir`, replacing it as a whole.

    Returns the written paths (inside `out_dir`), in the order of `formats`.
    Raises ValueError for an unknown format or a gaps frame without the contract
    columns, and BadValue when `out_dir` is something other than a new or empty folder or
    a previous report (outpaths.check_report_folder), before anything is written. If a
    writer fails, `out_dir` is untouched and the temporary folder is removed; the
    writer's exception propagates.
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(
            f"unknown report format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
        )
    check_gaps(gaps)
    wanted = list(dict.fromkeys(formats))  # duplicates would only write a file twice

    out_dir = Path(out_dir)
    check_report_folder(out_dir)  # a report replaces its folder: only ever one of ours
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{secrets.token_hex(6)}"
    tmp.mkdir()
    try:
        for fmt in wanted:
            WRITERS[fmt](gaps, readings, ctx, tmp / file_name(fmt))
        for fmt in wanted:
            _fsync_file(tmp / file_name(fmt))
        _fsync_dir(tmp)
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / file_name(fmt) for fmt in wanted]


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Put `tmp` at `out_dir`; a previous `out_dir` is moved aside first, then removed."""
    old: Path | None = None
    if out_dir.exists() or out_dir.is_symlink():
        old = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(6)}"
        os.rename(out_dir, old)
    try:
        os.rename(tmp, out_dir)
    except BaseException:
        if old is not None:  # put the previous report back rather than leave nothing
            os.rename(old, out_dir)
        raise
    _fsync_dir(out_dir.parent)
    if old is None:
        return
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()


def update_latest_pointer(reports_dir: Path, run_dir: Path) -> None:
    """Point `reports_dir/latest` at `run_dir` (a relative symlink, swapped atomically).

    `reports_dir/LATEST` is always written too: a text file holding `run_dir`'s path
    relative to `reports_dir` (for a run folder inside it, just its name; no newline),
    for readers and file systems that have no symlinks. Where a symlink cannot be
    made (Windows without the privilege, some network shares) only LATEST is updated.
    """
    reports_dir, run_dir = Path(reports_dir), Path(run_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    relative = os.path.relpath(run_dir, reports_dir)

    # LATEST first: if the process dies between the two, the text file is already right.
    tmp_file = reports_dir / f".{LATEST_FILE}.tmp-{secrets.token_hex(6)}"
    try:
        with tmp_file.open("w", encoding="utf-8") as f:
            f.write(relative)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_file, reports_dir / LATEST_FILE)
    except BaseException:
        tmp_file.unlink(missing_ok=True)
        raise

    tmp_link = reports_dir / f".{LATEST_LINK}.tmp-{secrets.token_hex(6)}"
    try:
        os.symlink(relative, tmp_link, target_is_directory=True)
    except (OSError, NotImplementedError):
        return  # no symlinks here: LATEST (written above) is the pointer
    try:
        # os.replace swaps a symlink atomically; it cannot replace a real folder named
        # "latest", and that folder is someone else's: leave it, keep the error visible.
        os.replace(tmp_link, reports_dir / LATEST_LINK)
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        raise
    _fsync_dir(reports_dir)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once its directory is flushed. Windows cannot open
    # a directory for fsync; there the rename is as durable as the OS makes it.
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
