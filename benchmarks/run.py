"""tracker against the bare floor for the same work, in one run; prints a table of medians.

    .venv/bin/python benchmarks/run.py --size full                       # SQLite
    .venv/bin/python benchmarks/run.py --size full --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/run.py --size full --national 10000000   # + the national 10M

Every measure is taken with the store filled in three orders of the same rows: key
order (indicator, area, date), date order (as readings arrive, month by month) and
shuffled (corrections and late files in no particular order). The floors
(benchmarks/floors.py) work on a bare table with one index, on the key, and read only
the columns the assessment needs: the least a program can do for the same information.

`--size smoke` does the same with 2,000 / 20,000 readings in a few seconds (CI runs it
through tests/test_benchmarks_smoke.py, with no time assertions). `--postgres URL`
names a server and a database to connect to: the benchmark creates its own databases
there and drops them afterwards (`--only postgresql` skips SQLite). Generated files go
under benchmarks/data/ and are deleted at the end (`--keep` keeps them); the national
file of `--national N` is generated once into benchmarks/data/national-N/ and reused.

Every tracker measure is the real CLI in a subprocess (`.venv/bin/tracker`); every
floor is a subprocess too. Repetitions alternate tracker and floor, and each row shows
the median of its repetitions. See benchmarks/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
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
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import REGION, correct_file, generate  # noqa: E402

PYTHON = sys.executable
TRACKER = str(Path(sys.executable).parent / "tracker")
AS_OF = "2025-12-31"
KINDS_WITH_READINGS = 7  # of the 8 indicators in each generated block
ORDERS = ("key", "date", "shuffled")
GIB = 1024  # MiB
NATIONAL_FILES = 10  # the national store arrives as this many files (one process each)


@dataclass(frozen=True)
class Size:
    import_readings: int
    communes: int  # national file: the region and this many communes
    small: int  # readings that `tracker run` assesses, two sizes
    large: int
    blocks: int  # the run programme: blocks of 8 indicators, the same for both sizes
    reps: int
    national: int  # the national store's readings unless --national says otherwise; 0: none


SIZES = {
    "smoke": Size(2_000, 4, 2_000, 20_000, 24, 1, 20_000),
    "full": Size(1_000_000, 99, 100_000, 1_000_000, 120, 3, 0),
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


# Runs a command and writes its wall time, peak RSS and exit status to a file. On Linux a
# child's ru_maxrss starts from its parent's peak RSS (exec keeps the larger of the two),
# so a command started straight from this process, which holds whole reading files at
# times, would report at least this process's size: started from this small launcher,
# it reports its own.
_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as fh:
    fh.write(f"{elapsed} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def timed(cmd: list[str], into: Timing) -> None:
    """Run `cmd`; add its wall time and its own peak RSS (from wait4) to `into`."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as measured,
    ):
        subprocess.run(
            [PYTHON, "-c", _LAUNCHER, measured.name, *cmd], stdout=out, stderr=err, check=True
        )
        elapsed, rss_kib, returncode = measured.read().split()
        out.seek(0)
        err.seek(0)
        into.output = out.read()
        if int(returncode) != 0:
            raise SystemExit(f"failed ({returncode}): {' '.join(cmd)}\n{into.output}\n{err.read()}")
    into.seconds.append(float(elapsed))
    into.rss_mib.append(int(rss_kib) / 1024)  # KiB on Linux


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


# --- programmes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    folder: Path
    readings: int
    order: str = "generated"
    region_readings: int = 0  # what `tracker run` assesses

    @property
    def targets(self) -> Path:
        return self.folder / "targets.yaml"

    @property
    def actuals(self) -> Path:
        return self.folder / "actuals"

    @property
    def files(self) -> list[str]:
        return sorted(str(p) for p in self.actuals.glob("*.csv"))

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
    g = generate(folder, readings=readings, months=months, communes=communes)
    from tracker.targets import load_program

    program = load_program(folder / "targets.yaml")  # the targets list the run floor joins
    with open(folder / "targets.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["indicator", "target", "deadline", "target_value"])
        for t in program.targets:
            w.writerow([t.indicator, t.id, t.deadline.isoformat(), t.value])
    return Programme(folder, readings, region_readings=g.n_region_readings)


def in_order(p: Programme, order: str, folder: Path, *, files: int = 1) -> Programme:
    """The same programme with its readings in `order`, split into `files` files.

    key: by (indicator, area, date); date: by date, as readings arrive (a stable sort of
    the generated file); shuffled: seeded random order. The files split the rows in that
    order (file 1 first), so the store is filled in that order whichever way it imports.
    """
    folder.mkdir(parents=True)
    shutil.copy(p.targets, folder / "targets.yaml")
    shutil.copy(p.folder / "targets.csv", folder / "targets.csv")
    (folder / "actuals").mkdir()
    [src] = p.files
    with open(src, encoding="utf-8", newline="") as fh:
        header, *lines = fh.read().splitlines(keepends=True)
    if order == "shuffled":
        random.Random(3).shuffle(lines)
    elif order in ("key", "date"):
        keys = [(r[0], r[5], r[1]) if order == "key" else r[1] for r in csv.reader(lines)]
        lines = [line for _, line in sorted(zip(keys, lines, strict=True), key=lambda k: k[0])]
    else:
        raise ValueError(order)
    per = -(-len(lines) // files)
    for i in range(files):
        with open(folder / "actuals" / f"readings-{i + 1:03d}.csv", "w", encoding="utf-8") as fh:
            fh.write(header)
            fh.writelines(lines[i * per : (i + 1) * per])
    return Programme(folder, p.readings, order, p.region_readings)


# --- measures ---------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def floor_import(p: Programme, url: str, into: Timing) -> None:
    timed([PYTHON, str(HERE / "floors.py"), "import", url, REGION, *p.files], into)


def floor_run(p: Programme, url: str, into: Timing, *, parsed: Timing | None = None) -> None:
    """The run floor, reading the targets from targets.yaml as a run must; with `parsed`,
    also the earlier floor that was handed them pre-parsed (targets.csv), for reference."""
    for targets, timing in ((p.targets, into), (p.folder / "targets.csv", parsed)):
        if timing is not None:
            cmd = [PYTHON, str(HERE / "floors.py"), "run", url, str(targets)]
            timed([*cmd, str(p.folder / "floor-out"), REGION, AS_OF], timing)


RUN_ARGS = ["run", "--as-of", AS_OF, "--format", "json", "--format", "csv"]


def tracker_run(p: Programme, url: str, into: Timing, *extra: str) -> None:
    timed(p.tracker(url, *RUN_ARGS, *extra, "--out", str(p.folder / "out")), into)


def import_row(name: str, n: int, tracker: Timing, floor: Timing) -> Row:
    t_rate, f_rate = n / tracker.median, n / floor.median
    ratio = t_rate / f_rate
    return Row(
        f"{name}: import {n:,} readings",
        f"{fmt_s(tracker.median)} ({t_rate:,.0f} rows/s)",
        f"{fmt_s(floor.median)} ({f_rate:,.0f} rows/s)",
        f"{ratio:.2f}x",
        ">= 0.5x floor rows/s",
        yes(ratio >= 0.5),
    )


def run_row(name: str, what: str, tracker: Timing, floor: Timing, parsed: Timing) -> Row:
    ratio = tracker.median / floor.median
    return Row(
        f"{name}: run {what}",
        fmt_s(tracker.median),
        f"{fmt_s(floor.median)} ({fmt_s(parsed.median)} / "
        f"{tracker.median / parsed.median:.2f}x if handed the targets pre-parsed)",
        f"{ratio:.2f}x",
        "<= 2x floor",
        yes(ratio <= 2),
    )


@dataclass
class Filled:
    """A tracker store and a bare floor store holding the same rows."""

    tracker: str
    floor: str
    # how long filling them took (tracker, floor)
    imports: tuple[Timing, Timing] = field(default_factory=lambda: (Timing(), Timing()))


def measure_import(p: Programme, stores: Stores, reps: int, name: str) -> tuple[Row, Filled]:
    tracker, floor = Timing(), Timing()
    filled = Filled("", "")
    for _ in range(reps):
        filled.floor = stores.fresh("floor")
        floor_import(p, filled.floor, floor)
        filled.tracker = stores.fresh("tracker")
        timed(p.tracker(filled.tracker, "import"), tracker)
    filled.imports = (tracker, floor)
    return import_row(name, p.readings, tracker, floor), filled


def measure_national_run(p: Programme, filled: Filled, reps: int, name: str) -> tuple[Row, Timing]:
    """`tracker run` over a national store (every commune beside the region)."""
    tracker_run(p, filled.tracker, Timing())  # warm-up: a previous run to compare with
    tracker, floor, parsed = Timing(), Timing(), Timing()
    for _ in range(reps):
        tracker_run(p, filled.tracker, tracker)
        floor_run(p, filled.floor, floor, parsed=parsed)
    what = f"national store of {p.readings:,} ({p.region_readings:,} of the region)"
    return run_row(name, what, tracker, floor, parsed), tracker


def measure_corrections(p: Programme, url: str, name: str) -> Row:
    """A monthly update: the same file with 1% of its values changed, imported again."""
    [csv_file] = p.files
    changed = p.folder / "changed.csv"
    n = correct_file(Path(csv_file), changed, 0.01)
    changed.replace(csv_file)
    t = Timing()
    timed(p.tracker(url, "import"), t)
    said = f"{n} corrected" in t.output
    return Row(
        f"{name}: re-import, {n:,} of {p.readings:,} rows changed",
        fmt_s(t.median),
        "-",
        "-",
        f"reports {n:,} corrected",
        yes(said),
    )


def measure_runs(
    small: Programme, large: Programme, stores: Stores, reps: int, name: str, sync_row: bool
) -> list[Row]:
    results = {}
    for p in (small, large):
        url = stores.fresh(f"run{p.readings}")
        timed(p.tracker(url, "import"), Timing())
        bare = stores.fresh(f"bare{p.readings}")
        floor_import(p, bare, Timing())
        tracker_run(p, url, Timing())  # warm-up: a previous run
        tracker, floor, parsed = Timing(), Timing(), Timing()
        for _ in range(reps):
            tracker_run(p, url, tracker)
            floor_run(p, bare, floor, parsed=parsed)
        results[p.readings] = (tracker, floor, parsed, url)
    rows = [run_row(name, f"{n:,} readings", t, f, c) for n, (t, f, c, _) in results.items()]
    (t_s, f_s, _, _), (t_l, f_l, _, url_l) = results[small.readings], results[large.readings]
    growth = t_l.median / t_s.median
    rows.append(
        Row(
            f"{name}: growth, run {large.readings:,} / {small.readings:,}",
            f"{growth:.1f}",
            f"{f_l.median / f_s.median:.1f}",
            "-",
            "<= 12",
            yes(growth <= 12),
        )
    )
    if sync_row:
        rows.append(sync_step_row(large, url_l, t_l, name))
    rss = max(t_l.rss_mib)
    rows.append(
        Row(
            f"{name}: peak RSS, run {large.readings:,} readings",
            f"{rss:,.0f} MiB",
            f"{max(f_l.rss_mib):,.0f} MiB",
            f"{rss / max(f_l.rss_mib):.2f}x",
            "< 1024 MiB",
            yes(rss < 1024),
        )
    )
    return rows


# The sync step of a run, timed around the very calls `tracker run` makes (job.py), in a
# process of its own: the difference of two whole-run medians cannot resolve a step of
# hundredths of a second on a machine whose 1,000,000-reading runs vary by seconds.
_SYNC_PROBE = """
import statistics, sys, time
from pathlib import Path
from tracker.store.database import open_store
from tracker.store.sync import gone_files, reading_files, sync_files
from tracker.targets import load_program
targets, actuals, url = sys.argv[1:]
program, engine, actuals = load_program(Path(targets)), open_store(url), Path(actuals)
times, said = [], set()
for _ in range(5):
    began = time.perf_counter()
    synced = sync_files(engine, program, reading_files(actuals), actuals, by="import")
    list(gone_files(engine, actuals))
    times.append(time.perf_counter() - began)
    said |= {r.skipped for r in synced}
print(times[0], statistics.median(times), said == {True})
"""


def sync_step_row(p: Programme, url: str, run: Timing, name: str) -> Row:
    """The sync step of a run over a store that already holds the file (unchanged)."""
    out = subprocess.run(
        [PYTHON, "-c", _SYNC_PROBE, str(p.targets), str(p.actuals), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    first, sync, unchanged = float(out[0]), float(out[1]), out[2] == "True"
    skipped = unchanged and "unchanged" in run.output
    allowed = max(0.05 * run.median, 0.2)
    return Row(
        f"{name}: sync step of a run, no file changed (in process: first call, median of 5)",
        f"{first:.3f} s, {sync:.3f} s of a {fmt_s(run.median)} run",
        "-",
        f"{first / run.median:.1%}",
        "<= max(5% of the run, 0.2 s); file not re-read",
        yes(skipped and first <= allowed),
    )


def measure_national(
    p: Programme, stores: Stores, reps: int, name: str, run_1m: Timing, base: Filled, n_1m: int
) -> list[Row]:
    """The national store: `p` imported file by file, then run; memory of both."""
    tracker, floor = Timing(), Timing()
    filled = Filled("", "")
    for _ in range(reps):
        filled.floor = stores.fresh("floor")
        floor_import(p, filled.floor, floor)
        filled.tracker = stores.fresh("tracker")
        timed(p.tracker(filled.tracker, "import"), tracker)
    rows = [import_row(f"{name} ({len(p.files)} files)", p.readings, tracker, floor)]
    run, run_t = measure_national_run(p, filled, reps, name)
    rows.append(run)
    growth = run_t.median / run_1m.median
    rows.append(
        Row(
            f"{name}: growth, run national {p.readings:,} / {n_1m:,}",
            f"{growth:.1f}",
            "-",
            "-",
            "<= 12",
            yes(growth <= 12),
        )
    )
    t_1m, f_1m = base.imports  # for information: the growth target is the run's
    rows.append(
        Row(
            f"{name}: growth, import national {p.readings:,} / {n_1m:,}",
            f"{tracker.median / t_1m.median:.1f}",
            f"{floor.median / f_1m.median:.1f}",
            "-",
            "(information)",
            "-",
        )
    )
    rss = max(max(tracker.rss_mib), max(run_t.rss_mib))
    rows.append(
        Row(
            f"{name}: peak RSS, import and run {p.readings:,} readings",
            f"{max(tracker.rss_mib):,.0f} / {max(run_t.rss_mib):,.0f} MiB",
            f"{max(floor.rss_mib):,.0f} MiB (import)",
            "-",
            "< 3072 MiB",
            yes(rss < 3 * GIB),
        )
    )
    return rows


def measure_help() -> Row:
    probe = (
        "import sys\n"
        "from tracker.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
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


class Rows(list[Row]):
    """The table's rows; each is also logged when measured, so a long run that is cut
    short has still said what it measured."""

    def append(self, row: Row) -> None:
        print(" | ".join(vars(row).values()), file=sys.stderr, flush=True)
        super().append(row)

    def __iadd__(self, rows: Any) -> Rows:
        for row in rows:
            self.append(row)
        return self


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


def national_file(n: int, communes: int, work: Path) -> Programme:
    """The national programme of `n` readings, shuffled into NATIONAL_FILES files.

    Generated once into benchmarks/data/national-N/ and reused by later runs (10 million
    readings take minutes to write and shuffle); a smaller one goes under `work`.
    """
    folder = HERE / "data" / f"national-{n}" if n >= 1_000_000 else work / f"national-{n}"
    shuffled, done = folder / "shuffled", folder / "region-readings"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        g = make_programme(folder / "generated", n, months=120, communes=communes)
        in_order(g, "shuffled", shuffled, files=NATIONAL_FILES)
        shutil.rmtree(folder / "generated")
        done.write_text(str(g.region_readings))
    return Programme(shuffled, n, "shuffled", int(done.read_text()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="smoke")
    ap.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    ap.add_argument("--only", choices=["sqlite", "postgresql"], help="measure one database")
    ap.add_argument("--orders", default=",".join(ORDERS), help="comma-separated: key,date,shuffled")
    ap.add_argument(
        "--national",
        type=int,
        default=None,
        metavar="N",
        help="also import and run a national store of N readings (shuffled, in "
        f"{NATIONAL_FILES} files; smoke default 20000, full default none)",
    )
    ap.add_argument("--national-reps", type=int, default=1, help="repetitions at that size")
    ap.add_argument(
        "--national-only",
        action="store_true",
        help="measure only the national store (its growth is against the shuffled "
        "1,000,000-reading national store, imported and run once here)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    size = SIZES[args.size]
    national_n = args.national if args.national is not None else size.national
    orders = [o for o in args.orders.split(",") if o]
    if unknown := set(orders) - set(ORDERS):
        ap.error(f"unknown order(s): {', '.join(sorted(unknown))}")
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    rows = Rows()
    with workdir(args.keep) as work:
        log(f"generating programmes in {work} ...")
        national = make_programme(
            work / "national", size.import_readings, months=120, communes=size.communes
        )
        per_block = KINDS_WITH_READINGS * size.blocks
        small = make_programme(work / "small", size.small, months=-(-size.small // per_block))
        large = make_programme(work / "large", size.large, months=-(-size.large // per_block))
        backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
        backends = [b for b in backends if args.only in (None, b[0])]
        for label, server in backends:
            stores = Stores(work, server)
            try:
                if args.national_only:
                    nat = in_order(national, "shuffled", work / f"national-{label}-shuffled")
                    log(f"{label} shuffled: import (once) ...")
                    row, filled = measure_import(nat, stores, 1, f"{label} shuffled, once")
                    rows.append(row)
                    row, run_1m = measure_national_run(nat, filled, 1, f"{label} shuffled, once")
                    rows.append(row)
                    base = filled
                    stores.drop_all()
                    big = national_file(national_n, _communes(national_n), work)
                    log(f"{label}: national {big.readings:,} ...")
                    rows += measure_national(
                        big,
                        stores,
                        args.national_reps,
                        f"{label} shuffled",
                        run_1m,
                        base,
                        size.import_readings,
                    )
                    continue
                for i, order in enumerate(orders):
                    name = f"{label} {order}"
                    tag = f"{label}-{order}"
                    nat = in_order(national, order, work / f"national-{tag}")
                    log(f"{name}: import ...")
                    row, filled = measure_import(nat, stores, size.reps, name)
                    rows.append(row)
                    log(f"{name}: run on the national store ...")
                    row, run_1m = measure_national_run(nat, filled, size.reps, name)
                    rows.append(row)
                    base = filled
                    if i == 0:
                        log(f"{name}: re-import with corrections ...")
                        rows.append(measure_corrections(nat, filled.tracker, name))
                    log(f"{name}: runs ...")
                    rows += measure_runs(
                        in_order(small, order, work / f"small-{tag}"),
                        in_order(large, order, work / f"large-{tag}"),
                        stores,
                        size.reps,
                        name,
                        sync_row=i == 0,
                    )
                    stores.drop_all()
                    if national_n and order == "shuffled":  # compared with its 1,000,000
                        big = national_file(national_n, _communes(national_n), work)
                        log(f"{label}: national {big.readings:,} ...")
                        rows += measure_national(
                            big,
                            stores,
                            args.national_reps,
                            f"{label} shuffled",
                            run_1m,
                            base,
                            size.import_readings,
                        )
                        stores.drop_all()
            finally:
                stores.drop_all()
        rows.append(measure_help())
    print(
        f"tracker benchmarks, size {args.size} ({size.reps} repetition(s) per median), "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(table(rows))


def _communes(n: int) -> int:
    """Communes beside the region so that the national file has `n` readings or more:
    84 indicators x 120 months per area (12 blocks), like the 1,000,000-reading file."""
    return max(1, -(-n // (KINDS_WITH_READINGS * 12 * 120)) - 1)


if __name__ == "__main__":
    main()
