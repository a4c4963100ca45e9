"""Alembic environment: runs on the connection tracker hands it (see database.migrate)."""

from alembic import context

from tracker.store.tables import declare_indexes, metadata

declare_indexes()  # the indexes too, for autogenerate's comparison

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` CLI use by developers: build an engine from the URL
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url") or "").connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
