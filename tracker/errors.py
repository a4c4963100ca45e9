"""Errors a user can cause, and the one error a program bug must not be mistaken for.

    TrackerError                 base; str(e) is a sentence for a person
     +-- InputError              bad input: exit code 2; carries every Problem found
     |    +-- TargetsFileError   targets.yaml is unreadable or invalid
     |    +-- ReadingsFileError  a reading file (CSV) has bad rows; nothing was imported
     |    +-- BadValue           a CLI argument (number, date, unit, ...) is wrong
     |    +-- UnknownIndicator   an indicator key not in targets.yaml
     |    +-- UnknownReading     a reading id that does not exist (or is not current)
     +-- UnitError               a unit cannot be read, or two units cannot be compared
     |    +-- NoExchangeRate     no declared rate for a currency pair and year
     +-- StoreError              the database cannot be opened / migrated (exit 1)

The CLI turns these into text at the edge; the library only raises.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place: rendered as `file:line:col: message`."""

    file: str
    line: int | None
    col: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}" if where else self.message


class TrackerError(Exception):
    """Base of every error tracker raises on purpose."""


class InputError(TrackerError):
    """Something a user gave is wrong; exit code 2. Holds every problem found."""

    def __init__(self, problems: list[Problem] | str, *, summary: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem("", None, None, problems)]
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.col or 0))
        self.summary = summary
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.summary:
            lines.append(self.summary)
        return "\n".join(lines)


class TargetsFileError(InputError):
    """targets.yaml cannot be read or does not describe a valid programme."""


class ReadingsFileError(InputError):
    """A reading file has bad rows; the whole file was refused and nothing was imported."""


class BadValue(InputError):
    """A value typed on the command line cannot be used."""


class UnknownIndicator(InputError):
    """An indicator key that targets.yaml does not declare."""


class UnknownReading(InputError):
    """A reading id that does not exist, or that was already superseded or retracted."""


class UnitError(TrackerError):
    """A unit cannot be read, or a reading's unit cannot be converted to its target's."""


class NoExchangeRate(UnitError):
    """No exchange rate is declared for a currency pair in a given year."""


class StoreError(TrackerError):
    """The database cannot be opened, migrated or written."""
