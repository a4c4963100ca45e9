"""Screenshots of the web page for the README (docs/web-*-vi.png), in Vietnamese.

    .venv/bin/python scripts/web_screenshots.py [--out docs]

Copies the shipped targets.yaml and actuals/ to a temporary folder, runs the job once,
makes an editor account, serves the page with `tracker serve` and drives Debian's
chromium (pytest-playwright's library, no JavaScript) through the home page, an
indicator page and the reading form with a mistake.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "screenshot-pass"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    exe = str(Path(sys.executable).parent / "tracker")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(ROOT / "targets.yaml", work / "targets.yaml")
        shutil.copytree(ROOT / "actuals", work / "actuals")
        subprocess.run([exe, "run"], cwd=work, check=True, capture_output=True)
        subprocess.run([exe, "user", "add", "hanh", "--role", "editor"], cwd=work, check=True,
                       input=PASSWORD + "\n", text=True, capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([exe, "serve", "--port", str(port)], cwd=work,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900},
                                        java_script_enabled=False)
                page.goto(base + "/login?lang=vi")
                page.fill("#username", "hanh")
                page.fill("#password", PASSWORD)
                page.click("form.card button[type=submit]")
                page.goto(base + "/")
                page.screenshot(path=args.out / "web-home-vi.png", full_page=False)
                page.goto(base + "/indicators/rural_income")
                page.screenshot(path=args.out / "web-indicator-vi.png", full_page=True)
                page.goto(base + "/readings/new?indicator=advanced_ntm_communes")
                page.fill("#date", "2026-13")
                page.fill("#value", "60")
                page.fill("#source", "Sở NN&PTNT, báo cáo 6 tháng đầu năm 2026")
                page.click("form.reading-form button[type=submit]")
                page.screenshot(path=args.out / "web-form-error-vi.png", full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    for name in ("web-home-vi.png", "web-indicator-vi.png", "web-form-error-vi.png"):
        print(args.out / name)


if __name__ == "__main__":
    main()
