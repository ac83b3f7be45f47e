"""StoreError, in a module of its own so the CLI and the app can catch it without importing SQLAlchemy."""


class StoreError(Exception):
    """A database that cannot be opened; the message says what is wrong and what to do."""
