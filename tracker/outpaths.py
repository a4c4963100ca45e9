"""Where tracker may write: it replaces only what it made itself.

A report folder (`run --out DIR`, or REPORTS/<as_of>) is replaced as a whole, so it must be
new, empty, or a previous report (nothing in it but `gap-report.*` files). An export file
(`export --out FILE`) is replaced, so it must be new, empty, or a previous export (its
first line is the export header). Anything else — a folder of someone's work, a plain
file, a device such as /dev/full, a symbolic link — is refused before anything is written:

    >>> check_report_folder(Path("docs"))
    BadValue: docs holds files that are not a tracker report (thesis.txt); ...

Killed runs leave hidden temporary folders next to the report (`.<name>.tmp-<hex>`,
`.<name>.old-<hex>`); `clean_stale_temp` removes those old enough not to be a live run's.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.errors import BadValue

REPORT_FILE = re.compile(r"^gap-report\.[A-Za-z0-9]+$")
STALE_TEMP_AGE = timedelta(hours=1)  # no live run keeps a temporary report folder this long
_TEMP_NAME = re.compile(r"^\..+\.(tmp|old)-[0-9a-f]+$")  # what reports/ writes, then renames
_SHOWN_NAMES = 3


def check_report_folder(path: Path) -> None:
    """BadValue unless `path` is absent, an empty folder, or a previous tracker report."""
    path = Path(path)
    try:
        what = _kind(path)
        foreign = (
            sorted(e.name for e in os.scandir(path) if not _is_report_entry(e))
            if what == "folder"
            else []
        )
    except FileNotFoundError:  # absent, or another run is swapping its report in right now
        return
    if what != "folder":
        raise BadValue(
            f"{path} is {what}, not a folder; tracker writes the report as a folder and "
            "replaces nothing it did not make: give a new folder name with --out"
        )
    here = Path.cwd().resolve()
    target = path.resolve()
    if target == here or target in here.parents:
        raise BadValue(
            f"{path} is the current folder (or holds it); give a new folder name with --out"
        )
    if foreign:
        shown = ", ".join(foreign[:_SHOWN_NAMES]) + (", ..." if len(foreign) > _SHOWN_NAMES else "")
        raise BadValue(
            f"{path} holds files that are not a tracker report ({shown}); a report replaces "
            "its whole folder, so tracker will not write there: give a new or empty folder"
        )


def check_export_file(path: Path, headers: tuple[str, ...]) -> None:
    """BadValue unless `path` is absent, an empty file, or a previous export (first line
    one of `headers`)."""
    path = Path(path)
    if not os.path.lexists(path):
        return
    what = _kind(path)
    if what == "folder":
        raise BadValue(
            f"{path} is a folder; give the export a file name, e.g. --out {path / 'readings.csv'}"
        )
    if what != "a file":
        raise BadValue(
            f"{path} is {what}, not a plain file; tracker replaces only files it wrote: "
            "give another file name, or leave --out out to write to the terminal"
        )
    with path.open("rb") as fh:
        first = fh.readline(max(len(h) for h in headers) + 2)
    if first and first.rstrip(b"\r\n") not in {h.encode() for h in headers}:
        raise BadValue(
            f"{path} already exists and is not a tracker export; tracker will not replace "
            "it: give another file name"
        )


def _kind(path: Path) -> str:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    return "not a regular file"


def _is_report_entry(entry: os.DirEntry[str]) -> bool:
    return entry.is_file(follow_symlinks=False) and bool(REPORT_FILE.match(entry.name))


def clean_stale_temp(folder: Path, now: datetime | None = None) -> list[Path]:
    """Remove temporary report folders older than STALE_TEMP_AGE (left by a hard kill)."""
    if not folder.is_dir():
        return []
    cutoff = (now or datetime.now(UTC)).timestamp() - STALE_TEMP_AGE.total_seconds()
    removed = []
    for entry in folder.iterdir():
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if entry.lstat().st_mtime > cutoff:  # maybe a run in progress in another process
                continue
            if entry.is_dir() and not entry.is_symlink():
                if not all(_is_report_entry(e) for e in os.scandir(entry)):
                    continue  # the name is ours but the content is not a report: keep it
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue
        except OSError:  # not ours to fight over (read-only, another owner): leave it
            continue
        removed.append(entry)
    return removed
