"""Some rows of run.py again, alone: the run rows (100,000 and 1,000,000 readings, growth,
sync step, peak RSS) and the import of the national 1,000,000 file, for the orders given,
on one database. For a second look at rows a loaded machine made noisy; the same
functions, repetitions and floors as run.py.

    .venv/bin/python benchmarks/rerun_runs.py --orders key,date,shuffled [--only-import]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as R  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(R.SIZES), default="full")
    ap.add_argument("--orders", default="key,date,shuffled")
    ap.add_argument("--postgres", metavar="URL", help="PostgreSQL instead of SQLite")
    ap.add_argument("--no-import", action="store_true", help="the run rows only")
    args = ap.parse_args()
    size = R.SIZES[args.size]
    rows = R.Rows()
    started = time.perf_counter()
    label = "postgresql" if args.postgres else "sqlite"
    with R.workdir(False) as work:
        per_block = R.KINDS_WITH_READINGS * size.blocks
        small = R.make_programme(work / "small", size.small, months=-(-size.small // per_block))
        large = R.make_programme(work / "large", size.large, months=-(-size.large // per_block))
        national = None
        if not args.no_import:
            national = R.make_programme(
                work / "national", size.import_readings, months=120, communes=size.communes
            )
        stores = R.Stores(work, args.postgres)
        try:
            for order in [o for o in args.orders.split(",") if o]:
                name = f"{label} {order} (alone)"
                if national is not None:
                    nat = R.in_order(national, order, work / f"national-{order}")
                    rows.append(R.measure_import(nat, stores, size.reps, name)[0])
                    stores.drop_all()
                rows += R.measure_runs(
                    R.in_order(small, order, work / f"small-{order}"),
                    R.in_order(large, order, work / f"large-{order}"),
                    stores,
                    size.reps,
                    name,
                    sync_row=True,
                )
                stores.drop_all()
        finally:
            stores.drop_all()
    print(f"tracker benchmarks again, alone, {time.perf_counter() - started:.0f} s in all")
    print(R.table(rows))


if __name__ == "__main__":
    main()
