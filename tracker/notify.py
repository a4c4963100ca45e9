"""Tell someone how a scheduled run went: the `notify:` hooks of targets.yaml.

    notify:
      command: /usr/local/bin/tell-the-team --channel monitoring
      webhook: https://hooks.example.org/tracker

    >>> send(program.notify, summary)      # after every scheduled run, failed ones too

Both hooks get the same JSON summary (see `tracker.schedule.run_summary`):

- `command` is split into words like a shell would (`shlex.split`) and run without a
  shell, with the summary on stdin and `TRACKER_RUN_OUTCOME` (success | failed),
  `TRACKER_RUN_JOB`, `TRACKER_RUN_SLOT`, `TRACKER_RUN_AS_OF`, `TRACKER_RUN_CATCH_UP`,
  `TRACKER_RUN_ID`, `TRACKER_RUN_REPORT`, `TRACKER_RUN_ERROR` (first line) and
  `TRACKER_RUN_FAILURES` (failed runs since the last success) in its environment.
  Pipes or redirections need a shell: `command: sh -c 'mail -s tracker ops@example.org'`.
  It may run 60 seconds.
- `webhook` receives the summary as the body of a POST (`application/json`); 10 seconds.

A hook that fails (missing program, non-zero exit, timeout, HTTP error) is logged at
WARNING and otherwise ignored: a broken notification never stops the scheduler. Logs
name the command's program and the webhook's host only: arguments and URL paths often
carry a token.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from tracker.errors import BadValue
from tracker.model import Notify

COMMAND_TIMEOUT_S = 60
WEBHOOK_TIMEOUT_S = 10

log = logging.getLogger("tracker.schedule.notify")


def check(hooks: Notify) -> None:
    """Raise BadValue now, at start, for a command that cannot be split into words."""
    if hooks.command:
        try:
            words = shlex.split(hooks.command)
        except ValueError as e:
            raise BadValue(
                f'notify.command "{hooks.command}" in the targets file cannot be split into '
                f"words ({e}); check its quotes"
            ) from None
        if not words:
            raise BadValue("notify.command in the targets file is empty; remove it or fill it")


def send(hooks: Notify, summary: Mapping[str, Any]) -> None:
    """Call the command and the webhook (those that are set) with `summary`; never raises."""
    body = json.dumps(summary, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if hooks.command:
        _run_command(hooks.command, body, _environment(summary))
    if hooks.webhook:
        _post(hooks.webhook, body)


def _environment(summary: Mapping[str, Any]) -> dict[str, str]:
    def text(key: str) -> str:
        value = summary.get(key)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    error = text("error").splitlines()
    return {
        **os.environ,
        "TRACKER_RUN_OUTCOME": text("outcome"),
        "TRACKER_RUN_JOB": text("job"),
        "TRACKER_RUN_SLOT": text("slot"),
        "TRACKER_RUN_AS_OF": text("as_of"),
        "TRACKER_RUN_CATCH_UP": text("catch_up"),
        "TRACKER_RUN_ID": text("run_id"),
        "TRACKER_RUN_REPORT": text("report_dir"),
        "TRACKER_RUN_ERROR": error[0] if error else "",
        "TRACKER_RUN_FAILURES": text("consecutive_failures"),
    }


def _run_command(command: str, body: bytes, env: dict[str, str]) -> None:
    words = shlex.split(command)  # check() made sure this works
    name = os.path.basename(words[0])  # not the arguments: they may hold a token
    try:
        done = subprocess.run(
            words,
            input=body,
            env=env,
            capture_output=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("notify command %s was stopped after %d s", name, COMMAND_TIMEOUT_S)
        return
    except OSError as e:  # not found, not executable
        log.warning("notify command %s could not start: %s", name, e.strerror or e)
        return
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        log.warning(
            "notify command %s exited with %d%s",
            name,
            done.returncode,
            f": {tail[0]}" if tail else "",
        )
        return
    log.info("notify command %s done", name)


def _post(url: str, body: bytes) -> None:
    where = urllib.parse.urlsplit(url).netloc  # not the path: hook URLs often embed a secret
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "tracker"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            status = response.status
    except urllib.error.HTTPError as e:
        log.warning("notify webhook on %s answered HTTP %d %s", where, e.code, e.reason)
        return
    except (urllib.error.URLError, OSError, ValueError) as e:  # refused, timeout, bad URL
        reason = getattr(e, "reason", e)
        log.warning("notify webhook on %s could not be reached: %s", where, reason)
        return
    log.info("notify webhook on %s answered HTTP %d", where, status)
