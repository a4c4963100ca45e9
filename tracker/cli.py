"""The command line: parse, call one library function, print, map errors to exit codes.

Exit codes: 0 success (gaps are not failures), 2 bad input (file:line:col: message on
stderr), 1 anything else. Heavy libraries (pandas, SQLAlchemy) are imported inside the
commands so `tracker --help` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import math
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from tracker.errors import BadValue, InputError, TrackerError
from tracker.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.model import Program

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    help="tracker: declared goals vs recorded readings, assessed on a schedule, written as "
    "gap reports.\n\nSettings come from flags, then TRACKER_TARGETS, TRACKER_ACTUALS, "
    "TRACKER_REPORTS, TRACKER_DATABASE_URL, then the defaults (targets.yaml, actuals/, "
    "reports/, sqlite:///tracker.db in the current folder).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    """What the group callback prepares once for every command."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._program: Program | None = None
        self._engine: Engine | None = None

    @property
    def program(self) -> Program:
        if self._program is None:
            from tracker.targets import load_program

            self._program = load_program(self.settings.targets)
        return self._program

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from tracker.store.database import open_store

            if not self.settings.targets.is_file():
                # No programme here (wrong folder?): say so before a stray tracker.db is made.
                from tracker.targets import load_program

                load_program(self.settings.targets)  # raises, naming --targets / TRACKER_TARGETS

            self._engine = open_store(self.settings.database_url)
        return self._engine


F = TypeVar("F", bound=Callable[..., Any])


def _echo(message: str, err: bool = False) -> None:
    """Print for a person: control characters from data (escape sequences) shown, not run."""
    from tracker.terminal import visible

    typer.echo(visible(message), err=err)


def _nfc(text: str) -> str:
    """Text typed on the command line, in the one spelling the store uses (NFC)."""
    import unicodedata

    return unicodedata.normalize("NFC", text)


def handles_errors(fn: F) -> F:
    """Turn library errors into a sentence on stderr and the documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            _echo(str(e), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except TrackerError as e:
            _echo(f"error: {e}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except BrokenPipeError:
            # `tracker export | head`: the reader left; not an error. Point stdout at
            # devnull so the flush at exit does not fail again.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_OK) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as e:  # a bug, not the user's mistake: say so, keep the detail
            if os.environ.get("TRACKER_DEBUG"):
                raise
            from tracker.faults import plain_fault

            fault = plain_fault(e)  # the machine's problem (disk full, read-only): say which
            if fault is not None:
                _echo(f"error: {fault}", err=True)
                raise typer.Exit(EXIT_ERROR) from None
            _echo(
                f"internal error: {type(e).__name__}: {e}\n"
                "This is a bug in tracker, not in your input. Run again with "
                "TRACKER_DEBUG=1 for the details and report them.",
                err=True,
            )
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper  # type: ignore[return-value]


def _state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State) if ctx.obj is None else ctx.obj  # type: ignore[no-any-return]


@app.callback()
def main_callback(
    ctx: typer.Context,
    targets: Annotated[
        Path | None, typer.Option(help="Targets file [env TRACKER_TARGETS; default targets.yaml].")
    ] = None,
    actuals: Annotated[
        Path | None,
        typer.Option(help="Folder of reading files [env TRACKER_ACTUALS; default actuals/]."),
    ] = None,
    reports: Annotated[
        Path | None,
        typer.Option(help="Folder of gap reports [env TRACKER_REPORTS; default reports/]."),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy database URL [env TRACKER_DATABASE_URL; default sqlite:///tracker.db]."
        ),
    ] = None,
) -> None:
    ctx.obj = State(
        Settings.from_env(targets=targets, actuals=actuals, reports=reports, database_url=database)
    )


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers; the ledger still needs a name
        return "cli"


def _parse_date_option(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    from tracker.parsing import parse_period_end

    try:
        return parse_period_end(text)
    except ValueError as e:
        raise BadValue(f"{what}: {e}") from None


def _parse_moment(text: str | None, what: str) -> datetime | None:
    """YYYY-MM-DD[THH:MM[:SS]][+hh:mm]; naive means UTC."""
    if text is None:
        return None
    from datetime import UTC

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadValue(
            f'{what}: "{text}" is not a moment; write YYYY-MM-DD or '
            "YYYY-MM-DDTHH:MM (UTC unless an offset such as +07:00 is given)"
        ) from None
    if len(text.strip()) == 10:  # a bare day means "by the end of that day"
        from datetime import time

        moment = datetime.combine(moment.date(), time.max)  # no overflow on 9999-12-31
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last representable moment
        raise BadValue(f'{what}: "{text}" is outside the moments tracker can store') from None


# ---------------------------------------------------------------------------- validate


@app.command()
@handles_errors
def validate(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Targets file to check (default: the configured one).")
    ] = None,
) -> None:
    """Check everything a run would read: the targets file and every reading file (a dry
    run of the import: nothing is written), each problem as FILE:LINE:COL: message."""
    from tracker.targets import load_program
    from tracker.validation import validate_all

    st = _state(ctx)
    path = file or st.settings.targets
    program = load_program(path)
    report = validate_all(program, st.settings.actuals)
    if report.problems:
        raise InputError(
            report.problems,
            summary=f"{len(report.problems)} problem(s); nothing was changed. Fix them and run "
            "`tracker validate` again.",
        )
    n_targets = len(program.targets)
    _echo(
        f"{path}: OK — {program.name}: {len(program.indicators)} indicators, "
        f"{n_targets} targets, {len(program.exchange_rates)} exchange rates; "
        f"{st.settings.actuals}: {report.files} reading file(s), {report.rows} readings OK"
    )


# ---------------------------------------------------------------------------- readings


@app.command("import")
@handles_errors
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Reading files (CSV); default: every CSV in the readings folder."),
    ] = None,
    forget: Annotated[
        list[Path] | None,
        typer.Option(
            "--forget",
            help="Retract every reading imported from this file (one that is gone from the "
            "readings folder, say) and forget the file. Repeatable.",
        ),
    ] = None,
) -> None:
    """Sync reading files into the store: new rows are added, changed rows become corrections,
    removed rows are retracted. A file with any bad row imports nothing. A file moved or
    renamed inside the readings folder keeps its readings; one that is gone is reported."""
    from tracker.store.sync import forget_file, gone_files, reading_files, sync_files

    st = _state(ctx)
    if forget:
        for path in forget:
            n = forget_file(st.engine, path, st.settings.actuals, by=_who())
            _echo(f"{path}: forgotten; its {n} current readings were retracted")
        if not files:
            return
    paths = list(files) if files else reading_files(st.settings.actuals)
    results = sync_files(st.engine, st.program, paths, st.settings.actuals, by="import")
    _print_sync(results)
    for gone in gone_files(st.engine, st.settings.actuals):
        _echo(str(gone), err=True)
    bad = [r for r in results if not r.ok]
    if bad:
        raise InputError(
            [p for r in bad for p in r.problems],
            summary=f"{len(bad)} file(s) refused; nothing was imported from them. "
            "Fix the rows listed and run `tracker import` again.",
        )


def _print_sync(results: list[Any]) -> None:
    for r in results:
        if not r.ok:
            continue
        if r.skipped and r.moved_from:
            _echo(
                f"{r.file}: the same file as {r.moved_from}, moved or renamed; its "
                f"{r.unchanged} readings now come from {r.file}"
            )
        elif r.skipped:
            _echo(f"{r.file}: unchanged ({r.unchanged} readings)")
        else:
            _echo(
                f"{r.file}: {r.added} added, {r.corrected} corrected, "
                f"{r.retracted} retracted, {r.unchanged} unchanged"
            )


Locale = Annotated[
    str,
    typer.Option(
        "--locale", help='Number style of VALUE: "en" (84.14, 2240) or "vi" (84,14, 2.240).'
    ),
]


@app.command()
@handles_errors
def add(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="Indicator key from the targets file.")],
    value: Annotated[str, typer.Argument(help="The number, or yes/no for a milestone.")],
    date_: Annotated[
        str,
        typer.Option(
            "--date",
            help="Day the reading describes: YYYY-MM-DD, "
            "YYYY-MM or YYYY (a period means its last day); a split year 2015-16 or "
            "2015/2016 ends on the programme's split_year_end.",
        ),
    ],
    source: Annotated[str, typer.Option(help="Where the figure comes from.")],
    unit: Annotated[
        str | None,
        typer.Option(
            help="Unit as written (default: the indicator's unit), e.g. 'triệu đồng/người/năm'."
        ),
    ] = None,
    area: Annotated[
        str | None, typer.Option(help="Area (default: the programme's region).")
    ] = None,
    qualifier: Annotated[
        str | None,
        typer.Option(help="more_than | less_than | about | almost, when the figure is a bound."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Free text kept with the reading.")] = None,
    locale: Locale = "en",
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="The value is right although it jumps 10x against the previous reading "
            "(kept with the reading).",
        ),
    ] = False,
) -> None:
    """Record one reading. Every reading rule applies (the same as for a file); a value
    10 times (or a tenth of) the previous reading is held until you repeat it with --confirm."""
    from tracker.store.record import record_reading

    st = _state(ctx)
    indicator, source = _nfc(indicator), _nfc(source)
    unit, area, qualifier, note = (
        None if t is None else _nfc(t) for t in (unit, area, qualifier, note)
    )
    fields = {
        "indicator": indicator,
        "date": date_,
        "value": value,
        "unit": unit,
        "source": source,
        "area": area,
        "qualifier": qualifier,
        "note": note,
    }
    rec = record_reading(
        st.engine, st.program, fields, by=_who(), locale=_locale(locale), confirm=confirm
    )
    row = rec.row
    _echo(
        f"recorded reading {rec.id}: {row.indicator} = {_show(row.value)} {row.unit} "
        f"on {row.period_date.isoformat()} ({row.area})" + (", confirmed" if row.confirmed else "")
    )


def _locale(text: str) -> str:
    if text not in ("en", "vi"):
        raise BadValue(f'--locale must be "en" or "vi", not "{text}"')
    return text


def _show(v: float) -> str:
    if not math.isfinite(v) or abs(v) >= 1e15:  # whatever a store holds prints: 1e+30, inf
        return f"{v:g}"
    return f"{v:,.10g}" if v != int(v) else f"{int(v):,}"


@app.command()
@handles_errors
def correct(
    ctx: typer.Context,
    reading_id: Annotated[
        int, typer.Argument(help="Id of the reading to correct (`tracker readings` shows ids).")
    ],
    value: Annotated[
        str | None, typer.Argument(help="The corrected value (omit to keep it).")
    ] = None,
    date_: Annotated[str | None, typer.Option("--date", help="Corrected date.")] = None,
    unit: Annotated[str | None, typer.Option(help="Corrected unit.")] = None,
    source: Annotated[str | None, typer.Option(help="Corrected source.")] = None,
    qualifier: Annotated[
        str | None, typer.Option(help="Corrected qualifier ('' to clear).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Corrected note.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why it is corrected (kept in history).")
    ] = None,
    locale: Locale = "en",
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="The corrected value is right although it jumps 10x against the previous "
            "reading (kept with the reading).",
        ),
    ] = False,
) -> None:
    """Correct a reading: adds a revision that supersedes it; the old one stays in history.
    Every reading rule applies, as for `tracker add`; a corrected value 10 times (or a tenth
    of) the previous reading is held until you repeat it with --confirm."""
    from tracker.store.record import correct_reading

    st = _state(ctx)
    fields = {
        "value": value,
        "date": date_,
        "unit": unit,
        "source": source,
        "qualifier": qualifier,
        "note": note,
    }
    fields = {k: (None if v is None else _nfc(v)) for k, v in fields.items()}
    if all(v is None for v in fields.values()):
        raise BadValue(
            "give the corrected VALUE or at least one of --date, --unit, --source, "
            "--qualifier, --note"
        )
    rec = correct_reading(
        st.engine,
        st.program,
        reading_id,
        fields,
        by=_who(),
        reason=None if reason is None else _nfc(reason),
        locale=_locale(locale),
        confirm=confirm,
    )
    _echo(
        f"reading {reading_id} corrected: the new revision is reading {rec.id}"
        + (", confirmed" if rec.row.confirmed else "")
    )


@app.command()
@handles_errors
def retract(
    ctx: typer.Context,
    reading_id: Annotated[int, typer.Argument(help="Id of the reading to withdraw.")],
    reason: Annotated[str, typer.Option(help="Why it is withdrawn (kept in history).")],
) -> None:
    """Withdraw a reading: it stops counting and stays in history with the reason."""
    from tracker.store.ledger import retract_reading

    st = _state(ctx)
    retract_reading(st.engine, reading_id, reason=_nfc(reason), by=_who())
    _echo(f"reading {reading_id} retracted")


@app.command()
@handles_errors
def readings(
    ctx: typer.Context,
    indicator: Annotated[str | None, typer.Argument(help="Only this indicator.")] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every revision, superseded and retracted ones too.")
    ] = False,
) -> None:
    """List recorded readings with ids, sources and revisions (a table for people)."""
    from tracker.store.queries import list_readings

    st = _state(ctx)
    indicator = _nfc(indicator) if indicator else indicator
    if indicator and indicator not in st.program.indicators:
        from tracker.errors import UnknownIndicator

        raise UnknownIndicator(
            f'unknown indicator "{indicator}"; the targets file declares: '
            + ", ".join(st.program.indicators)
        )
    rows = list_readings(st.engine, indicator=indicator, history=history)
    if not rows:
        _echo(
            "no readings recorded"
            + (f" for {indicator}" if indicator else "")
            + "; add some with `tracker add` or `tracker import`"
        )
        return
    cols = ["id", "indicator", "area", "date", "value", "unit", "qualifier", "source", "confirmed"]
    if history:
        cols += ["state", "revision_of", "recorded_at", "end_reason"]
    table = [[_cell(r.get(c)) for c in cols] for r in rows]
    _echo(_table(cols, table))


def _cell(v: Any) -> str:
    if v is None or v is False:
        return ""
    if v is True:
        return "yes"
    if isinstance(v, float):
        return _show(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


@app.command()
@handles_errors
def export(
    ctx: typer.Context,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="Every revision with id, revision_of, recorded_at and state."
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Write to this file: a new one or an earlier export (default: stdout)."),
    ] = None,
) -> None:
    """Write readings as CSV (the columns of a reading file plus id) for machines."""
    from tracker.store.export import write_export

    st = _state(ctx)
    if out is None:
        write_export(st.engine, sys.stdout, history=history)
    else:
        from tracker.fileio import atomic_text_file
        from tracker.outpaths import check_export_file
        from tracker.store.export import export_header

        check_export_file(out, (export_header(False), export_header(True)))
        with atomic_text_file(out) as fh:
            write_export(st.engine, fh, history=history)
        _echo(f"wrote {out}", err=True)


# ---------------------------------------------------------------------------- runs

SEVERITY = [
    "missed",
    "deteriorating",
    "limited_progress",
    "needs_acceleration",
    "insufficient_data",
    "no_data",
    "on_track",
    "achieved",
]


@app.command()
@handles_errors
def run(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Assess as of this day (YYYY-MM-DD; default: today in the programme's "
            "timezone). Another day than today makes a what-if run: its report goes to "
            "REPORTS/what-if/, and REPORTS/latest, `tracker status` and the next report's "
            "changes stay with the live runs.",
        ),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            help="Rebuild from what the "
            "store held at this moment (YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM, UTC unless an offset is "
            "given); later corrections are left out and "
            "reading files are not imported.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the report files into this folder (a what-if run): a new or empty "
            "one, or an earlier report (default: REPORTS/<as_of>/, and REPORTS/latest "
            "points at it)."
        ),
    ] = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help="Only these formats (repeatable): json, csv, md, html, xlsx, docx. Default: all.",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Report language: en or vi (default: `lang` in the targets file)."),
    ] = None,
    no_import: Annotated[
        bool, typer.Option("--no-import", help="Do not sync the readings folder first.")
    ] = False,
) -> None:
    """Sync the readings folder, assess every goal and write the gap report."""
    from tracker.job import RunRequest, run_job
    from tracker.reports import FORMATS

    st = _state(ctx)
    day = _parse_day(as_of, "--as-of")
    moment = _parse_moment(known_at, "--known-at")
    formats = tuple(fmt) if fmt else FORMATS
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise BadValue(
            f"--format {unknown[0]} is not a report format; use one of " + ", ".join(FORMATS)
        )
    if lang is not None and lang not in ("en", "vi"):
        raise BadValue(f'--lang must be "en" or "vi", not "{lang}"')
    # run_job loads the targets itself, so that a broken file is recorded as a failed run.
    request = RunRequest(
        as_of=day, known_at=moment, out=out, formats=formats, lang=lang, sync=not no_import
    )
    result = run_job(st.settings, request, engine=st.engine, program=None)
    _print_sync(result.sync)
    for gone in result.gone:
        _echo(gone, err=True)
    for r in result.sync:
        if not r.ok:
            _echo(f"{r.file}: refused, nothing imported from it:", err=True)
            for p in r.problems:
                _echo(f"  {p}", err=True)
    _echo(_summary(result))


def _parse_day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadValue(f'{what}: "{text}" is not a day; write YYYY-MM-DD') from None
    if not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]:
        raise BadValue(
            f'{what}: "{text}" is outside the years tracker assesses '
            f"({AS_OF_RANGE[0].year}-{AS_OF_RANGE[1].year})"
        )
    return day


# The assessment's calendar (pandas timestamps) spans 1677-2262; a day outside these years
# is a typo, not a programme.
AS_OF_RANGE = (date(1900, 1, 1), date(2200, 12, 31))


def _summary(result: Any) -> str:
    gaps = result.gaps
    counts = result.counts
    lines = [
        f"as of {result.as_of.isoformat()}: {len(gaps)} targets — "
        + ", ".join(f"{counts[s]} {s}" for s in SEVERITY if counts.get(s))
    ]
    worst = gaps[gaps["status"].isin(SEVERITY[:4])].copy()
    if len(worst):
        worst["_rank"] = worst["status"].map(SEVERITY.index)
        worst["_rel"] = worst["gap"] / worst["target_value"].abs().where(
            worst["target_value"] != 0, 1
        )
        worst = worst.sort_values(["_rank", "_rel"], ascending=[True, False]).head(5)
        lines.append("worst gaps:")
        for w in worst.itertuples(index=False):
            lines.append(
                f"  {w.target}: {w.status}, latest {_num(w.latest_value)} vs target "
                f"{_num(w.target_value)} {w.unit} (gap {_num(w.gap)})"
            )
    if result.changes:
        lines.append(f"{len(result.changes)} change(s) since the last run (see the report)")
    lines.append(f"report: {result.report_dir}")
    if result.what_if:
        lines.append(
            "a what-if run: REPORTS/latest, `tracker status` and the next report's changes "
            "still follow the live runs"
        )
    return "\n".join(lines)


def _num(v: Any) -> str:
    import math

    from tracker.units import fmt_plain

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return fmt_plain(v)


@app.command()
@handles_errors
def status(
    ctx: typer.Context,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 1 when the last run failed or a scheduled run is overdue (for monitoring).",
        ),
    ] = False,
) -> None:
    """Show the last run, whether it succeeded, failures since, and what is stale or overdue."""
    from tracker.status import status_text

    st = _state(ctx)
    text, healthy = status_text(st.engine, st.program)
    _echo(text)
    if check and not healthy:
        raise typer.Exit(EXIT_ERROR)


MAX_LIMIT = 100_000  # lines of `tracker history`; more is a typo, and overflows SQL LIMIT


@app.command()
@handles_errors
def history(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(help="A target id (e.g. rural_income@2025); default: the runs themselves."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many lines at most.")] = 20,
) -> None:
    """Show past runs, or one target's status over time."""
    from tracker.status import local_time
    from tracker.store.runs import recent_runs, target_history

    st = _state(ctx)
    if not 0 < limit <= MAX_LIMIT:
        raise BadValue(f"--limit must be between 1 and {MAX_LIMIT:,}, not {limit}")
    tz = st.program.timezone
    if target is None:
        rows = [
            [
                str(r.id),
                r.job,
                local_time(r.started_at, tz),
                r.as_of.isoformat() if r.as_of else "",
                _cell(r.known_at),
                r.outcome,
                ", ".join(f"{v} {k}" for k, v in sorted(r.summary.items()))
                or _cell((r.error or "").splitlines()[0] if r.error else ""),
            ]
            for r in recent_runs(st.engine, limit)
        ]
        if not rows:
            _echo("no runs yet; `tracker run` makes the first")
            return
        _echo(
            _table(
                ["run", "job", "started", "as of", "known at", "outcome", "statuses / error"],
                rows,
            )
        )
        return
    ids = {t.id for t in st.program.targets}
    target = _nfc(target)
    if target not in ids:
        from tracker.errors import UnknownIndicator

        raise UnknownIndicator(f'unknown target "{target}"; targets are: ' + ", ".join(sorted(ids)))
    hist = target_history(st.engine, target, limit)
    if hist.empty:
        _echo(f"{target} has not been assessed yet; run `tracker run`")
        return
    rows = [
        [
            str(h.run_id),
            local_time(h.started_at, tz),
            str(h.as_of),
            h.status,
            _num(h.latest_value),
            str(h.latest_date or ""),
            _num(h.gap),
            "stale" if h.stale else "",
        ]
        for h in hist.itertuples(index=False)
    ]
    _echo(_table(["run", "started", "as of", "status", "latest", "latest date", "gap", ""], rows))


@app.command()
@handles_errors
def schedule(
    ctx: typer.Context,
    cron: Annotated[
        str | None,
        typer.Option(
            help="Cron expression instead of `schedule` in the targets file: 5 fields "
            '(minute hour day month weekday, e.g. "0 6 1 * *") or 6 with seconds first '
            '(e.g. "*/10 * * * * *"). Times are in the targets file\'s timezone.',
        ),
    ] = None,
    job: Annotated[
        str,
        typer.Option(
            help="Job name in the run ledger; schedulers sharing a database and a job name "
            "share its slots (each runs once)."
        ),
    ] = "schedule",
    list_: Annotated[
        bool,
        typer.Option("--list", help="Print the next five run times and exit."),
    ] = False,
) -> None:
    """Run the job on its cron schedule in the foreground, each slot once (stop: SIGTERM)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from tracker import schedule as sched

    st = _state(ctx)
    program = st.program
    expr = cron or program.schedule
    trigger = sched.make_trigger(expr, program.timezone, "--cron" if cron else "schedule")
    if list_:
        now = datetime.now(UTC).astimezone(ZoneInfo(program.timezone))
        times = sched.next_fire_times(trigger, sched.LIST_COUNT, now)
        _echo(f'next {len(times)} runs of "{expr}" ({program.timezone}):')
        for t in times:
            _echo(f"  {t:%a} {t.isoformat(sep=' ', timespec='seconds')}")
        return
    if not 0 < len(job.strip()) <= 100:
        raise BadValue(f'--job "{job}" must be 1 to 100 characters, e.g. --job monthly')
    sched.configure_logging(program.timezone)
    code = sched.serve(st.settings, program, st.engine, cron=cron, job=job.strip())
    raise typer.Exit(code)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `tracker export | head`: the reader left; not an error
        sys.stderr.close()
        os._exit(EXIT_OK)
    except SystemExit as e:  # how click ends every command, with its exit code
        _leave(e.code)


def _leave(code: int | str | None) -> None:
    """End the process once the command is done, without tearing the interpreter down.

    Freeing every object of a run one by one (a frame of a million readings, the modules of
    pandas and SQLAlchemy) takes a quarter of a second or more after the work is over, and
    the operating system frees the memory at once anyway. What must happen at exit is done
    here first: logs and output flushed, database connections closed properly."""
    import logging

    from tracker.store.database import dispose_engines

    if isinstance(code, str):  # SystemExit("message"): Python prints it and exits 1
        print(code, file=sys.stderr)
        code = 1
    with contextlib.suppress(Exception):
        dispose_engines()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()


# The web page and its accounts live in cli_web.py; registered here so `tracker --help`
# lists them (their heavy imports happen only when they run).
def _register_web_commands() -> None:
    from tracker.cli_web import serve, user_app

    app.add_typer(user_app, name="user")
    app.command()(serve)


_register_web_commands()
