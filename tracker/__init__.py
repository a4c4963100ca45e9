"""tracker: declared goals vs recorded readings, assessed on a schedule, written as gap reports.

Data flows one way: targets + readings -> assessment -> reports.

    targets.py   targets.yaml -> Program (model.py)
    store/       the readings ledger (SQLModel), import/sync, queries as DataFrames
    assess.py    pure pandas: (program, readings, as_of) -> gaps frame
    reports/     gaps frame -> Markdown, HTML, CSV, JSON, XLSX
    job.py       the one function `tracker run` and the scheduler both call
    schedule.py  APScheduler wiring over the run ledger
    cli.py       thin typer front end

This module stays import-light on purpose: `tracker --help` must not import pandas.
"""

__version__ = "0.1.0"
