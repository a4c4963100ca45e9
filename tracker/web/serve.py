"""The app factory uvicorn imports in each worker process: `tracker.web.serve:app`.

    uvicorn --factory tracker.web.serve:app --workers 4   # what `tracker serve` runs

Settings come from the environment (TRACKER_TARGETS, TRACKER_DATABASE_URL, ...), which
`tracker serve` fills from its flags before starting the workers.
"""

from __future__ import annotations

from starlette.applications import Starlette

from tracker.settings import Settings
from tracker.web.app import create_app


def app() -> Starlette:
    return create_app(Settings.from_env())
