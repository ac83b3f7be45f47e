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

from officemgr.cli.options import (
    DONE,
    SubParsers,
    acting_user,
    add_command,
    database_key,
    fail,
    open_database,
    say,
    server_url,
    sqlite_file,
)

# What each file command's job is on a server, where the server does it.
_SERVER = {
    "backup": "back up a server database with the server's own tools: pg_dump (and pg_restore to bring one back)",
    "restore": "bring back a server database with the server's own tools: pg_restore from a pg_dump file",
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
    from officemgr import backups, dbfile, outfiles, store

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
        if target is not None:
            # The whole practice (payroll, the audit log, every patient) leaving this PC: the manager's call.
            _who(args, "copying the database to another place", "settings")
        copy = backups.make_backup(database, now=datetime.now(), why="manual", target=target, key=key,
                                   force=args.force)
    except outfiles.OutputRefused as exc:
        return fail(f"{exc} (nothing was written)")
    except store.StoreError as exc:
        return fail(str(exc))
    except dbfile.database_errors(key) as exc:
        return fail(f"cannot copy {database} ({exc}); run officemgr check to see what is wrong")
    if target is None:
        backups.prune(database)
    else:
        # A copy written elsewhere (a USB stick) is practice data leaving its safeguards, like any export.
        _log(args, "export", "backup", {"file": str(copy)})
    say(f"Backed up {database} to {copy}.")
    return DONE


def _who(args: argparse.Namespace, what: str, area: str) -> None:
    """Sign the person in on the database as it is now, and refuse unless their roles may change `area`."""
    from officemgr.services.access import Area

    engine = open_database(args)
    try:
        acting_user(args, engine, what, writes=(Area(area),))
    finally:
        engine.dispose()


def _log(args: argparse.Namespace, entity: str, action: str, details: dict[str, str]) -> None:
    from officemgr import store
    from officemgr.services.common import record

    engine = open_database(args)
    try:
        # The person signed in before the command began (encrypt asks nobody: it logs the OS account).
        actor = getattr(args, "signed_in", None) or getpass.getuser()
        with store.write_session(engine) as session:
            record(session, actor=actor, entity=entity, entity_id=0, action=action, changes=details,
                   now=datetime.now())
            session.commit()
    finally:
        engine.dispose()


def check(args: argparse.Namespace) -> int:
    """Integrity, links, schema and backups; each thing wrong said on a line of its own (exit 1). It reads the file
    without changing anything: no -wal, -shm or -journal made beside it, the file's bytes and time as they were."""
    from officemgr import backups, dbfile, store

    database = sqlite_file(args)
    if database is None:
        return _check_server(args)
    refused = _not_checkable(database)
    if refused is not None:
        return fail(refused)
    key = database_key(args)
    problems = _surroundings(database)
    wal = dbfile.wal_state(database, key=key)
    if wal.kind == "foreign":
        problems.append(f"{database.name}-wal beside {database} is not this database's ({wal.why}); opening the app "
                        f"moves it into {backups.folder_for(database)} and opens the database as it was. "
                        "check left it where it is")
    found = dbfile.check_untouched(database, key=key, wal=wal)
    say(f"Database: {database}")
    if not found.readable:
        problems.append(_unreadable(database, key, found.error or ""))
    else:
        print(f"  integrity: {'ok' if not found.integrity else '; '.join(found.integrity[:5])}")
        print(f"  links between records: {'ok' if not found.broken_links else f'{found.broken_links} broken'}")
        schema, problem = _schema(database, found.revision, found.table_names, known=store.known_revisions(),
                                  head=store.head_revision(), ours=store.table_names())
        print(f"  schema: {schema}")
        for line in found.audit.lines() if found.audit else []:
            print(f"  audit log: {line}")
        if problem:
            problems.append(problem)
        if found.integrity or found.broken_links:
            problems.append(f"{database} is damaged; {backups.restore_hint(database, key=key)}")
        if found.audit is not None and not found.audit.ok:
            problems.append("the audit log was changed outside officemgr (see 'audit log' above): keep a copy of this "
                            "file as evidence and tell whoever is responsible for the practice's security")
    newest = backups.backups(database)
    say(f"  backups: {len(newest)} in {backups.folder_for(database)}"
          + (f", newest {newest[0][0]:%Y-%m-%d %H:%M}" if newest else ""))
    for problem in problems:
        fail(problem)
    return fail("the database needs attention (check changed nothing)") if problems else DONE


def _check_server(args: argparse.Namespace) -> int:
    """On a server the server keeps its own data sound; what check adds there is the audit log's chain and guards."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import audit_chain, store

    url = server_url(args)
    if url is None:
        return _missing("check", None)
    engine = store.create_engine_for(url)  # not open_database: check changes nothing, not even the schema
    try:
        raw = engine.raw_connection()
        try:
            found = audit_chain.verify(raw, "postgresql")
        finally:
            raw.close()
    except DBAPIError as exc:
        return fail(f"cannot read the audit log on {store.describe(engine.url)} ({exc.orig})")
    finally:
        engine.dispose()
    say(f"Database: {store.describe(engine.url)}")
    for line in found.lines():
        print(f"  audit log: {line}")
    if not found.ok:
        return fail("the audit log was changed outside officemgr (see 'audit log' above): tell whoever is responsible "
                    "for the practice's security")
    return DONE


def _not_checkable(database: Path) -> str | None:
    """Why there is nothing to check at that path: no file, a folder, no permission to read it, an empty file."""
    from officemgr import dbfile

    if database.is_dir():
        return f"{database} is a folder, not a database file: give the database file's path with --db"
    if not database.exists():
        return f"there is no database {database}; nothing was done"
    if not database.is_file():
        return f"{database} is not a regular file (a device or a pipe): give the database file's path with --db"
    if not os.access(database, os.R_OK):
        return (f"you have no permission to read {database}: ask whoever looks after this PC for read and write "
                "access to it")
    if dbfile.empty_file(database):
        return (f"{database} is empty (0 bytes), so it is not a practice database: to start a new practice there, "
                "delete the empty file and open the app with it; otherwise choose the right file with --db")
    return None


def _surroundings(database: Path) -> list[str]:
    """What around the file stops the app from opening it as it is: permissions and an unfinished write."""
    from officemgr import dbfile

    problems = []
    if not os.access(database.parent, os.W_OK):
        problems.append(f"the folder {database.parent} is read-only: the app keeps its journal beside the database, "
                        "so it cannot open it there. Move the database to a folder you can write to, or ask whoever "
                        "looks after this PC for write access")
    elif not os.access(database, os.W_OK):
        problems.append(f"{database} is read-only: the app needs to write to it. Ask whoever looks after this PC for "
                        "write access, or copy it to a folder of yours and open that with --db")
    if dbfile.hot_journal(database):
        problems.append(f"{database.name}-journal beside it holds a write that did not finish (the program writing "
                        "stopped midway): opening the app rolls that write back, so the database is as it was before "
                        "it. check left the journal as it is")
    return problems


def _unreadable(database: Path, key: str | None, error: str) -> str:
    from officemgr import backups, dbfile

    if key is not None and dbfile.is_plain_sqlite(database):
        return f"{database} is not encrypted: check it without --encrypt (and without OFFICEMGR_KEY)"
    if key is not None:
        return (f"the key does not open {database}: check the key (--encrypt or OFFICEMGR_KEY); if it is right, the "
                "file is not an officemgr database")
    if dbfile.looks_encrypted(database):
        return (f"{database} looks encrypted (no SQLite header, only scrambled pages): check it with --encrypt "
                "and its key (or set OFFICEMGR_KEY)")
    if dbfile.is_plain_sqlite(database):
        return f"{database} is damaged ({error}); {backups.restore_hint(database)}"
    return f"{database} is not a SQLite database (another kind of file): choose the officemgr database with --db"


def _schema(path: Path, revision: str | None, tables: set[str], *, known: set[str], head: str,
            ours: set[str]) -> tuple[str, str | None]:
    """The schema line, and what is wrong with it (None: the app opens it, upgrading it if older)."""
    if revision == head:
        return f"{revision}, up to date", None
    if revision in known:
        return f"{revision}, older; it is upgraded (after a backup) when the app opens it", None
    # A newer officemgr keeps most of today's tables; another program that also uses Alembic has few of them.
    if revision is not None and len(tables & ours) * 2 >= len(ours):
        return (f"{revision}, from a newer version of officemgr",
                f"{path} was written by a newer version of officemgr: update officemgr to open it")
    if revision is None and not tables:
        return ("none: an empty SQLite database",
                f"{path} holds no practice yet: opening the app starts a new practice in it")
    names = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    version = f" (its Alembic version {revision} is not one of officemgr's)" if revision else ""
    return ("not an officemgr database",
            f"{path} is another program's database{version}, with tables {names}: choose the officemgr database "
            "with --db")


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
    if database.is_file() and dbfile.looks_openable(database, key=key):
        # Signed in on the database being replaced; one that cannot be opened (the reason to restore) names nobody.
        try:
            _who(args, "restoring a backup", "settings")
        except store.StoreError:
            pass
    if database.exists():
        say(f"This replaces {database} with {backup}. The database as it is now is kept in "
              f"{backups.folder_for(database)}.")
        if not args.yes and not _confirmed():
            return fail("nothing was changed (type yes to restore, or add --yes)")
    try:
        aside = backups.restore(backup, database, now=datetime.now(), key=key)
    except (backups.RestoreRefused, outfiles.OutputRefused, store.StoreError) as exc:
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
    say(f"Restored {database} from {backup}.{kept}")
    return DONE


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input("Type yes to restore: ").strip().lower() == "yes"
    except EOFError:
        return False


def encrypt(args: argparse.Namespace) -> int:
    from officemgr import encryption, store

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
    except (encryption.EncryptRefused, store.StoreError) as exc:
        return fail(f"{exc}; nothing was changed")
    args.key = key  # the database's key from now on (database_key keeps it there), to open it for the log
    _log(args, "database", "encrypt", {"kept": str(plain_copy)})
    say(f"Encrypted {database}. Open it with --encrypt (or OFFICEMGR_KEY); without the key nobody can read it, "
          "so keep the key somewhere safe.")
    say(f"The unencrypted original is kept as {plain_copy}: delete it, and the older unencrypted backups in "
          f"{plain_copy.parent}, once you have opened the encrypted database.")
    return DONE
