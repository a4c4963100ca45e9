"""The web page in a real browser: pytest-playwright driving Debian's chromium package
(`launch(executable_path=/usr/bin/chromium)`; `playwright install` is neither possible nor
needed), with JavaScript switched off, against `tracker serve` started as a subprocess of
the installed command. Without chromium these tests skip with a message; under CI=true
they fail instead (.ci/run installs chromium)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from webtools import PASSWORDS, make_site

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
IND = "advanced_ntm_communes"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = (f"{CHROMIUM} is missing: `apt-get install -y chromium` "
                   "(or set TRACKER_CHROMIUM) to run the browser tests")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}


@pytest.fixture
def browser_context_args(browser_context_args):
    # Officers' machines may have scripts blocked: every page must work without them.
    return {**browser_context_args, "java_script_enabled": False,
            "viewport": {"width": 1300, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(workdir, tmp_path):
    """The shipped programme after one run, served by `tracker serve` in a subprocess."""
    site = make_site(workdir, f"sqlite:///{workdir / 'tracker.db'}")
    port = _free_port()
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent)) or "tracker"
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  closed below
    proc = subprocess.Popen(
        [exe, "--database", site.settings.database_url, "serve", "--port", str(port)],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("tracker serve did not answer: " +
                                 (tmp_path / "serve.log").read_text())
        yield site, base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/")
    assert "/login" in page.url  # every page needs an account
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("form.card button[type=submit]")


def test_an_editor_reads_adds_a_reading_with_a_mistake_fixes_it_and_sees_it(page, served):
    from tracker.job import RunRequest, run_job
    from tracker.reports.i18n import text

    site, base = served
    sign_in(page, base, "hanh")
    assert page.url == base + "/"

    # the latest report, in both languages; the choice is remembered
    page.goto(base + "/?lang=en")
    assert page.locator("h2", has_text=text("en", "headline")).count() == 1
    page.click("a.lang")  # "Tiếng Việt"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h2", has_text=text("vi", "headline")).count() == 1
    page.click("nav >> text=Các lần chạy")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.click("a.lang")  # back to English
    assert page.locator("h1").inner_text() == "Runs"

    # open an indicator from the list
    page.click("nav >> text=Indicators")
    page.click(f"a[href='/indicators/{IND}']")
    assert page.locator("h1").inner_text() == "Communes meeting the advanced NTM standard"

    # add a reading with a mistake: the error stands next to the date field
    page.click("text=Add a reading for this indicator")
    assert page.locator("#indicator").input_value() == IND
    page.fill("#date", "2026-13")
    page.fill("#value", "60")
    page.fill("#source", "Sở NN&PTNT, báo cáo 6 tháng")
    page.click("form.reading-form button[type=submit]")
    error = page.locator("#date-error")
    assert error.is_visible()
    assert error.inner_text().startswith("date: ")
    assert page.locator("#date").get_attribute("aria-invalid") == "true"
    assert page.locator("#value").input_value() == "60"  # nothing typed is lost

    # fix it
    page.fill("#date", "2026-06")
    page.click("form.reading-form button[type=submit]")
    done = page.locator("p.done").inner_text()
    rid = int(re.search(r"Reading (\d+) recorded", done).group(1))
    row = page.locator(f"#reading-{rid}")
    assert "2026-06-30" in row.inner_text() and "hanh" in row.inner_text()

    # the next run's "changes since" lists it
    run_job(site.settings, RunRequest(), engine=site.engine)
    page.goto(base + "/")
    changes = page.locator("h2", has_text="Changes since").locator("xpath=following-sibling::ul[1]")
    assert f"reading {rid}:" in changes.inner_text()


def test_a_viewer_cannot_see_the_form(page, served):
    _site, base = served
    sign_in(page, base, "xem")
    page.goto(base + f"/indicators/{IND}?lang=en")
    assert page.locator("text=Add a reading").count() == 0
    assert page.locator("form.reading-form").count() == 0
    response = page.goto(base + "/readings/new")
    assert response is not None and response.status == 403
    assert page.locator("form.reading-form").count() == 0
    assert "can read but not change readings" in page.locator("p.error").inner_text()
