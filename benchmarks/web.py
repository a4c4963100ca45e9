"""The web page under load: 20 concurrent clients for 30 s against a 1,000,000-reading store.

    .venv/bin/python benchmarks/web.py --size full --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/web.py --size smoke        # 2,000 readings, 5 clients, 5 s

For each store (a SQLite file; PostgreSQL with --postgres): the national synthetic
programme (benchmarks/generate.py: the region and 99 communes) is imported with the real
CLI, `tracker run` writes the live report, an editor account is made, and `tracker serve
--workers N` is started as a subprocess. Then, for the same wall time:

- N clients, each signed in with its own session, load the home page (the latest
  report) and an indicator page (goals, history chart, readings with revisions) in
  turn, as fast as they are answered;
- one more client adds a reading every second through the form (GET the form for its
  CSRF token, POST it), each with a new area so that none is refused as a duplicate.

It prints p50/p95 latency per page and the count of errors (any answer other than the
expected status, or no answer); it counts the readings in the store before and after:
every POST answered "recorded" must be there ("lost" is the difference). The floor is a
bare Starlette StaticFiles app under the same uvicorn, serving a file the size of the home
page to the same number of clients: what any page costs before tracker does anything.
The client runs on the same machine as the server (2 cores here), so it takes its share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import Stores, make_programme, workdir  # noqa: E402

TRACKER = str(Path(sys.executable).parent / "tracker")
PASSWORD = "bench-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
GOAL_P95_MS = 300


@dataclass(frozen=True)
class Size:
    readings: int
    communes: int
    clients: int
    seconds: float
    workers: int


SIZES = {
    "smoke": Size(2_000, 4, 5, 5.0, 1),
    "full": Size(1_000_000, 99, 20, 30.0, 2),
}


@dataclass
class Page:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def cell(self, q: float) -> str:
        if not self.latencies:
            return "-"
        if len(self.latencies) == 1:
            return f"{self.latencies[0] * 1000:.0f}"
        return f"{statistics.quantiles(self.latencies, n=100)[int(q) - 1] * 1000:.0f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base: str, path: str = "/healthz") -> None:
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + path, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{base} did not start")


def count_readings(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM reading")).scalar_one())
    engine.dispose()
    return n


async def sign_in(client: object, base: str) -> None:
    page = await client.get(base + "/login")  # type: ignore[attr-defined]
    token = CSRF.search(page.text).group(1)
    r = await client.post(  # type: ignore[attr-defined]
        base + "/login",
        data={"username": "bench", "password": PASSWORD, "csrf_token": token},
    )
    if r.status_code not in (200, 303):
        raise SystemExit(f"sign-in failed: {r.status_code}")


async def reader(
    client: Any, base: str, urls: list[tuple[str, str]], until: float, pages: dict[str, Page]
) -> None:
    import httpx

    i = 0
    while time.perf_counter() < until:
        name, url = urls[i % len(urls)]
        i += 1
        start = time.perf_counter()
        try:
            r = await client.get(base + url)
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        pages[name].latencies.append(time.perf_counter() - start)
        pages[name].errors += not ok


async def writer(
    client: Any, base: str, indicator: str, until: float, page: Page, recorded: list[int]
) -> None:
    import httpx

    n = 0
    while time.perf_counter() < until:
        tick = time.perf_counter()
        n += 1
        try:
            form = await client.get(base + "/readings/new")
            token = CSRF.search(form.text).group(1)
            r = await client.post(
                base + "/readings/new",
                data={
                    "indicator": indicator,
                    "area": f"Bench area {os.getpid()}-{n}",
                    "date": "2025-06",
                    "value": "42",
                    "unit": "",
                    "source": "benchmarks/web.py",
                    "csrf_token": token,
                },
            )
            ok = r.status_code == 303
        except (httpx.HTTPError, AttributeError):
            ok = False
        page.latencies.append(time.perf_counter() - tick)
        page.errors += not ok
        recorded[0] += ok
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))


async def load(
    base: str, urls: list[tuple[str, str]], clients: int, seconds: float, indicator: str | None
) -> tuple[dict[str, Page], int]:
    import httpx

    pages = {name: Page() for name, _ in urls}
    pages["add a reading (form + post)"] = Page()
    recorded = [0]
    sessions = [httpx.AsyncClient(timeout=60) for _ in range(clients + 1)]
    try:
        # Sign-ins (argon2, slow on purpose) happen before the clock starts.
        await asyncio.gather(*(sign_in(c, base) for c in sessions))
        until = time.perf_counter() + seconds
        tasks = [reader(c, base, urls, until, pages) for c in sessions[:-1]]
        if indicator is not None:
            page = pages["add a reading (form + post)"]
            tasks.append(writer(sessions[-1], base, indicator, until, page, recorded))
        await asyncio.gather(*tasks)
    finally:
        for c in sessions:
            await c.aclose()
    return pages, recorded[0]


def start(cmd: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def measure(label: str, programme: object, url: str, size: Size, say: object) -> list[str]:
    p = programme
    folder: Path = p.folder  # type: ignore[attr-defined]
    say(f"{label}: import {p.readings:,} readings ...")  # type: ignore[operator,attr-defined]
    subprocess.run(p.tracker(url, "import"), check=True, capture_output=True)  # type: ignore[attr-defined]
    say(f"{label}: tracker run ...")  # type: ignore[operator]
    subprocess.run(p.tracker(url, "run", "--no-import"), check=True, capture_output=True)  # type: ignore[attr-defined]
    subprocess.run(
        p.tracker(url, "user", "add", "bench", "--role", "editor"),  # type: ignore[attr-defined]
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    from tracker.targets import load_program

    program = load_program(folder / "targets.yaml")
    indicator = next(k for k in program.indicators if k.startswith("income_"))
    count_key = next(k for k in program.indicators if k.startswith("works_"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = p.tracker(url, "serve", "--port", str(port), "--workers", str(size.workers))  # type: ignore[attr-defined]
    server = start(serve, folder, folder / f"serve-{label}.log")
    try:
        wait_healthy(base)
        before = count_readings(url)
        urls = [
            ("home page /", "/"),
            (f"indicator page /indicators/{indicator}", f"/indicators/{indicator}"),
        ]
        say(f"{label}: {size.clients} clients for {size.seconds:.0f} s ...")  # type: ignore[operator]
        pages, recorded = asyncio.run(load(base, urls, size.clients, size.seconds, count_key))
        after = count_readings(url)
    finally:
        stop(server)
    lost = before + recorded - after
    rows = []
    for name, page in pages.items():
        p95 = page.cell(95)
        holds = "yes" if page.latencies and float(p95) < GOAL_P95_MS and not page.errors else "NO"
        rows.append(
            f"| {label}: {name} | {len(page.latencies)} | {page.cell(50)} | {p95} | "
            f"{page.errors} | {holds} |"
        )
    rows.append(
        f"| {label}: readings recorded / lost | {recorded} | | | {lost} | "
        f"{'yes' if lost == 0 else 'NO'} |"
    )
    return rows


FLOOR_APP = """
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
app = Starlette(routes=[Mount("/", StaticFiles(directory={folder!r}))])
"""


def floor(size_bytes: int, size: Size, work: Path) -> str:
    """A static file of `size_bytes` served by Starlette under uvicorn to the same clients."""
    static = work / "floor"
    static.mkdir(exist_ok=True)
    (static / "page.html").write_bytes(b"x" * size_bytes)
    (work / "floor_app.py").write_text(FLOOR_APP.format(folder=str(static)))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "floor_app:app",
        "--port",
        str(port),
        "--workers",
        str(size.workers),
        "--log-level",
        "warning",
    ]
    server = start(cmd, work, work / "floor.log")
    try:
        wait_healthy(base, "/page.html")
        pages, _ = asyncio.run(_floor_load(base, size.clients, min(size.seconds, 10.0)))
    finally:
        stop(server)
    page = pages["static"]
    return (
        f"| floor: static file of {size_bytes:,} bytes | {len(page.latencies)} | "
        f"{page.cell(50)} | {page.cell(95)} | {page.errors} | |"
    )


async def _floor_load(base: str, clients: int, seconds: float) -> tuple[dict[str, Page], int]:
    import httpx

    pages = {"static": Page()}
    until = time.perf_counter() + seconds

    async def one() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            while time.perf_counter() < until:
                start_at = time.perf_counter()
                try:
                    ok = (await client.get(base + "/page.html")).status_code == 200
                except httpx.HTTPError:
                    ok = False
                pages["static"].latencies.append(time.perf_counter() - start_at)
                pages["static"].errors += not ok

    await asyncio.gather(*(one() for _ in range(clients)))
    return pages, 0


def home_size(programme: object, url: str) -> int:
    """Bytes of the home page as a signed-in reader gets it (for the floor's file)."""
    from starlette.testclient import TestClient

    from tracker.settings import Settings
    from tracker.web import create_app

    p = programme
    settings = Settings(
        targets=p.folder / "targets.yaml",  # type: ignore[attr-defined]
        actuals=p.folder / "actuals",  # type: ignore[attr-defined]
        reports=p.folder / "reports",  # type: ignore[attr-defined]
        database_url=url,
    )
    client = TestClient(create_app(settings))
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "username": "bench",
            "password": PASSWORD,
            "csrf_token": CSRF.search(page.text).group(1),
        },
    )
    return len(client.get("/").content)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="smoke")
    ap.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    size = SIZES[args.size]

    def say(s: str) -> None:
        print(s, file=sys.stderr, flush=True)

    started = time.perf_counter()
    rows: list[str] = []
    page_bytes = 0
    with workdir(args.keep) as work:
        backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
        for label, server in backends:
            say(f"{label}: generating {size.readings:,} readings ...")
            programme = make_programme(
                work / f"web-{label}", size.readings, months=120, communes=size.communes
            )
            stores = Stores(work, server)
            try:
                url = stores.fresh(f"web-{label}")
                rows += measure(label, programme, url, size, say)
                page_bytes = page_bytes or home_size(programme, url)
            finally:
                stores.drop_all()
        say("floor ...")
        rows.append(floor(page_bytes, size, work))
    print(
        f"tracker web benchmark, size {args.size}: {size.readings:,} readings, "
        f"{size.clients} clients + 1 writer for {size.seconds:.0f} s, "
        f"{size.workers} worker(s); {time.perf_counter() - started:.0f} s in all"
    )
    print(f"| page | requests | p50 ms | p95 ms | errors | p95 < {GOAL_P95_MS} ms, no error |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
