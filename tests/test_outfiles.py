"""Files leaving the app: 0600 from the first byte, never through a symlink, never over a file without force."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from officemgr.outfiles import OutputRefused, open_private, private_temp, publish, write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_file_is_private_and_whole(tmp_path: Path) -> None:
    target = tmp_path / "payroll.csv"
    write_private(target, b"name,hours\n")
    assert target.read_bytes() == b"name,hours\n"
    assert _mode(target) == 0o600
    assert os.listdir(tmp_path) == ["payroll.csv"]


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "queue.csv"
    target.write_bytes(b"old")
    with pytest.raises(OutputRefused, match="already exists; add --force"):
        write_private(target, b"new")
    assert target.read_bytes() == b"old"
    write_private(target, b"new", force=True)
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o600


def test_a_planted_symlink_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    with pytest.raises(OutputRefused, match="already exists"):
        write_private(link, b"phi")
    write_private(link, b"phi", force=True)
    assert not link.is_symlink() and link.read_bytes() == b"phi"
    assert victim.read_bytes() == b"keep me"


def test_a_dangling_symlink_counts_as_taken(tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(OutputRefused):
        write_private(link, b"phi")
    assert not (tmp_path / "elsewhere.csv").exists()


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), open_private(tmp_path / "sheet.txt") as handle:
        handle.write(b"half")
        raise RuntimeError("the export failed midway")
    assert os.listdir(tmp_path) == []


def test_a_missing_folder_is_said_in_words(tmp_path: Path) -> None:
    with pytest.raises(OutputRefused, match="cannot write .*No such file or directory"):
        write_private(tmp_path / "nowhere" / "x.csv", b"x")


def test_a_temporary_file_for_a_path_writer_is_private_from_the_start(tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    with private_temp(target) as temp:
        assert _mode(temp) == 0o600 and temp.parent == tmp_path
        temp.write_bytes(b"db")
        publish(temp, target)
    assert target.read_bytes() == b"db" and os.listdir(tmp_path) == ["copy.db"]
    with private_temp(target) as temp:
        pass
    assert os.listdir(tmp_path) == ["copy.db"]
