"""One settings object: where the targets, readings, reports and database are.

Precedence: command-line flag, then environment variable, then the default (files in
the current folder). `Settings.from_env(**flags)` applies it.

| setting      | flag         | environment            | default              |
|--------------|--------------|------------------------|----------------------|
| targets      | --targets    | TRACKER_TARGETS        | targets.yaml         |
| actuals      | --actuals    | TRACKER_ACTUALS        | actuals/             |
| reports      | --reports    | TRACKER_REPORTS        | reports/             |
| database_url | --database   | TRACKER_DATABASE_URL   | sqlite:///tracker.db |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///tracker.db"


@dataclass(frozen=True)
class Settings:
    targets: Path = Path("targets.yaml")
    actuals: Path = Path("actuals")
    reports: Path = Path("reports")
    database_url: str = DEFAULT_DATABASE_URL

    @classmethod
    def from_env(
        cls,
        *,
        targets: Path | str | None = None,
        actuals: Path | str | None = None,
        reports: Path | str | None = None,
        database_url: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ

        def pick(flag: object, var: str, default: str) -> str:
            if flag not in (None, ""):
                return str(flag)
            return env.get(var) or default

        return cls(
            targets=Path(pick(targets, "TRACKER_TARGETS", "targets.yaml")),
            actuals=Path(pick(actuals, "TRACKER_ACTUALS", "actuals")),
            reports=Path(pick(reports, "TRACKER_REPORTS", "reports")),
            database_url=pick(database_url, "TRACKER_DATABASE_URL", DEFAULT_DATABASE_URL),
        )
