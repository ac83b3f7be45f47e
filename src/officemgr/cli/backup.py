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

from officemgr.cli.options import DONE, SubParsers, add_command, database_key, fail, open_database, sqlite_file

# What each file command's job is on a server, where the server does it.
_SERVER = {
    "backup": "back up a server database with the server's own tools: pg_dump (and pg_restore to bring one back)",
    "restore": "bring back a server database with the server's own tools: pg_restore from a pg_dump file",
    "check": "the server checks its own data; opening the app (or any command) with --url brings the schema "
             "up to date",
    "encrypt": "a server database is protected by the server's own encryption (disk encryption, TLS connections)",
}


def register(subparsers: SubParsers) -> None:
    backup = add_command(subparsers, "backup", "copy the database into its backups folder (or --to FILE)")
    backup.add_argument("--to", metavar="FILE", help="write the copy here instead (refused if FILE exists)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=back_up)
    restore = add_command(subparsers, "restore", "replace the database with a backup (the current one is kept)")
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing the database")
    restore.add_argument("--mixed", action="store_true",
                         help="allow replacing an encrypted database with a plain backup, or a plain database with "
                              "an encrypted backup (refused without it)")
    restore.set_defaults(handler=restore_backup)
    add_command(subparsers, "check", "check the database: integrity, links between records, schema version"
                ).set_defaults(handler=check)
    add_command(subparsers, "encrypt", "encrypt a plain database (SQLCipher) under a key you choose"
                ).set_defaults(handler=encrypt)


def _missing(command: str, database: Path | None) -> int:
    """The refusal when the options name a server database (its own tools do this) or no file."""
    if database is None:
        return fail(f"{command} works on a SQLite file; {_SERVER[command]}")
    return fail(f"there is no database {database}; nothing was done")


def back_up(args: argparse.Namespace) -> int:
    from officemgr import backups, dbfile, outfiles

    database = sqlite_file(args)
    if database is None or not database.is_file():
        return _missing("backup", database)
    target = Path(args.to) if args.to else None
    if target is not None and not target.parent.is_dir():
        return fail(f"there is no folder {target.parent}")
    key = database_key(args)
    try:
        if target is not None and not args.force:
            outfiles.refuse_existing(target)
        copy = backups.make_backup(database, now=datetime.now(), why="manual", target=target, key=key,
                                   force=args.force)
    except outfiles.OutputRefused as exc:
        return fail(f"{exc} (nothing was written)")
    except dbfile.database_errors(key) as exc:
        return fail(f"cannot copy {database} ({exc}); run officemgr check to see what is wrong")
    if target is None:
        backups.prune(database)
    else:
        # A copy written elsewhere (a USB stick) is practice data leaving its safeguards, like any export.
        _log(args, "export", "backup", {"file": str(copy)})
    print(f"Backed up {database} to {copy}.")
    return DONE


def _log(args: argparse.Namespace, entity: str, action: str, details: dict[str, str]) -> None:
    from officemgr import store
    from officemgr.services.common import record

    engine = open_database(args)
    try:
        with store.write_session(engine) as session:
            record(session, actor=getpass.getuser(), entity=entity, entity_id=0, action=action, changes=details,
                   now=datetime.now())
            session.commit()
    finally:
        engine.dispose()


def check(args: argparse.Namespace) -> int:
    from officemgr import backups, dbfile, store

    database = sqlite_file(args)
    if database is None or not database.is_file():
        return _missing("check", database)
    found = dbfile.check_file(database, key=database_key(args))
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
    if not (found.ok and found.revision in known):
        return fail(f"the database needs attention; {backups.restore_hint(database, key=database_key(args))}")
    return DONE


def restore_backup(args: argparse.Namespace) -> int:
    from officemgr import backups, dbfile, outfiles, store

    database = sqlite_file(args)
    if database is None:
        return _missing("restore", database)
    backup = Path(args.file)
    key = database_key(args)
    try:
        backups.check_restorable(backup, known=store.known_revisions(), key=key)
        backups.refuse_mixed(backup, database, key=key, mixed=args.mixed)
    except backups.RestoreRefused as exc:
        return fail(f"{exc}; nothing was changed")
    if backup.resolve() == database.resolve():
        return fail(f"{backup} is the database itself; choose a backup")
    if database.exists():
        print(f"This replaces {database} with {backup}. The database as it is now is kept in "
              f"{backups.folder_for(database)}.")
        if not args.yes and not _confirmed():
            return fail("nothing was changed (type yes to restore, or add --yes)")
    try:
        aside = backups.restore(backup, database, now=datetime.now(), key=key)
    except (backups.RestoreRefused, outfiles.OutputRefused) as exc:
        return fail(f"{exc}; nothing was changed")
    except dbfile.database_errors(key) as exc:
        return fail(f"cannot copy {backup} ({exc}); nothing was changed")
    # Opening brings an older backup up to the current schema; the restore is then the log's newest event.
    _log(args, "database", "restore", {"from": str(backup), "kept": str(aside) if aside else ""})
    kept = ""
    if aside is not None:
        # Without a database, only the -wal/-shm files another one left were there: moved aside, never replayed.
        kept = (f" The database as it was is kept as {aside}." if aside.exists()
                else f" The journal files left beside it were moved to {aside.parent}.")
    print(f"Restored {database} from {backup}.{kept}")
    return DONE


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input("Type yes to restore: ").strip().lower() == "yes"
    except EOFError:
        return False


def encrypt(args: argparse.Namespace) -> int:
    from officemgr import encryption

    database = sqlite_file(args)
    if database is None or not database.is_file():
        return _missing("encrypt", database)
    key = os.environ.get("OFFICEMGR_KEY")
    if key is None:
        key = getpass.getpass("New database key: ")
        if key != getpass.getpass("The same key again: "):
            return fail("the two keys differ; nothing was changed")
    try:
        plain_copy = encryption.encrypt_file(database, key=key, now=datetime.now())
    except encryption.EncryptRefused as exc:
        return fail(f"{exc}; nothing was changed")
    args.key = key  # the database's key from now on (database_key keeps it there), to open it for the log
    _log(args, "database", "encrypt", {"kept": str(plain_copy)})
    print(f"Encrypted {database}. Open it with --encrypt (or OFFICEMGR_KEY); without the key nobody can read it, "
          "so keep the key somewhere safe.")
    print(f"The unencrypted original is kept as {plain_copy}: delete it, and the older unencrypted backups in "
          f"{plain_copy.parent}, once you have opened the encrypted database.")
    return DONE
