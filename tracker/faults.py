"""The machine's problems, in a sentence: a full disk, a read-only folder, a missing one.

They are not tracker's bugs and not the user's typing, so the CLI says what happened and
where (exit 1) instead of "internal error". `plain_fault` recognises them wherever they
surface: a Python OSError, or the database driver's own words wrapped by SQLAlchemy.

    >>> plain_fault(OSError(errno.ENOSPC, "No space left on device", "reports/x"))
    'the disk is full (writing reports/x); free some space and run the command again. ...'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re

_UNCHANGED = "Nothing was half-written: the store and the previous report are as they were."

# Substrings of database-driver messages for the same faults (SQLite, PostgreSQL).
_DB_DISK_FULL = ("database or disk is full", "no space left on device", "could not extend file")
_DB_READ_ONLY = ("attempt to write a readonly database", "readonly database")


# The hidden siblings tracker writes before renaming (fileio, reports): name their folder.
_TEMP = re.compile(r"^\..+\.(tmp|old)-[0-9a-f]+$|^\..+\.tmp$")


def _shown(filename: object) -> str:
    if not filename:
        return ""
    path = os.fsdecode(filename) if isinstance(filename, str | bytes) else str(filename)
    folder, base = os.path.split(path)
    shown = (folder or ".") if _TEMP.match(base) else path
    if os.path.isabs(shown):  # tempfile makes paths absolute; say them as the user did
        with contextlib.suppress(ValueError):
            rel = os.path.relpath(shown)
            shown = shown if rel.startswith("..") else rel
    return shown


def plain_fault(e: BaseException) -> str | None:
    """A sentence for a fault of the machine, or None when `e` is something else."""
    oserror = e if isinstance(e, OSError) else None
    orig = getattr(e, "orig", None)  # SQLAlchemy's wrapper of a driver error
    if isinstance(orig, OSError):
        oserror = orig
    if oserror is not None and oserror.errno is not None:
        name = _shown(oserror.filename)
        where = f" ({name})" if name else ""
        if oserror.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full{where}; free some space and run the command again. " + (
                _UNCHANGED
            )
        if oserror.errno == errno.EROFS:
            return f"{name or 'the folder'} is on a read-only disk; choose another folder"
        if oserror.errno in (errno.EACCES, errno.EPERM):
            return (
                f"permission denied{where}: tracker cannot write there; choose a folder you "
                "can write to, or ask for the right to write in it"
            )
        if oserror.errno == errno.ENOTDIR:
            return f"a part of the path{where} is a file, not a folder; check the path"
        if oserror.errno == errno.EISDIR:
            return f"{oserror.filename} is a folder; give a file name" if where else None
        if oserror.errno == errno.ENOENT and oserror.filename:
            return f"{oserror.filename} does not exist; check the path"
    text = str(orig if orig is not None else e).lower()
    if type(orig).__name__ == "DiskFull" or any(s in text for s in _DB_DISK_FULL):
        return "the disk is full (the database could not grow); free some space and run the " + (
            "command again. The transaction was rolled back: the store is as it was."
        )
    if "disk i/o error" in text:  # SQLite, when its journal cannot grow: a full disk, mostly
        return (
            "the database file could not be written (disk I/O error; usually the disk is "
            "full); free some space and run the command again. " + _UNCHANGED
        )
    if any(s in text for s in _DB_READ_ONLY):
        return (
            "the database file is read-only (or its folder is); tracker needs to write "
            "there: check its permissions"
        )
    return None
