"""`officemgr bench`: how fast the app starts, builds the huddle and answers keys, on a demo database.

Each measurement of the app runs in a fresh process (probe.py); runner.py drives them and report.py prints
the table. Nothing here imports textual at import time, so `officemgr bench` itself starts light.
"""
