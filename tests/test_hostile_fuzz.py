"""Hostile reading files made by hypothesis: whatever the bytes, `tracker import` either stores
every row of the file or refuses it with `file:line` sentences and stores nothing.

The oracle is independent of tracker's reader: Python's csv module in strict mode on the
NFC text counts the file's non-blank records. For every generated file:
  - the exit code is 0 or 2, never "internal error" or a traceback;
  - exit 2: every message line says `actuals/fuzz.csv:LINE: ...` (or is the summary line),
    and `tracker export --history` is exactly as before (nothing imported);
  - exit 0: the store holds, from this file, exactly as many current readings as the
    file has records (no row swallowed, none invented) — anything else is data lost.

HOSTILE_EXAMPLES=N raises the number of files (default 60, quick); HOSTILE_COUNTS=path
writes the tally (tried / refused cleanly / imported / data lost) as JSON for the notes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()
TALLY: Counter[str] = Counter()
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "60"))

GOOD_ROWS = [
    ["communes", "2025-06", "91", "communes", "Hà Anh article"],
    ["rural_income", "2024", "84.14", "million VND/person/year", "Hà Anh article"],
    ["poor_households", "2023", "0", "households", "report"],
    ["model_ntm_communes", "2025-06-30", "25", "communes", "s"],
]
NASTY_TEXT = st.sampled_from([
    "", " ", '"', '""', '"x', 'x"', "a,b", "\n", "\r", "\r\n", "\x00", "\x1b[2J", "\x1b]0;t\x07",
    "\u202e", "\ufeff", "\x7f", "\x85", "\u2028", "1e308", "-1e308", "1e999", "nan", "inf",
    "-0", "0x10", "1_000", "١٢٣", "９１", "2,240", "84,14", "9" * 400, "x" * 5000,
    unicodedata.normalize("NFD", "Quảng Ninh"), unicodedata.normalize("NFD", "xã"), "Quảng Ninh",
    "9999-12-31", "0001-01-01", "2025-02-30", "2025-13", "yes", "no", "more_than",
    "=cmd|' /C calc'!A0",
])
GOOD_FIELDS = st.sampled_from([c for r in GOOD_ROWS for c in r])
FIELD = st.one_of(NASTY_TEXT, st.text(max_size=30), GOOD_FIELDS)


@st.composite
def reading_file(draw: st.DrawFn) -> bytes:
    header = "indicator,date,value,unit,source,area,qualifier,note"
    if draw(st.integers(0, 9)) == 0:  # sometimes a broken header
        header = ",".join(draw(st.lists(FIELD, min_size=1, max_size=9)))
    lines = [header]
    for _ in range(draw(st.integers(0, 8))):
        base = list(draw(st.sampled_from(GOOD_ROWS))) + ["", "", ""]
        # change a few fields to something nasty, sometimes quote or cut the row
        for _ in range(draw(st.integers(0, 3))):
            base[draw(st.integers(0, 7))] = draw(FIELD)
        how = draw(st.integers(0, 5))
        if how == 0:
            line = ",".join(f'"{c}"' for c in base)
        elif how == 1:
            line = ",".join(base[: draw(st.integers(1, 9))])
        else:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(base)
            line = buf.getvalue()
        lines.append(line)
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines) + draw(
        st.sampled_from(["", "\n", "\n\n", '"'])
    )
    raw = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        raw = b"\xef\xbb\xbf" + raw  # a BOM, as Excel writes it
    if draw(st.integers(0, 19)) == 0:
        raw = raw.replace(b"a", b"\xff", 1)  # not UTF-8
    return raw


def records(raw: bytes) -> int | None:
    """How many non-blank data records a careful reader finds; None when it is not CSV."""
    try:
        text = unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error):
        return None
    return sum(1 for r in rows[1:] if any(c.strip() for c in r))


def history(db: str) -> str:
    result = runner.invoke(app, ["--database", db, "export", "--history"])
    assert result.exit_code == 0, result.output
    return result.stdout


def from_fuzz(db: str) -> int:
    from sqlalchemy import create_engine, func, select

    from tracker.store.tables import reading

    table = reading
    engine = create_engine(db)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).where(
                table.c.source_file == "fuzz.csv", table.c.state == "current"
            )
        ).scalar_one()
    engine.dispose()
    return int(n)


WHERE = re.compile(r"^actuals/fuzz\.csv(:\d+)?: ")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fuzz_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    import shutil

    from conftest import PG_URL, fresh_postgres_database

    root = Path(__file__).resolve().parent.parent
    work = tmp_path_factory.mktemp("fuzz")
    shutil.copy(root / "targets.yaml", work / "targets.yaml")
    (work / "actuals").mkdir()
    if request.param == "sqlite":
        yield work, f"sqlite:///{work / 'tracker.db'}"
        return
    if not PG_URL:
        pytest.skip("TRACKER_TEST_DATABASE_URL is not set (.ci/run sets it)")
    for url in fresh_postgres_database():
        yield work, url


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=reading_file())
def test_a_hostile_reading_file_is_imported_whole_or_not_at_all(
    fuzz_world: tuple[Path, str], raw: bytes
) -> None:
    work, db = fuzz_world
    os.chdir(work)
    (work / "actuals" / "fuzz.csv").write_bytes(raw)
    before = history(db)
    result = runner.invoke(app, ["--database", db, "import"])
    TALLY["tried"] += 1
    TALLY["tried on " + db.split(":")[0].split("+")[0]] += 1
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert lines[-1].startswith("1 file(s) refused; nothing was imported")
        assert all(WHERE.match(x) for x in lines[:-1]), result.stderr
        assert history(db) == before
        TALLY["refused cleanly"] += 1
        return
    expected = records(raw)
    stored = from_fuzz(db)
    if expected is None or stored != expected:
        TALLY["data lost"] += 1
    assert expected is not None, "tracker imported a file that is not valid CSV"
    assert stored == expected, f"{expected} records in the file, {stored} stored"
    TALLY["imported whole"] += 1


def teardown_module() -> None:
    out = os.environ.get("HOSTILE_COUNTS")
    if out:
        Path(out).write_text(json.dumps(dict(TALLY), indent=1) + "\n")
