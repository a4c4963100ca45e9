"""The store: a ledger of readings and a ledger of runs (SQLAlchemy 2 Core; SQLite or PostgreSQL).

tables.py      the tables (SQLAlchemy Core)
database.py    engine from a URL (SQLite pragmas, PostgreSQL), migrations on open
readingfile.py a reading file (CSV) -> validated rows, or every bad row at once
ledger.py      add / correct / retract one reading (never edited in place)
sync.py        import a file as a sync: new -> added, changed -> corrected, gone -> retracted
queries.py     readings as a DataFrame as of a date and as known at a moment; export
runs.py        the run ledger: claim a slot, record outcome and rows, history
"""
