"""Alembic environment: always run with a connection handed in by officemgr.store.migrate."""

from alembic import context
from sqlmodel import SQLModel

from officemgr import models  # noqa: F401  (registers every table)

target_metadata = SQLModel.metadata
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
