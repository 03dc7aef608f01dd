"""DuckDB's spill folder: private, removed after every read and after a killed one; a log whose reasons and user
ids are all distinct is read without hashing every row, and its distinct users are counted exactly."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from auditreport.errors import InputError
from auditreport.read import audit_log, spill
from auditreport.read.audit_log import read_audit_log

HEADER = "id,userId,searchDate,cameraCount,reason\n"


@pytest.fixture
def temp_dir(tmp_path, monkeypatch) -> Path:
    """A temporary folder of this test's own, so that no other test or process sees its folders come and go."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def spills(monkeypatch) -> list[dict]:
    """The spill folder of each read (its path and mode while the read runs) and the plan of its scan."""
    seen: list[dict] = []
    connect = audit_log._connect

    class Recording:
        def __init__(self, connection):
            self.connection = connection

        def execute(self, sql, *args):
            scan = "CREATE TEMP TABLE cells AS "
            if sql.startswith(scan):
                plan = self.connection.execute("EXPLAIN (FORMAT json) " + sql.removeprefix(scan), *args).fetchall()
                seen[-1]["plan"] = json.loads(plan[0][1])
            return self.connection.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.connection, name)

    def recording(progress, folder):
        seen.append({"path": Path(folder), "mode": stat.S_IMODE(os.stat(folder).st_mode)})
        return Recording(connect(progress, folder))

    monkeypatch.setattr(audit_log, "_connect", recording)
    return seen


def _log(path: Path, rows: int, user=lambda i: f"user-{i:06d}", bad_time_at: int | None = None) -> Path:
    """A search audit (Eugene portal layout) whose reasons are all distinct; one reason in 100 is immigration."""
    lines = [HEADER]
    for i in range(rows):
        time = "not a time" if i == bad_time_at else f"2025-07-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00.000"
        reason = f"assist ICE case {i}" if i % 100 == 0 else f"case {i} stolen vehicle seen near {i % 997} Main St"
        lines.append(f"s{i},{user(i)},{time},{1 + i % 3000},{reason}\n")
    path.write_text("".join(lines), "utf-8")
    return path


def _ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(spill.PREFIX))


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# -- the spill folder ----------------------------------------------------------------------------------------------
def test_the_spill_folder_is_private_named_for_its_process_and_gone_after_the_read(tmp_path, temp_dir, spills):
    with read_audit_log(_log(tmp_path / "log.csv", 50), profile="flock-search-audit", agency="X") as read:
        counts = read.counts.path.parent
        assert counts.parent == temp_dir and counts.name.startswith(f"auditreport-{os.getpid()}-counts-")
        assert _ours(temp_dir) == [counts.name]  # the spill folder is gone already; the counts live until close()
    [seen] = spills
    assert seen["path"].parent == temp_dir and seen["path"].name.startswith(f"auditreport-{os.getpid()}-spill-")
    assert seen["mode"] == 0o700
    assert _ours(temp_dir) == []


def test_the_spill_folder_is_gone_after_a_failing_read(tmp_path, temp_dir, spills):
    # the bad time is beyond the sample, so the read fails after its scan, in the spill folder's lifetime
    path = _log(tmp_path / "log.csv", 4000, bad_time_at=3990)
    with pytest.raises(InputError, match="could not be read as timestamps"):
        read_audit_log(path, profile="flock-search-audit", agency="X")
    assert len(spills) == 1 and not spills[0]["path"].exists()
    assert _ours(temp_dir) == []


def test_stale_folders_of_dead_processes_are_removed_at_the_next_read(tmp_path, temp_dir):
    dead, running = _dead_pid(), os.getppid()
    stale = [temp_dir / f"auditreport-{dead}-spill-abcd1234", temp_dir / f"auditreport-{dead}-counts-efgh5678"]
    kept = [temp_dir / f"auditreport-{running}-spill-ijkl9012",  # a process that runs (pytest's parent)
            temp_dir / f"auditreport-{dead}-report",             # not a name spill.py gives
            temp_dir / f"auditreport-{2 ** 70}-spill-uvwx1234",   # no process id
            temp_dir / "auditreport-counts-mnop3456"]            # nor this (no process id)
    for folder in stale + kept:
        folder.mkdir(mode=0o700)
        (folder / "duckdb_temp_storage_DEFAULT-0.tmp").write_text("Quillfeather stolen vehicle user-000001")
    (temp_dir / f"auditreport-{dead}-spill-qrst7890").write_text("a file, not a folder")
    kept.append(temp_dir / f"auditreport-{dead}-spill-qrst7890")
    read_audit_log(_log(tmp_path / "log.csv", 20), profile="flock-search-audit", agency="X").close()
    assert _ours(temp_dir) == sorted(p.name for p in kept)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="giving a folder away needs root")
def test_a_stale_folder_of_another_user_is_kept(temp_dir):
    folder = temp_dir / f"auditreport-{_dead_pid()}-spill-abcd1234"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, -1)
    assert spill.remove_stale() == [] and folder.exists()


def test_the_spill_folder_is_removed_at_exit_when_the_block_never_ends(temp_dir):
    """A read that never ends (a thread still reading when the interpreter exits) leaves no folder behind."""
    code = ("import tempfile, threading, time; tempfile.tempdir = {!r}\n"
            "from auditreport.read.spill import spill_folder\n"
            "def read():\n"
            "    with spill_folder() as folder:\n"
            "        open(folder + '/duckdb_temp_storage_DEFAULT-0.tmp', 'w').write('text')\n"
            "        time.sleep(60)\n"
            "threading.Thread(target=read, daemon=True).start(); time.sleep(0.3)\n").format(str(temp_dir))
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    assert _ours(temp_dir) == []


# -- all-distinct reasons and user ids ---------------------------------------------------------------------------
def test_all_distinct_reasons_and_user_ids_are_counted_exactly(tmp_path, temp_dir, spills):
    # 5,000 searches (the sample holds about 2,800) by 3,500 users, some written with spaces around their id;
    # every reason distinct
    path = _log(tmp_path / "log.csv", 5000, user=lambda i: f"  user-{i % 3500:06d} " if i % 7 == 0
                else f"user-{i % 3500:06d}")
    with read_audit_log(path, profile="flock-search-audit", agency="Testville PD") as read:
        observations = read.observations
        findings = {f.kind: f.message for f in read.findings}
    searches = observations[observations["measure"] == "searches"]
    assert searches["value"].sum() == 5000
    assert searches.groupby("reason_category")["value"].sum().to_dict() == {"immigration": 50, "other": 4950}
    users = observations[observations["measure"] == "distinct_users"]
    assert users["value"].tolist() == [3500]
    assert findings["distinct_users"].startswith("3500 distinct user(s)")
    assert findings["reason_categories"].startswith("5000 distinct reason text(s)")
    assert "immigration 50, other 4950" in findings["reason_categories"]


def _joins(node: dict):
    if node.get("name") == "HASH_JOIN":
        yield node
    for child in node.get("children", []):
        yield from _joins(child)


def _reads_the_file(node: dict) -> bool:
    return node.get("name") == "READ_CSV" or any(_reads_the_file(child) for child in node.get("children", []))


def test_the_scan_never_builds_a_hash_table_of_the_file(tmp_path, temp_dir, spills):
    """The scan joins each row to the sample's reasons. DuckDB guesses a few dozen rows for the file: with more
    reasons in the sample it would build the join on the file, a hash table of every row's reason (out of memory at
    1.5 M rows whose reasons are all distinct). The sample's reasons must stay the side that is built."""
    read_audit_log(_log(tmp_path / "log.csv", 300), profile="flock-search-audit", agency="X").close()
    joins = [join for node in spills[0]["plan"] for join in _joins(node)]
    assert joins
    for join in joins:
        probe, build = join["children"]
        assert _reads_the_file(probe) and not _reads_the_file(build)
