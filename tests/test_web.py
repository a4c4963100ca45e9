"""The web page through Starlette's TestClient, on real stores (SQLite file and PostgreSQL):
sign-in and its throttle, sessions, CSRF, roles, escaping, the reading forms (same
sentences as the CLI), language, reports and /healthz. The browser flow is in
test_web_browser.py."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from sqlalchemy import event, select
from typer.testing import CliRunner
from webtools import PASSWORDS, Site, csrf_of, make_site, sign_in

from tracker.cli import app as cli_app

warnings.filterwarnings("ignore", message=".*httpx2.*")
from starlette.testclient import TestClient  # noqa: E402

from tracker.web import create_app  # noqa: E402

IND = "advanced_ntm_communes"  # a count of communes in the shipped programme
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site(workdir, store_url) -> Site:
    return make_site(workdir, store_url)


@pytest.fixture
def client(site):
    return TestClient(create_app(site.settings, site.engine))


def history(site: Site) -> str:
    result = CliRunner().invoke(
        cli_app, ["--database", site.settings.database_url, "export", "--history"]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def reading_rows(site: Site):
    from tracker.store.tables import reading

    R = reading
    with site.engine.connect() as conn:
        return conn.execute(select(R).order_by(R.c.id)).mappings().all()


def new_reading_form(client, **fields):
    page = client.get("/readings/new")
    assert page.status_code == 200
    data = {"indicator": IND, "area": "", "date": "2026-06", "value": "60",
            "unit": "", "source": "Sở NN&PTNT, báo cáo 6 tháng", "qualifier": "", "note": "",
            "csrf_token": csrf_of(page.text)}
    data.update(fields)
    return client.post("/readings/new", data=data, follow_redirects=False)


# --- sign-in, sessions ------------------------------------------------------------------


def test_every_page_but_login_and_healthz_needs_sign_in(client):
    for url in ("/", "/reports", f"/indicators/{IND}", "/runs", "/readings/new",
                "/readings/1/correct", "/readings/1/retract"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303, url
        assert r.headers["location"].startswith("/login?next=")
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_healthz_does_not_touch_the_readings(site):
    statements: list[str] = []
    event.listen(site.engine, "before_cursor_execute",
                 lambda *a: statements.append(a[2].lower()))
    r = TestClient(create_app(site.settings, site.engine)).get("/healthz")
    assert r.status_code == 200
    assert statements and not [s for s in statements if "reading" in s]


def test_sign_in_sets_a_signed_httponly_samesite_cookie_and_goes_to_next(client):
    r = sign_in(client, "hanh")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("tracker_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Signed in as hanh (editor)" in client.get("/?lang=en").text


def test_a_tampered_session_cookie_is_not_a_session(client):
    sign_in(client, "xem")
    value = client.cookies["tracker_session"]
    forged = value.replace("eHVt", "aGFu")  # try to rename the user inside the signed part
    client.cookies.clear()
    client.cookies.set("tracker_session", forged[:-2] + "xx")
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_wrong_password_and_unknown_name_say_the_same_thing(client):
    for name, password in (("hanh", "wrong-password"), ("nobody", "whatever1")):
        page = client.get("/login")
        r = client.post("/login", data={"username": name, "password": password,
                                         "csrf_token": csrf_of(page.text)})
        assert r.status_code == 401
        assert "Wrong name or password." in r.text or "Sai tên hoặc mật khẩu." in r.text


def test_an_open_redirect_through_next_is_refused(client):
    page = client.get("/login")
    r = client.post("/login", data={"username": "hanh", "password": PASSWORDS["hanh"],
                                     "csrf_token": csrf_of(page.text),
                                     "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_repeated_failed_sign_ins_are_slowed_across_processes(site):
    """Two app instances with their own engines share nothing but the database: the
    failures counted through one slow down sign-in through the other (as two uvicorn
    workers would), even with the right password."""
    from tracker.store.database import open_store
    from tracker.store.users import FREE_FAILURES

    worker_a = TestClient(create_app(site.settings, site.engine))
    worker_b = TestClient(create_app(site.settings, open_store(site.settings.database_url)))
    for _ in range(FREE_FAILURES):
        assert sign_in(worker_a, "hanh", "not-the-password").status_code == 401
    r = sign_in(worker_b, "HANH", PASSWORDS["hanh"])  # the count is per name, any case
    assert r.status_code == 429
    assert "Too many failed sign-ins" in r.text or "Đăng nhập sai quá nhiều lần" in r.text
    # another account is not affected
    assert sign_in(worker_b, "xem").status_code == 303


def test_the_throttle_waits_double_each_time():
    from tracker.store.users import FREE_FAILURES, MAX_WAIT_SECONDS, wait_after

    assert [wait_after(n) for n in range(FREE_FAILURES)] == [0.0] * FREE_FAILURES
    assert [wait_after(FREE_FAILURES + i) for i in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert wait_after(100) == MAX_WAIT_SECONDS


def test_a_new_password_ends_the_old_sessions(site, client):
    from tracker.store.users import set_password

    sign_in(client, "hanh")
    assert client.get("/", follow_redirects=False).status_code == 200
    set_password(site.engine, "hanh", "a-new-password")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out(client):
    sign_in(client, "hanh")
    page = client.get("/")
    r = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


# --- CSRF, roles --------------------------------------------------------------------------


def test_a_forged_form_post_is_refused_and_changes_nothing(site, client):
    sign_in(client, "hanh")
    before = history(site)
    fields = {"indicator": IND, "date": "2026-06", "value": "60", "source": "forged"}
    # another site's form: the browser sends the cookie (say SameSite failed) but no token
    r = client.post("/readings/new", data=fields, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/readings/new", data={**fields, "csrf_token": "guessed"})
    assert r.status_code == 403
    assert "did not come from this site" in r.text or "không đến từ trang này" in r.text
    # a token from another session does not work either
    other = TestClient(create_app(site.settings, site.engine))
    token = csrf_of(other.get("/login").text)
    assert client.post("/readings/new", data={**fields, "csrf_token": token}).status_code == 403
    assert history(site) == before


def test_a_viewer_gets_403_on_every_write_and_sees_no_form(site, client):
    sign_in(client, "xem")
    before = history(site)
    reading_id = reading_rows(site)[0]["id"]
    page = client.get(f"/indicators/{IND}?lang=en")
    assert page.status_code == 200
    assert "/readings/new" not in page.text and "/correct" not in page.text
    token = csrf_of(page.text)
    for url in ("/readings/new", f"/readings/{reading_id}/correct",
                f"/readings/{reading_id}/retract"):
        assert client.get(url).status_code == 403, url
        r = client.post(url, data={"csrf_token": token, "indicator": IND, "date": "2026",
                                   "value": "1", "source": "s", "reason": "r"})
        assert r.status_code == 403, url
        assert "can read but not change readings" in r.text or "chỉ được xem" in r.text
    assert history(site) == before


# --- reading forms ------------------------------------------------------------------------


def test_a_reading_added_on_the_web_is_recorded_by_the_signed_in_user(site, client):
    sign_in(client, "hanh")
    r = new_reading_form(client)
    assert r.status_code == 303
    rid = int(re.search(r"done=recorded%3A(\d+)", r.headers["location"]).group(1))
    row = next(x for x in reading_rows(site) if x["id"] == rid)
    assert (row["indicator"], row["value"], row["recorded_by"]) == (IND, 60.0, "hanh")
    assert row["period_date"].isoformat() == "2026-06-30"
    page = client.get(r.headers["location"] + "&lang=en")
    assert f"Reading {rid} recorded." in page.text
    assert f'id="reading-{rid}"' in page.text


@pytest.mark.parametrize(
    ("field", "typed", "cli_args"),
    [
        ("date", "2026-13", ["--date", "2026-13"]),
        ("value", "sixty", []),
        ("source", "", []),
        ("unit", "furlongs", ["--unit", "furlongs"]),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_in_the_words_of_the_cli(
    site, client, field, typed, cli_args
):
    sign_in(client, "hanh")
    before = history(site)
    r = new_reading_form(client, **{field: typed})
    assert r.status_code == 400
    # the same input on the command line
    args = {"--date": "2026-06", "--source": "Sở NN&PTNT, báo cáo 6 tháng"}
    if field == "source":
        args["--source"] = ""
    for i in range(0, len(cli_args), 2):
        args[cli_args[i]] = cli_args[i + 1]
    value = typed if field == "value" else "60"
    flat = [x for kv in args.items() for x in kv]
    result = CliRunner().invoke(
        cli_app, ["--database", site.settings.database_url, "add", IND, value, *flat]
    )
    assert result.exit_code == 2
    sentence = result.stderr.strip().splitlines()[0]
    shown = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', r.text, re.S)
    assert shown, f"no error next to {field}"
    import html

    assert html.unescape(shown.group(1)) == sentence
    assert 'aria-invalid="true"' in r.text
    # what was typed is kept in the form
    if typed:
        assert f'value="{html.escape(typed)}"' in r.text
    assert history(site) == before


def test_a_held_reading_shows_the_confirm_checkbox_and_is_recorded_once_confirmed(site, client):
    sign_in(client, "hanh")
    assert new_reading_form(client, date="2026-06", value="60").status_code == 303
    before = history(site)
    # ten times the previous reading: held, not refused
    r = new_reading_form(client, date="2026-09", value="600")
    assert r.status_code == 400
    assert 'id="confirm"' in r.text and 'name="confirm"' in r.text
    shown = re.search(r'<p class="field-error" id="value-error">(.*?)</p>', r.text).group(1)
    cli = CliRunner().invoke(cli_app, ["--database", site.settings.database_url, "add", IND,
                                       "600", "--date", "2026-09", "--source",
                                       "Sở NN&PTNT, báo cáo 6 tháng"])
    import html

    assert cli.exit_code == 2 and html.unescape(shown) == cli.stderr.strip().splitlines()[0]
    assert history(site) == before
    # a mistake that is not a jump shows no checkbox
    assert 'id="confirm"' not in new_reading_form(client, date="2026-13").text
    r = new_reading_form(client, date="2026-09", value="600", confirm="yes")
    assert r.status_code == 303
    row = reading_rows(site)[-1]
    assert (row["value"], row["confirmed"], row["recorded_by"]) == (600.0, True, "hanh")


def test_a_script_tag_in_a_source_is_escaped_everywhere(site, client):
    from tracker.job import RunRequest, run_job

    sign_in(client, "hanh")
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = new_reading_form(client, source=evil, note=evil)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    # a refused form echoes what was typed, escaped too
    bad = new_reading_form(client, source=evil, value="not a number")
    assert bad.status_code == 400 and "<script>alert" not in bad.text
    # and the next report, shown on the page, carries the source escaped
    run_job(site.settings, RunRequest(), engine=site.engine)
    home = client.get("/")
    assert "<script>alert" not in home.text
    assert "script-src 'none'" in home.headers["content-security-policy"]


def test_correct_and_retract_on_the_web(site, client):
    sign_in(client, "hanh")
    r = new_reading_form(client)
    rid = int(re.search(r"recorded%3A(\d+)", r.headers["location"]).group(1))
    form = client.get(f"/readings/{rid}/correct")
    assert form.status_code == 200 and 'value="60"' in form.text
    r = client.post(f"/readings/{rid}/correct", data={
        "area": "Quảng Ninh", "date": "2026-06-30", "value": "61", "unit": "communes",
        "source": "Sở NN&PTNT, báo cáo 6 tháng", "qualifier": "", "note": "",
        "reason": "typo", "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    rows = {x["id"]: x for x in reading_rows(site)}
    new = max(rows)
    assert rows[rid]["state"] == "superseded"
    assert (rows[new]["value"], rows[new]["revision_of"], rows[new]["recorded_by"]) == (
        61.0, rid, "hanh")
    page = client.get(f"/indicators/{IND}?lang=en")
    assert "revision of" in page.text and "superseded" in page.text
    # retract needs a reason: the CLI's sentence, then it works
    form = client.get(f"/readings/{new}/retract")
    r = client.post(f"/readings/{new}/retract", data={"reason": " ",
                                                      "csrf_token": csrf_of(form.text)})
    assert r.status_code == 400 and "say why the reading is retracted" in r.text
    r = client.post(f"/readings/{new}/retract", data={"reason": "double-counted",
                                                      "csrf_token": csrf_of(form.text)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert {x["id"]: x for x in reading_rows(site)}[new]["state"] == "retracted"


def test_a_reading_from_a_file_says_which_line_to_edit(site, client):
    sign_in(client, "hanh")
    from_file = next(x for x in reading_rows(site) if x["source_file"])
    for verb in ("correct", "retract"):
        r = client.get(f"/readings/{from_file['id']}/{verb}")
        assert r.status_code == 409
        expected = (
            f"reading {from_file['id']} cannot be {verb}ed here: it comes from line "
            f"{from_file['source_line']} of the reading file {from_file['source_file']}: "
            "edit that line"
        )
        assert expected in r.text


# --- pages --------------------------------------------------------------------------------


def test_language_switch_is_remembered(client):
    sign_in(client, "hanh")
    assert '<html lang="en">' in client.get("/?lang=en").text
    page = client.get("/?lang=vi")
    assert '<html lang="vi">' in page.text and "Báo cáo mới nhất" in page.text
    assert '<html lang="vi">' in client.get("/runs").text  # remembered without ?lang
    assert '<html lang="en">' in client.get("/runs?lang=en").text
    assert '<html lang="en">' in client.get(f"/indicators/{IND}").text


def test_the_home_page_is_the_latest_report_in_the_report_s_words(site, client):
    from tracker.reports.i18n import text

    sign_in(client, "hanh")
    for lang in ("en", "vi"):
        page = client.get(f"/?lang={lang}").text
        assert text(lang, "headline") in page
        assert text(lang, "first_run") in page  # a first run: nothing to compare with
    written = (site.folder / "reports" / "latest" / "gap-report.html").read_text()
    body = re.search(r"<h2>.*</ul>", written, re.S).group(0)
    # the report file (in the programme's language) and the page say the same
    from tracker.targets import load_program

    lang = load_program(site.settings.targets).lang
    page = client.get(f"/?lang={lang}").text
    assert body.split("<h2>")[2][:200] in page
    # the same charts, drawn from the readings the run saw
    assert page.count("<svg") == written.count("<svg") > 0


def test_public_read_opens_the_reading_pages_but_not_the_forms(site):
    path = site.settings.targets
    path.write_text(path.read_text() + "\nweb: {public_read: true}\n")
    anonymous = TestClient(create_app(site.settings, site.engine))
    assert anonymous.get("/", follow_redirects=False).status_code == 200
    assert anonymous.get(f"/indicators/{IND}", follow_redirects=False).status_code == 200
    r = anonymous.get("/readings/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_public_read_must_be_true_or_false(tmp_path):
    from tracker.errors import TargetsFileError
    from tracker.targets import load_program

    text = (ROOT / "targets.yaml").read_text() + "\nweb:\n  public_read: maybe\n"
    (tmp_path / "targets.yaml").write_text(text)
    with pytest.raises(TargetsFileError) as e:
        load_program(tmp_path / "targets.yaml")
    line = text.count("\n")  # the last line of the file
    assert (f'targets.yaml:{line}:16: "public_read" of "web" must be true or false, '
            'not "maybe"') in str(e.value)


def test_past_reports_and_unknown_pages(site, client):
    sign_in(client, "hanh")
    day = next(p.name for p in (site.folder / "reports").iterdir() if p.name[:2] == "20")
    assert f'href="/reports/{day}"' in client.get("/reports").text
    assert client.get(f"/reports/{day}").status_code == 200
    assert client.get("/reports/..%2F..%2Fetc").status_code == 404
    assert client.get("/reports/2001-01-01").status_code == 404
    assert client.get("/indicators/no_such_thing").status_code == 404


def test_runs_page_shows_runs_and_next_slot(site, client):
    sign_in(client, "xem")
    page = client.get("/runs?lang=en").text
    assert "Next scheduled run:" in page and "success" in page
    from tracker import load_program, status_text

    words, _ = status_text(site.engine, load_program(site.settings.targets))
    assert words.splitlines()[1].split(" started ")[0] in page  # `tracker status`'s words


def test_every_asset_is_served_by_tracker(client):
    sign_in(client, "hanh")
    for url in ("/", f"/indicators/{IND}", "/readings/new", "/runs", "/login"):
        page = client.get(url).text
        assert not re.search(r'(src|href)="(https?:)?//', page), url
        assert "<script" not in page, url
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


# --- accounts on the command line ----------------------------------------------------------


def test_user_commands(site):
    runner = CliRunner()
    db = ["--database", site.settings.database_url]
    r = runner.invoke(cli_app, [*db, "user", "add", "lan", "--role", "editor"],
                      input="lan-password\n")
    assert r.exit_code == 0 and 'account "lan" created (editor)' in r.stdout
    listed = runner.invoke(cli_app, [*db, "user", "list"]).stdout
    assert re.search(r"^lan\teditor\t", listed, re.M)
    r = runner.invoke(cli_app, [*db, "user", "add", "lan", "--role", "viewer"],
                      input="other-password\n")
    assert r.exit_code == 2 and 'there is already an account "lan"' in r.stderr
    r = runner.invoke(cli_app, [*db, "user", "add", "x", "--role", "boss"], input="p" * 9)
    assert r.exit_code == 2 and "--role must be one of viewer, editor, admin" in r.stderr
    r = runner.invoke(cli_app, [*db, "user", "add", "y", "--password", "p" * 9])
    assert r.exit_code == 2  # no such option: a password is never an argument
    r = runner.invoke(cli_app, [*db, "user", "passwd", "lan"], input="short\n")
    assert r.exit_code == 2 and "at least 8 characters" in r.stderr
    assert runner.invoke(cli_app, [*db, "user", "passwd", "lan"],
                         input="new-password\n").exit_code == 0
    from tracker.store.users import check_password

    assert check_password(site.engine, "lan", "new-password") is not None
    assert runner.invoke(cli_app, [*db, "user", "remove", "lan"]).exit_code == 0
    r = runner.invoke(cli_app, [*db, "user", "remove", "lan"])
    assert r.exit_code == 2 and 'there is no account "lan"' in r.stderr


def test_only_an_argon2_hash_is_stored(site):
    from tracker.store.tables import tracker_user

    with site.engine.connect() as conn:
        hashes = conn.execute(select(tracker_user.c.password_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())


def test_serve_refuses_a_bad_port_before_listening(workdir, sqlite_url):
    r = CliRunner().invoke(cli_app, ["--database", sqlite_url, "serve", "--port", "70000"])
    assert r.exit_code == 2
    assert "--port 70000 is not a port; use 1 to 65535" in r.stderr


def test_a_share_s_indicator_page_charts_the_share_computed_from_its_counts(client):
    sign_in(client, "hanh")
    page = client.get("/indicators/advanced_ntm_share?lang=en").text
    # the share has no reading of its own: its point comes from 54 of 91 communes
    assert page.count("<svg") == 1
    assert "59.34" in page.split("<svg")[1]  # 54 / 91 = 59.34%
