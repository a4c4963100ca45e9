"""A written report shown on the page, in the reader's language, by the report renderer.

A report folder keeps gap-report.json: the rows and the run's changes and failures. The
page rebuilds the gaps frame and the report context from it and hands them to
tracker.reports.html, so the page says exactly what the HTML file says, in either
language, without a second copy of the wording. The charts need the readings the run
saw: the store is a ledger, so "as known at the moment the report was written" gives
them back exactly. A report never changes once written, so a rendering is cached per
(folder, file version, language).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.model import Program
from tracker.web.cache import Cache

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
JSON_NAME = "gap-report.json"
_DATE_COLUMNS = ("deadline", "baseline_date", "latest_date")


@dataclass(frozen=True)
class Rendered:
    as_of: str
    body: str  # the report as an HTML fragment (reports.html.render_body)


def latest_folder(reports: Path) -> Path | None:
    """The folder reports/latest points at (the LATEST file where there is no symlink)."""
    pointer = reports / "LATEST"
    if pointer.is_file():
        folder = reports / pointer.read_text(encoding="utf-8").strip()
        if (folder / JSON_NAME).is_file():
            return folder
    link = reports / "latest"
    if (link / JSON_NAME).is_file():
        return link.resolve()
    return None


def past_reports(reports: Path) -> list[str]:
    """The as-of days that have a report folder, newest first."""
    if not reports.is_dir():
        return []
    days = [p.name for p in reports.iterdir() if DAY.match(p.name) and (p / JSON_NAME).is_file()]
    return sorted(days, reverse=True)


def folder_for(reports: Path, as_of: str) -> Path | None:
    if not DAY.match(as_of):  # never a path from the URL: only YYYY-MM-DD names
        return None
    folder = reports / as_of
    return folder if (folder / JSON_NAME).is_file() else None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _gaps(doc: dict[str, Any]) -> Any:
    """The gaps frame back from gap-report.json's rows (dates as datetimes, as assess gives)."""
    import pandas as pd

    from tracker.frames import GAP_COLUMNS

    gaps = pd.DataFrame(doc["rows"]).reindex(columns=GAP_COLUMNS)
    for col in _DATE_COLUMNS:
        gaps[col] = pd.to_datetime(gaps[col])
    return gaps


def program_context(program: Program, lang: str, *, name: str | None = None, **run: Any) -> Any:
    """A ReportContext with the programme's names and thresholds, as the job makes one."""
    from tracker.reports.context import ReportContext

    return ReportContext(
        program=name or program.name,
        region=program.region,
        lang=lang,
        exchange_rates=program.exchange_rates,
        program_vi=program.name_vi,
        region_vi=program.region_vi,
        thresholds=program.thresholds,
        indicator_names=tuple((k, i.name_en, i.name_vi) for k, i in program.indicators.items()),
        **run,
    )


_READING_CHANGE = re.compile(r"^reading (\d+):")


def _with_readings(engine: Any, changes: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The JSON's changes, each reading event given back its reading from the ledger, so
    the page says it in its own language as the report file did."""
    from sqlalchemy import select

    from tracker.reports.context import Change, ReadingRef
    from tracker.store.ledger import R

    ids = {
        int(m.group(1))
        for c in changes
        if c["kind"].endswith("_reading") and (m := _READING_CHANGE.match(c.get("after") or ""))
    }
    found: dict[int, Any] = {}
    if ids:
        with engine.connect() as conn:
            q = select(R.c.id, R.c.value, R.c.unit, R.c.period_date, R.c.revision_of)
            found = {r.id: r for r in conn.execute(q.where(R.c.id.in_(sorted(ids))))}
    out = []
    for c in changes:
        m = _READING_CHANGE.match(c.get("after") or "") if c["kind"].endswith("_reading") else None
        r = found.get(int(m.group(1))) if m else None
        ref = None
        if r is not None:
            revision = r.revision_of if c["kind"] == "corrected_reading" else None
            ref = ReadingRef(r.id, float(r.value), r.unit, r.period_date, revision)
        out.append(
            Change(
                c["kind"],
                c.get("target"),
                c.get("indicator"),
                c.get("before"),
                c.get("after"),
                c.get("detail") or "",
                ref,
            )
        )
    return tuple(out)


def load_report(folder: Path, program: Program, engine: Any, lang: str) -> tuple[Any, Any, Any]:
    """(gaps, readings, ctx) of the report in `folder`, for `lang`."""
    from tracker.reports.context import FailedRun
    from tracker.store import runs
    from tracker.store.queries import readings_frame

    doc = json.loads((folder / JSON_NAME).read_text(encoding="utf-8"))
    gaps = _gaps(doc)
    generated = _moment(doc["generated_at"])
    assert generated is not None
    known_at = _moment(doc.get("known_at"))
    as_of = date.fromisoformat(doc["as_of"])
    # The run that wrote it started before it was generated; the one before that is
    # what its "changes since" compared with.
    # generated_at is written to the second: the moment's whole second counts as "before".
    seen = generated.astimezone(UTC) + timedelta(seconds=1)
    previous = None
    this_run = _run_before(engine, seen)
    if this_run is not None:
        previous = runs.last_run(engine, outcome="success", before_id=this_run)
    ctx = program_context(
        program,
        lang,
        name=doc["program"],
        as_of=as_of,
        generated_at=generated,
        known_at=known_at,
        catch_up=bool(doc.get("catch_up")),
        previous_run_at=previous.started_at if previous else None,
        changes=_with_readings(engine, doc.get("changes", [])),
        failed_runs=tuple(
            FailedRun(_moment(f["started_at"]), f["error"], _moment(f.get("scheduled_for")))  # type: ignore[arg-type]
            for f in doc.get("failed_runs", [])
        ),
    )
    # In UTC: the store keeps UTC moments, and SQLite compares them as text.
    seen_at = known_at.astimezone(UTC) if known_at else seen
    readings = readings_frame(engine, program, as_of=as_of, known_at=seen_at, area=program.region)
    return gaps, readings, ctx


def _run_before(engine: Any, moment: datetime) -> int | None:
    from sqlalchemy import desc, select

    from tracker.store.runs import RUN

    with engine.connect() as conn:
        return conn.execute(
            select(RUN.c.id)
            .where(RUN.c.outcome == "success", RUN.c.started_at <= moment)
            .order_by(desc(RUN.c.id))
            .limit(1)
        ).scalar()


class ReportCache:
    """Rendered reports by (folder, json mtime and size, language, targets); each once."""

    def __init__(self, size: int = 32) -> None:
        self._cache: Cache[Rendered] = Cache(size)

    def render(self, folder: Path, program: Program, engine: Any, lang: str) -> Rendered:
        st = (folder / JSON_NAME).stat()
        key = (str(folder.resolve()), st.st_mtime_ns, st.st_size, lang, program.source_sha256)
        return self._cache.get(key, lambda: _render(folder, program, engine, lang))


def _render(folder: Path, program: Program, engine: Any, lang: str) -> Rendered:
    from tracker.reports.html import render_body

    gaps, readings, ctx = load_report(folder, program, engine, lang)
    return Rendered(ctx.as_of.isoformat(), render_body(gaps, readings, ctx))


_ROWS: Cache[tuple[str, list[dict[str, Any]]]] = Cache(16)


def report_rows(folder: Path) -> tuple[str, list[dict[str, Any]]]:
    """(as_of, rows) of a report, rows as reports.rows.records gives them (dates as Timestamps)."""
    from tracker.reports.rows import records

    def load() -> tuple[str, list[dict[str, Any]]]:
        doc = json.loads((folder / JSON_NAME).read_text(encoding="utf-8"))
        return doc["as_of"], records(_gaps(doc))

    st = (folder / JSON_NAME).stat()
    return _ROWS.get((str(folder.resolve()), st.st_mtime_ns, st.st_size), load)
