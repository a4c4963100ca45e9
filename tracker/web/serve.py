"""The app factory uvicorn imports in each worker process: `tracker.web.serve:app`.

    uvicorn --factory tracker.web.serve:app --workers 4   # what `tracker serve` runs

Settings come from the environment (TRACKER_TARGETS, TRACKER_DATABASE_URL, ...), which
`tracker serve` fills from its flags before starting the workers. Each worker renders the
latest report in both languages as it starts, so the first reader does not wait for it.
"""

from __future__ import annotations

import logging
import threading

from starlette.applications import Starlette

from tracker.settings import Settings
from tracker.web.app import Web, create_app
from tracker.web.text import LANGS

log = logging.getLogger("tracker.web")


def warm(web: Web) -> None:
    from tracker.web.reportview import latest_folder

    folder = latest_folder(web.settings.reports)
    if folder is None:
        return
    program = web.program
    for lang in sorted(LANGS, key=lambda x: x != program.lang):
        try:
            web.reports.render(folder, program, web.engine, lang)
        except Exception as e:  # the page will say what is wrong when it is asked for
            log.warning("could not prepare the latest report (%s): %s", lang, e)
            return


def app() -> Starlette:
    application = create_app(Settings.from_env())
    threading.Thread(target=warm, args=(application.state.web,), daemon=True).start()
    return application
