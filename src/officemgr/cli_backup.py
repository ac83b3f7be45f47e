"""The database file's care: `backup`, `restore`, `check` and `encrypt`.

Each works on the file itself (a SQLite file; for a server database it says to use the server's tools) and
never replaces a database without keeping the one it replaces.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from pathlib import Path

COMMANDS = ("backup", "restore", "check", "encrypt")
# What each file command's job is on a server, where the server does it.
_SERVER = {
    "backup": "back up a server database with the server's own tools: pg_dump (and pg_restore to bring one back)",
    "restore": "bring back a server database with the server's own tools: pg_restore from a pg_dump file",
    "check": "the server checks its own data; opening the app (or any command) with --url brings the schema "
             "up to date",
    "encrypt": "a server database is protected by the server's own encryption (disk encryption, TLS connections)",
}


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    backup = sub.add_parser("backup", help="copy the database into its backups folder (or --to FILE)")
    _global_options(backup, suppress=True)
    backup.add_argument("--to", metavar="FILE", help="write the copy here instead (refused if FILE exists)")
    restore = sub.add_parser("restore", help="replace the database with a backup (the current one is kept)")
    _global_options(restore, suppress=True)
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing the database")
    check = sub.add_parser("check", help="check the database: integrity, links between records, schema version")
    _global_options(check, suppress=True)
    encrypt = sub.add_parser("encrypt", help="encrypt a plain database (SQLCipher) under a key you choose")
    _global_options(encrypt, suppress=True)


def writes_over_database(args: argparse.Namespace) -> str | None:
    """The output file an export, report or huddle sheet was told to write that is the database itself (or its
    journal), or None: writing there would destroy the practice's records."""
    from officemgr.cli import _sqlite_file

    if args.command not in ("export", "report", "huddle"):
        return None
    database = _sqlite_file(args)
    if database is None:
        return None
    own = {os.path.realpath(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
    for name in ("out", "csv", "file"):
        target = getattr(args, name, None)
        if target and os.path.realpath(target) in own:
            return target
    return None


def run(args: argparse.Namespace, database: Path | None) -> int:
    if database is None:
        print(f"officemgr: {args.command} works on a SQLite file; {_SERVER[args.command]}", file=sys.stderr)
        return 1
    if args.command == "restore":
        return _restore(args, database)
    if not database.is_file():
        print(f"officemgr: there is no database {database}; nothing was done", file=sys.stderr)
        return 1
    if args.command == "check":
        return _check(args, database)
    if args.command == "encrypt":
        return _encrypt(args, database)
    return _backup(args, database)


def _key(args: argparse.Namespace) -> str | None:
    from officemgr.cli import database_key

    return database_key(args)


def _backup(args: argparse.Namespace, database: Path) -> int:
    from officemgr import backups, dbfile

    target = Path(args.to) if args.to else None
    if target is not None and target.exists():
        print(f"officemgr: {target} already exists; choose a new file name (nothing was overwritten)", file=sys.stderr)
        return 1
    if target is not None and not target.parent.is_dir():
        print(f"officemgr: there is no folder {target.parent}", file=sys.stderr)
        return 1
    key = _key(args)
    try:
        copy = backups.make_backup(database, now=datetime.now(), why="manual", target=target, key=key)
    except dbfile.database_errors(key) as exc:
        print(f"officemgr: cannot copy {database} ({exc}); run officemgr check to see what is wrong", file=sys.stderr)
        return 1
    if target is None:
        backups.prune(database)
    else:
        # A copy written elsewhere (a USB stick) is practice data leaving its safeguards, like any export.
        _log(args, "export", "backup", {"file": str(copy)})
    print(f"Backed up {database} to {copy}.")
    return 0


def _log(args: argparse.Namespace, entity: str, action: str, details: dict[str, str]) -> None:
    from officemgr import store
    from officemgr.cli import _open
    from officemgr.services.common import record

    engine = _open(args)
    try:
        with store.write_session(engine) as session:
            record(session, actor=getpass.getuser(), entity=entity, entity_id=0, action=action, changes=details,
                   now=datetime.now())
            session.commit()
    finally:
        engine.dispose()


def _check(args: argparse.Namespace, database: Path) -> int:
    from officemgr import backups, dbfile, store

    found = dbfile.check_file(database, key=_key(args))
    known = store.known_revisions()
    head = store.head_revision()
    print(f"Database: {database}")
    if not found.readable:
        print(f"  not readable: {found.error} (a damaged file, another kind of file, or encrypted: "
              "then add --encrypt)")
    else:
        print(f"  integrity: {'ok' if not found.integrity else '; '.join(found.integrity[:5])}")
        print(f"  links between records: {'ok' if not found.broken_links else f'{found.broken_links} broken'}")
        if found.revision is None:
            print("  schema: not an officemgr database")
        elif found.revision == head:
            print(f"  schema: {found.revision}, up to date")
        elif found.revision in known:
            print(f"  schema: {found.revision}, older; it is upgraded (after a backup) when the app opens it")
        else:
            print(f"  schema: {found.revision}, from a newer version of officemgr; update officemgr")
    newest = backups.backups(database)
    print(f"  backups: {len(newest)} in {backups.folder_for(database)}"
          + (f", newest {newest[0][0]:%Y-%m-%d %H:%M}" if newest else ""))
    good = found.ok and found.revision in known
    if not good:
        print(f"officemgr: the database needs attention; {backups.restore_hint(database, key=_key(args))}",
              file=sys.stderr)
    return 0 if good else 1


def _restore(args: argparse.Namespace, database: Path) -> int:
    from officemgr import backups, store

    backup = Path(args.file)
    key = _key(args)
    try:
        backups.check_restorable(backup, known=store.known_revisions(), key=key)
    except backups.RestoreRefused as exc:
        print(f"officemgr: {exc}; nothing was changed", file=sys.stderr)
        return 1
    if backup.resolve() == database.resolve():
        print(f"officemgr: {backup} is the database itself; choose a backup", file=sys.stderr)
        return 1
    if database.exists():
        print(f"This replaces {database} with {backup}. The database as it is now is kept in "
              f"{backups.folder_for(database)}.")
        if not args.yes and not _confirmed():
            print("officemgr: nothing was changed (type yes to restore, or add --yes)", file=sys.stderr)
            return 1
    aside = backups.restore(backup, database, now=datetime.now(), key=key)
    # Opening brings an older backup up to the current schema; the restore is then the log's newest event.
    _log(args, "database", "restore", {"from": str(backup), "kept": str(aside) if aside else ""})
    kept = f" The database as it was is kept as {aside}." if aside else ""
    print(f"Restored {database} from {backup}.{kept}")
    return 0


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input("Type yes to restore: ").strip().lower() == "yes"
    except EOFError:
        return False


def _encrypt(args: argparse.Namespace, database: Path) -> int:
    from officemgr import encryption

    key = os.environ.get("OFFICEMGR_KEY")
    if key is None:
        key = getpass.getpass("New database key: ")
        if key != getpass.getpass("The same key again: "):
            print("officemgr: the two keys differ; nothing was changed", file=sys.stderr)
            return 1
    try:
        plain_copy = encryption.encrypt_file(database, key=key, now=datetime.now())
    except encryption.EncryptRefused as exc:
        print(f"officemgr: {exc}; nothing was changed", file=sys.stderr)
        return 1
    print(f"Encrypted {database}. Open it with --encrypt (or OFFICEMGR_KEY); without the key nobody can read it, "
          "so keep the key somewhere safe.")
    print(f"The unencrypted original is kept as {plain_copy}: delete it, and the older unencrypted backups in "
          f"{plain_copy.parent}, once you have opened the encrypted database.")
    return 0
