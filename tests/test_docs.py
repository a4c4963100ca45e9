"""Every command is documented: `--help` works and says what it does, and the README
mentions it (the docs are part of the change)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)  # type: ignore[union-attr]


def test_the_public_verbs_of_design_md_all_exist() -> None:
    for verb in ("validate", "import", "add", "run", "schedule", "status", "history", "export",
                 "correct", "retract", "readings"):
        assert verb in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_text(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    usage, _, description = result.output.partition("\n\n")
    assert usage.startswith("Usage: ") and command in usage
    assert len(description.split()) >= 5, f"{command} --help says too little"


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_mentions_every_command(command: str) -> None:
    assert f"tracker {command}" in (ROOT / "README.md").read_text(encoding="utf-8")
