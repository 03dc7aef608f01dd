"""The private folders a log's read writes to: DuckDB's spill files (which hold reason texts and user ids while
the read runs) and the counts file (counts only).

Each folder is made by one process, for one read, readable by its owner only (mode 0700), and named for that
process: `auditreport-<pid>-spill-<random>` and `auditreport-<pid>-counts-<random>` in the system's temporary
folder (`tempfile.gettempdir()`, `$TMPDIR`). A spill folder is removed when the read ends, however it ends, and
at the latest when the interpreter exits. A process killed outright (`kill -9`, out of memory, power loss)
removes nothing: the next read by any auditreport process of the same user, with the same temporary folder,
removes the folders of every process of that user that no longer runs (`remove_stale`). Whether a process runs
is asked of this machine's process ids: a folder whose id was taken by a new process waits for that one to end,
and temporary folders shared between containers (each with its own process ids) are not supported.

>>> with spill_folder() as folder:           # doctest: +SKIP
...     connection.execute(f"SET temp_directory = '{folder}'")
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PREFIX = "auditreport-"
KINDS = ("spill", "counts", "snapshot")
# the names this module gives, and no other: a folder a user named auditreport-2025-... is never touched
_NAME = re.compile(rf"^{PREFIX}(\d+)-(?:{'|'.join(KINDS)})-[a-z0-9_]{{8}}$")

_open: set[str] = set()  # spill folders of this process not removed yet (reads may run in threads)
_lock = threading.Lock()


def folder_prefix(kind: str) -> str:
    """The start of the name of a private folder of this process (tempfile adds 8 random characters)."""
    assert kind in KINDS, kind
    return f"{PREFIX}{os.getpid()}-{kind}-"


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # it exists and belongs to someone else, or the number is no process id
        return True
    return True


def remove_stale(folder: str | Path | None = None) -> list[Path]:
    """Remove the private folders, in `folder` (the temporary folder), of this user's processes that no longer
    run; return them. A folder of a running process, of another user, or not named by this module is kept.

    POSIX only: elsewhere os.kill cannot ask whether a process runs, and nothing is removed.
    """
    if os.name != "posix":
        return []
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _NAME.match(entry.name)
        if not match:
            continue
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or _running(int(match.group(1))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        if not os.path.lexists(entry.path):
            removed.append(Path(entry.path))
    return removed


def _remove_open() -> None:
    with _lock:
        folders = list(_open)
        _open.clear()
    for path in folders:
        shutil.rmtree(path, ignore_errors=True)


atexit.register(_remove_open)


@contextmanager
def spill_folder() -> Iterator[str]:
    """A new private folder for DuckDB's temporary files, removed when the block ends (or the interpreter exits).

    The stale folders of processes that no longer run are removed first.
    """
    remove_stale()
    path = tempfile.mkdtemp(prefix=folder_prefix("spill"))  # mode 0700
    with _lock:
        _open.add(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with _lock:
            _open.discard(path)
