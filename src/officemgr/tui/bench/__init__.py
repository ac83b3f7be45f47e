"""The bench probes: the app and a bare Textual app driven in their own processes (officemgr.bench runs them)."""
