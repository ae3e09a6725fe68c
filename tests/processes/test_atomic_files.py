"""processes/atomic_files.write_atomically: a file is written whole with its mode, or not at all; the
uploads, signing keys, drawings, catalogs and signed PDFs are written with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from processes.atomic_files import write_atomically


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_the_target_is_written_with_the_requested_mode_and_nothing_else_is_left(tmp_path, mode):
    target = tmp_path / "file.bin"
    write_atomically(target, b"data", mode=mode, prefix=".upload-")
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == mode  # not mkstemp's 0600
    assert list(tmp_path.iterdir()) == [target]


def _full_disk_on_write(monkeypatch) -> None:
    """The disk fills up halfway through the write: the temporary file holds part of the data."""
    real_fdopen = os.fdopen

    class HalfWritten:
        def __init__(self, fd: int, *args, **kwargs) -> None:
            self.file = real_fdopen(fd, *args, **kwargs)

        def __enter__(self) -> HalfWritten:
            return self

        def __exit__(self, *exc) -> None:
            self.file.close()

        def write(self, data: bytes) -> None:
            self.file.write(data[:3])
            self.file.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", HalfWritten)


def _fails_at(name: str, error: BaseException):
    def setup(monkeypatch) -> None:
        def failing(*args, **kwargs):
            raise error
        monkeypatch.setattr(os, name, failing)
    return setup


@pytest.mark.parametrize(("fail", "seen"), [
    (_full_disk_on_write, OSError),
    (_fails_at("chmod", PermissionError(1, "Operation not permitted")), PermissionError),
    (_fails_at("replace", OSError(28, "No space left on device")), OSError),
    (_fails_at("replace", KeyboardInterrupt()), KeyboardInterrupt),  # Ctrl-C mid-write leaves nothing either
], ids=["write", "chmod", "rename", "interrupted"])
def test_a_failure_while_writing_leaves_the_target_untouched_and_no_temporary_file(tmp_path, monkeypatch, fail,
                                                                                   seen):
    target = tmp_path / "file.bin"
    target.write_bytes(b"the old content")
    target.chmod(0o640)
    fail(monkeypatch)
    with pytest.raises(seen):  # the caller sees the failure itself
        write_atomically(target, b"the new content", mode=0o600)
    monkeypatch.undo()
    assert target.read_bytes() == b"the old content" and target.stat().st_mode & 0o777 == 0o640
    assert list(tmp_path.iterdir()) == [target]


def test_an_existing_target_is_replaced_whole_not_rewritten_in_place(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"a longer old content")
    with target.open("rb") as reader:  # a reader that opened the old file goes on reading the old file
        write_atomically(target, b"short", mode=0o640)
        assert reader.read() == b"a longer old content"
    assert target.read_bytes() == b"short" and target.stat().st_mode & 0o777 == 0o640
    assert list(tmp_path.iterdir()) == [target]


def test_without_overwrite_an_existing_target_is_kept_and_the_caller_told(tmp_path):
    target = tmp_path / "signed.pdf"
    write_atomically(target, b"first", mode=0o600, prefix=".signing-", overwrite=False)
    assert target.read_bytes() == b"first" and target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        write_atomically(target, b"second", mode=0o600, prefix=".signing-", overwrite=False)
    assert target.read_bytes() == b"first"
    assert list(tmp_path.iterdir()) == [target]


def test_the_times_are_set_before_the_file_appears(tmp_path, monkeypatch):
    source = tmp_path / "messages.po"
    source.write_text("x")
    os.utime(source, ns=(1_000_000_000, 1_500_000_000_123))
    stat = source.stat()
    target = tmp_path / "messages.mo"
    seen: list[int] = []
    real_replace = os.replace

    def watched(src, dst):  # what a reader would see the moment the file appears
        seen.append(Path(src).stat().st_mtime_ns)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watched)
    write_atomically(target, b"catalog", mode=0o644, suffix=".tmp", times_ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert seen == [stat.st_mtime_ns] and target.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(tmp_path.iterdir()) == [target, source]
