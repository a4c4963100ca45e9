"""The README's "Everyday use" commands run as written, in order, on a fresh copy of the
shipped programme (optional parts in [brackets] left out)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent


def everyday_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Everyday use") :]
    section = section[: section.index("\n\n", section.index("| task"))]
    commands = []
    for line in section.splitlines():
        for span in re.findall(r"`(tracker [^`]*)`", line):
            if "FILE..." in span:
                continue  # a placeholder for the user's own files
            commands.append(" ".join(re.sub(r"\[[^\]]*\]", "", span).split()))
    return commands


def test_the_readme_examples_run_as_written(workdir: Path, sqlite_url: str):
    commands = everyday_commands()
    assert len(commands) >= 12 and commands[0] == "tracker validate"
    runner = CliRunner()
    for command in commands:
        args = shlex.split(command)[1:]
        result = runner.invoke(app, ["--database", sqlite_url, *args])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert "internal error" not in result.output
