"""`officemgr bench`: how fast the app starts, builds the huddle and answers keys, on a demo database.

runner.py starts each measurement of the app in a fresh process (officemgr.tui.bench.probe, which drives
Textual and so lives under tui/) and report.py prints the table. Nothing here imports textual.
"""
