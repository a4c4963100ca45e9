"""Synthetic programmes for the benchmarks: targets.yaml + one reading file, any size.

    python benchmarks/generate.py OUT --readings 1000000 --months 120 --communes 0
    python benchmarks/generate.py OUT --readings 1000000 --communes 500   # a national store

A programme is made of blocks of eight indicators, the kinds a real one has:

| kind          | unit (target)    | readings written in         | goal                         |
|---------------|------------------|-----------------------------|------------------------------|
| share         | percent          | percent or "%"              | at_least 90-99 by 2030       |
| poor          | households       | households                  | at_most 0 by 2025 (linear)   |
| income        | USD/person/year  | million VND/person/year     | more_than 2025, range 2030   |
| units         | communes         | communes (a denominator)    | none                         |
| units_met     | communes         | communes (a numerator)      | none                         |
| units_share   | percent          | none: ratio_of the two above| at_least 80 by 2030          |
| milestone     | yes/no           | no ... yes                  | done by 2030                 |
| works         | works            | works                       | at_least, report_every 1q    |

Every series is monthly (YYYY-MM, the month's last day) and ends in December of
END_YEAR. Money readings are in VND, so every one is converted with the declared rate
of its year. Some rows carry a qualifier, a note, or a source with a comma (quoted).
The readings of the region (area left empty: the programme's region) are what `tracker
run` assesses; `--communes N` adds the same series for N communes (stored, imported,
not assessed). `correct_file` rewrites a share of the values: a re-import turns each
changed row into a correction.

Every series stays within a factor of 10 from its first month to its last, so the
reading rules' 10x-jump check passes however the rows are split into files.
Everything is seeded: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from pathlib import Path

REGION = "Việt Nam"
END_YEAR = 2025
KINDS = ("share", "poor", "income", "units", "units_met", "units_share", "milestone", "works")
_READ_KINDS = tuple(k for k in KINDS if k != "units_share")  # a computed share has no readings
HEADER = ["indicator", "date", "value", "unit", "source", "area", "qualifier", "note"]


@dataclass(frozen=True)
class Generated:
    targets: Path
    readings: Path
    n_readings: int
    n_indicators: int
    n_targets: int
    n_region_readings: int


def _key(kind: str, block: int) -> str:
    return f"{kind}_{block:05d}"


def _indicator_yaml(kind: str, block: int, rng: random.Random) -> tuple[list[str], int]:
    """The YAML lines of one indicator and how many targets it declares."""
    k = _key(kind, block)
    name = f"{kind.replace('_', ' ').capitalize()} {block}"
    head = [f"  {k}:", f'    name: {{en: "{name}", vi: "{name} (vi)"}}']
    if kind == "share":
        goal = rng.choice([90, 95, 99])
        return head + [
            "    unit: percent",
            "    direction: increase",
            "    report_every: 1y",
            "    targets:",
            f"      - {{by: 2030, at_least: {goal}}}",
        ], 1
    if kind == "poor":
        return head + [
            "    unit: households",
            "    direction: decrease",
            "    trend: linear",
            "    report_every: 1y",
            "    targets:",
            "      - {by: 2025, at_most: 0}",
        ], 1
    if kind == "income":
        return head + [
            "    unit: USD/person/year",
            "    direction: increase",
            "    trend: compound",
            "    report_every: 1y",
            "    targets:",
            "      - {by: 2025, more_than: 5000}",
            "      - {by: 2030, at_least: 8000, stretch: 10000}",
        ], 2
    if kind in ("units", "units_met"):
        return head + ["    unit: communes"], 0
    if kind == "units_share":
        return head + [
            "    unit: percent",
            "    direction: increase",
            f"    ratio_of: {{numerator: {_key('units_met', block)}, "
            f"denominator: {_key('units', block)}}}",
            "    targets:",
            "      - {by: 2030, at_least: 80}",
        ], 1
    if kind == "milestone":
        return head + ["    kind: milestone", "    targets:", "      - {by: 2030, done: true}"], 1
    assert kind == "works"
    goal = rng.randrange(500, 2000)
    return head + [
        "    unit: works",
        "    direction: increase",
        "    trend: linear",
        "    report_every: 1q",
        "    targets:",
        f"      - {{by: 2030, at_least: {goal}}}",
    ], 1


def _targets_yaml(n_blocks: int, months: int, rng: random.Random) -> tuple[str, int]:
    first_year = END_YEAR - (months - 1) // 12
    lines = [
        "# Generated by benchmarks/generate.py: a synthetic programme, not real figures.",
        "program: Synthetic national programme (benchmark)",
        f"region: {REGION}",
        "timezone: Asia/Ho_Chi_Minh",
        'schedule: "0 6 1 * *"',
        "lang: en",
        "exchange_rates:",
    ]
    for year in range(first_year, END_YEAR + 1):
        rate = round(22000 * 1.015 ** (year - 2015), 2)
        lines.append(
            f"  - {{from: USD, to: VND, year: {year}, rate: {rate}, "
            'source: "synthetic annual average"}'
        )
    lines.append("indicators:")
    n_targets = 0
    for block in range(n_blocks):
        for kind in KINDS:
            ind_lines, n = _indicator_yaml(kind, block, rng)
            lines += ind_lines
            n_targets += n
    return "\n".join(lines) + "\n", n_targets


def _month_ends(months: int) -> list[tuple[int, str]]:
    """(year, "YYYY-MM") for `months` months ending in December of END_YEAR."""
    out = []
    year, month = END_YEAR, 12
    for _ in range(months):
        out.append((year, f"{year:04d}-{month:02d}"))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def _series(kind: str, months: list[tuple[int, str]], rng: random.Random) -> list[list[str]]:
    """[date, value, unit, qualifier, note] for every month of one series."""
    n = len(months)
    rows: list[list[str]] = []
    if kind == "share":
        start, step = rng.uniform(30, 60), rng.uniform(0.05, 0.5)
        pct = rng.random() < 0.5
        for i, (_, d) in enumerate(months):
            v = min(100.0, start + step * i * 120 / n + rng.gauss(0, 0.5))
            rows.append([d, f"{v:.2f}", "percent" if pct else "%", "", ""])
    elif kind == "poor":
        start = rng.uniform(2000, 9000)
        for i, (_, d) in enumerate(months):
            v = max(0, round(start * (1 - 0.8 * i / n) + rng.gauss(0, 20)))
            rows.append([d, str(v), "households", "", ""])
    elif kind == "income":
        start, growth = rng.uniform(40, 70), rng.uniform(0.03, 0.09)
        for i, (_, d) in enumerate(months):
            v = start * (1 + growth) ** (i * 10 / n)
            q = "about" if rng.random() < 0.02 else ""
            rows.append([d, f"{v:.2f}", "million VND/person/year", q, ""])
    elif kind == "units":
        total = rng.randrange(80, 250)
        for _, d in months:
            rows.append([d, str(total), "communes", "", ""])
    elif kind == "units_met":
        for i, (_, d) in enumerate(months):
            rows.append([d, str(round(10 + 70 * i / n + rng.random())), "communes", "", ""])
    elif kind == "milestone":
        done_at = rng.randrange(n // 2, n + n // 2)
        for i, (_, d) in enumerate(months):
            rows.append([d, "yes" if i >= done_at else "no", "yes/no", "", ""])
    else:
        start = rng.uniform(150, 300)
        for i, (_, d) in enumerate(months):
            v = round(start + 4 * i * 120 / n + rng.gauss(0, 3))
            note = "revised by the district office" if rng.random() < 0.01 else ""
            rows.append([d, str(v), "works", "", note])
    return rows


def generate(
    out: Path,
    *,
    readings: int,
    months: int = 120,
    communes: int = 0,
    seed: int = 1,
) -> Generated:
    """Write `out/targets.yaml` and `out/actuals/readings.csv` with exactly `readings` rows.

    Each of the region and the `communes` communes gets one monthly series of `months`
    readings per indicator that has readings; blocks of indicators are added until
    there are enough series, and the last series is cut to the exact count.
    """
    rng = random.Random(seed)
    areas = [""] + [f"Commune {i:05d}" for i in range(1, communes + 1)]
    per_block = len(_READ_KINDS) * len(areas) * months
    n_blocks = max(1, -(-readings // per_block))
    text, n_targets = _targets_yaml(n_blocks, months, rng)
    (out / "actuals").mkdir(parents=True, exist_ok=True)
    targets = out / "targets.yaml"
    targets.write_text(text, encoding="utf-8")
    path = out / "actuals" / "readings.csv"
    ends = _month_ends(months)
    written = region_rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for area in areas:
            for block in range(n_blocks):
                for kind in _READ_KINDS:
                    if written >= readings:
                        break
                    key = _key(kind, block)
                    source = (
                        "Synthetic statistical office, monthly bulletin"
                        if rng.random() < 0.5
                        else "Synthetic survey"
                    )
                    for d, value, unit, qualifier, note in _series(kind, ends, rng):
                        if written >= readings:
                            break
                        w.writerow([key, d, value, unit, source, area, qualifier, note])
                        written += 1
                        region_rows += area == ""
    return Generated(targets, path, written, n_blocks * len(KINDS), n_targets, region_rows)


def correct_file(src: Path, dst: Path, share: float, seed: int = 2) -> int:
    """Copy `src` to `dst` with the value of `share` of its amount rows changed by ~1%.

    Returns how many rows were changed (each becomes a correction on re-import).
    """
    rng = random.Random(seed)
    changed = 0
    with (
        src.open(encoding="utf-8", newline="") as fin,
        dst.open("w", encoding="utf-8", newline="") as fout,
    ):
        r = csv.reader(fin)
        w = csv.writer(fout, lineterminator="\n")
        w.writerow(next(r))
        for row in r:
            # amounts only: a count stays whole, a share within 0-100 and a numerator
            # below its denominator (the reading rules refuse anything else)
            if row[3] == "million VND/person/year" and rng.random() < share:
                row[2] = f"{float(row[2]) * 1.01 + 1:.2f}"
                changed += 1
            w.writerow(row)
    return changed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="folder to write targets.yaml and actuals/ into")
    p.add_argument("--readings", type=int, required=True, help="exact number of readings")
    p.add_argument("--months", type=int, default=120, help="length of each monthly series")
    p.add_argument("--communes", type=int, default=0, help="communes besides the region")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    g = generate(a.out, readings=a.readings, months=a.months, communes=a.communes, seed=a.seed)
    print(
        f"{g.readings}: {g.n_readings:,} readings ({g.n_region_readings:,} of the region), "
        f"{g.n_indicators:,} indicators, {g.n_targets:,} targets"
    )


if __name__ == "__main__":
    main()
