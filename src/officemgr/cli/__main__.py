"""`python -m officemgr.cli`, as the `officemgr` script."""

from officemgr.cli import main

raise SystemExit(main())
