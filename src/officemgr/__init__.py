"""officemgr: the office manager's tool for a small medical practice."""

__version__ = "0.1.0"
