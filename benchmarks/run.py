"""tracker against the floor for the same work, in one run; prints a table of medians.

    .venv/bin/python benchmarks/run.py --size full                       # SQLite
    .venv/bin/python benchmarks/run.py --size full --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

`--size smoke` does the same with 2,000 / 20,000 readings in a few seconds (CI runs it
through tests/test_benchmarks_smoke.py, with no time assertions). `--postgres URL`
names a server and a database to connect to: the benchmark creates its own databases
there and drops them afterwards. Generated files go under benchmarks/data/ and are
deleted at the end (`--keep` keeps them).

Every tracker measure is the real CLI in a subprocess (`.venv/bin/tracker`); every
floor (benchmarks/floors.py) is a subprocess too. Repetitions alternate tracker and
floor, and each row shows the median of its repetitions. See benchmarks/README.md for
what each row measures and why.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import REGION, correct_file, generate  # noqa: E402

PYTHON = sys.executable
TRACKER = str(Path(sys.executable).parent / "tracker")
AS_OF = "2025-12-31"
KINDS_WITH_READINGS = 7  # of the 8 indicators in each generated block


@dataclass(frozen=True)
class Size:
    import_readings: int
    communes: int  # national file: the region and this many communes
    small: int  # readings that `tracker run` assesses, two sizes
    large: int
    blocks: int  # the run programme: blocks of 8 indicators, the same for both sizes
    reps: int


SIZES = {
    "smoke": Size(2_000, 4, 2_000, 20_000, 24, 1),
    "full": Size(1_000_000, 99, 100_000, 1_000_000, 120, 3),
}


@dataclass
class Row:
    measure: str
    tracker: str
    floor: str
    ratio: str
    target: str
    holds: str


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    output: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(cmd: list[str], into: Timing) -> None:
    """Run `cmd`; add its wall time and its own peak RSS (from wait4) to `into`."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        into.output = out.read()
        if proc.returncode != 0:
            raise SystemExit(
                f"failed ({proc.returncode}): {' '.join(cmd)}\n{into.output}\n{err.read()}"
            )
    into.seconds.append(elapsed)
    into.rss_mib.append(usage.ru_maxrss / 1024)  # KiB on Linux


# --- stores -----------------------------------------------------------------------------


class Stores:
    """Fresh, empty stores on demand: SQLite files, or databases on a PostgreSQL server."""

    def __init__(self, work: Path, postgres: str | None) -> None:
        self.work = work
        self.postgres = postgres
        self.made: list[str] = []

    def fresh(self, name: str) -> str:
        if self.postgres is None:
            path = self.work / f"{name}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        db = f"tracker_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        admin.dispose()
        self.made.append(db)
        return make_url(self.postgres).set(database=db).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.postgres is None or not self.made:
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for db in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()
        self.made.clear()


def with_schema(url: str) -> str:
    """The store created by tracker's own migrations (so the floor has the same indexes)."""
    from tracker.store.database import open_store

    open_store(url).dispose()
    return url


# --- programmes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    folder: Path
    readings: int

    @property
    def targets(self) -> Path:
        return self.folder / "targets.yaml"

    @property
    def actuals(self) -> Path:
        return self.folder / "actuals"

    @property
    def csv(self) -> Path:
        return self.actuals / "readings.csv"

    def tracker(self, url: str, *args: str) -> list[str]:
        return [
            TRACKER,
            "--targets",
            str(self.targets),
            "--actuals",
            str(self.actuals),
            "--reports",
            str(self.folder / "reports"),
            "--database",
            url,
            *args,
        ]


def make_programme(folder: Path, readings: int, *, months: int, communes: int = 0) -> Programme:
    generate(folder, readings=readings, months=months, communes=communes)
    from tracker.targets import load_program

    program = load_program(folder / "targets.yaml")  # the targets list the run floor joins
    with open(folder / "targets.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["indicator", "target", "deadline", "target_value"])
        for t in program.targets:
            w.writerow([t.indicator, t.id, t.deadline.isoformat(), t.value])
    return Programme(folder, readings)


# --- measures ---------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def measure_import(p: Programme, stores: Stores, reps: int, label: str) -> tuple[Row, str]:
    tracker, floor = Timing(), Timing()
    url = ""
    for _ in range(reps):
        floor_url = with_schema(stores.fresh("floor"))
        timed(
            [
                PYTHON,
                str(HERE / "floors.py"),
                "import",
                floor_url,
                str(p.csv),
                REGION,
                "readings.csv",
            ],
            floor,
        )
        url = stores.fresh("tracker")
        timed(p.tracker(url, "import"), tracker)
    t_rate, f_rate = p.readings / tracker.median, p.readings / floor.median
    ratio = t_rate / f_rate
    row = Row(
        f"{label}: import {p.readings:,} readings",
        f"{fmt_s(tracker.median)} ({t_rate:,.0f} rows/s)",
        f"{fmt_s(floor.median)} ({f_rate:,.0f} rows/s)",
        f"{ratio:.2f}x",
        ">= 0.5x floor rows/s",
        yes(ratio >= 0.5),
    )
    return row, url  # the last tracker store, for the corrections row


def measure_corrections(p: Programme, url: str, label: str) -> Row:
    """A monthly update: the same file with 1% of its values changed, imported again."""
    changed = p.folder / "changed.csv"
    n = correct_file(p.csv, changed, 0.01)
    changed.replace(p.csv)
    t = Timing()
    timed(p.tracker(url, "import"), t)
    said = f"{n} corrected" in t.output
    return Row(
        f"{label}: re-import, {n:,} of {p.readings:,} rows changed",
        fmt_s(t.median),
        "-",
        "-",
        f"reports {n:,} corrected",
        yes(said),
    )


def measure_runs(
    small: Programme, large: Programme, stores: Stores, reps: int, label: str
) -> list[Row]:
    run_args = ["run", "--as-of", AS_OF, "--format", "json", "--format", "csv"]
    results = {}
    for p in (small, large):
        url = stores.fresh(f"run{p.readings}")
        timed(p.tracker(url, "import"), Timing())
        out = str(p.folder / "out")
        timed(p.tracker(url, *run_args, "--out", out), Timing())  # warm-up: a previous run
        tracker, floor, no_sync = Timing(), Timing(), Timing()
        for _ in range(reps):
            timed(p.tracker(url, *run_args, "--out", out), tracker)
            timed(
                [
                    PYTHON,
                    str(HERE / "floors.py"),
                    "run",
                    url,
                    str(p.folder / "targets.csv"),
                    str(p.folder / "floor-out"),
                    REGION,
                    AS_OF,
                ],
                floor,
            )
            if p is large:
                timed(p.tracker(url, *run_args, "--no-import", "--out", out), no_sync)
        results[p.readings] = (tracker, floor, no_sync)
    rows = []
    for n, (tracker, floor, _) in results.items():
        ratio = tracker.median / floor.median
        rows.append(
            Row(
                f"{label}: run {n:,} readings",
                fmt_s(tracker.median),
                fmt_s(floor.median),
                f"{ratio:.2f}x",
                "<= 2x floor",
                yes(ratio <= 2),
            )
        )
    (t_s, f_s, _), (t_l, f_l, no_sync) = results[small.readings], results[large.readings]
    growth = t_l.median / t_s.median
    rows.append(
        Row(
            f"{label}: growth, run {large.readings:,} / {small.readings:,}",
            f"{growth:.1f}",
            f"{f_l.median / f_s.median:.1f}",
            "-",
            "<= 12",
            yes(growth <= 12),
        )
    )
    skipped = "unchanged" in t_l.output
    sync = t_l.median - no_sync.median
    allowed = max(0.05 * no_sync.median, 0.2)
    rows.append(
        Row(
            f"{label}: run after import, no file changed (sync step)",
            f"{fmt_s(t_l.median)} (sync {sync:+.2f} s)",
            f"{fmt_s(no_sync.median)} (--no-import)",
            f"{t_l.median / no_sync.median:.2f}x",
            "sync <= max(5%, 0.2 s); file not re-read",
            yes(skipped and sync <= allowed),
        )
    )
    rss = max(t_l.rss_mib)
    rows.append(
        Row(
            f"{label}: peak RSS, run {large.readings:,} readings",
            f"{rss:,.0f} MiB",
            f"{max(f_l.rss_mib):,.0f} MiB",
            f"{rss / max(f_l.rss_mib):.2f}x",
            "< 1024 MiB",
            yes(rss < 1024),
        )
    )
    return rows


def measure_help() -> Row:
    probe = (
        "import sys; sys.argv = ['tracker', '--help']\n"
        "from tracker.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pandas', 'sqlalchemy', 'numpy') if m in sys.modules)\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    check = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, check=True)
    heavy = check.stdout.rsplit("HEAVY:", 1)[1].strip()
    tracker, floor = Timing(), Timing()
    for _ in range(3):
        timed([TRACKER, "--help"], tracker)
        timed([PYTHON, "-c", "pass"], floor)
    return Row(
        "tracker --help (imports: " + (heavy or "no pandas, no SQLAlchemy") + ")",
        fmt_s(tracker.median),
        fmt_s(floor.median) + " (python -c pass)",
        f"{tracker.median / floor.median:.1f}x",
        "imports neither pandas nor SQLAlchemy",
        yes("pandas" not in heavy and "sqlalchemy" not in heavy),
    )


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(rows: list[Row]) -> str:
    header = Row("measure", "tracker median", "floor median", "ratio", "target", "holds")
    cells = [[r.measure, r.tracker, r.floor, r.ratio, r.target, r.holds] for r in [header, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(6)]
    line = lambda c: "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


@contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    work = HERE / "data" / f"run-{os.getpid()}"
    work.mkdir(parents=True)
    try:
        yield work
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="smoke")
    ap.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    size = SIZES[args.size]
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    rows: list[Row] = []
    with workdir(args.keep) as work:
        log(f"generating programmes in {work} ...")
        national = make_programme(
            work / "national", size.import_readings, months=120, communes=size.communes
        )
        per_block = KINDS_WITH_READINGS * size.blocks
        small = make_programme(work / "small", size.small, months=-(-size.small // per_block))
        large = make_programme(work / "large", size.large, months=-(-size.large // per_block))
        backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
        for label, server in backends:
            stores = Stores(work, server)
            try:
                log(f"{label}: import ...")
                row, url = measure_import(national, stores, size.reps, label)
                rows.append(row)
                log(f"{label}: re-import with corrections ...")
                rows.append(measure_corrections(national, url, label))
                # the next backend imports the original file again
                make_programme(
                    work / "national", size.import_readings, months=120, communes=size.communes
                )
                log(f"{label}: runs ...")
                rows += measure_runs(small, large, stores, size.reps, label)
            finally:
                stores.drop_all()
        rows.append(measure_help())
    print(
        f"tracker benchmarks, size {args.size} ({size.reps} repetition(s) per median), "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
