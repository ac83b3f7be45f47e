"""services/, models/ and store.py never import textual (DESIGN.md: imports point down only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import officemgr

SRC = str(Path(officemgr.__file__).resolve().parents[1])

PROBE = """
import importlib, json, pkgutil, sys
import officemgr.models, officemgr.services, officemgr.store
names = ["officemgr.models", "officemgr.store", "officemgr.services"]
for package in (officemgr.models, officemgr.services):
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(json.dumps({"imported": names, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual")}))
"""


def test_lower_layers_do_not_import_textual():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # the probe really imported every service module
    for name in ("schedule", "staff", "inventory", "billing", "compliance", "huddle", "common", "format"):
        assert f"officemgr.services.{name}" in result["imported"]
    assert result["textual"] == []


def test_importing_the_lower_layers_builds_nothing():
    """No engine or settings at import time: importing store creates no database file."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))}
    probe = (
        "import gc, officemgr.store, officemgr.services.huddle\n"
        "from sqlalchemy.engine import Engine\n"
        "print(sum(isinstance(o, Engine) for o in gc.get_objects()))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
