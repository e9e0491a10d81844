"""The soak and the benchmark, short: they run end to end and the soak's verdict holds
(nothing lost, nothing duplicated, everything acknowledged). Timings are printed by the
commands, never asserted."""

import re
import shutil
import subprocess
import sys

import pytest


def _ictool(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ictool", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


REDIS = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="no redis-server (apt-get install -y redis-server)"
)


@pytest.mark.parametrize(
    "mode", [[], pytest.param(["--scale-out"], marks=REDIS)], ids=["one-process", "redis"]
)
def test_a_short_soak_loses_nothing_under_drops_a_sigkill_and_a_redis_restart(mode):
    run = _ictool("soak", "--alerts", "120", "--senders", "20", "--drop-every", "0.05", *mode)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    verdict = re.search(
        r"sent=120 committed=120 lost=0 duplicates=0 acknowledged_by_ad=120/120", run.stdout
    )
    assert verdict, run.stdout
    assert "SIGKILLed" in run.stdout and "missed_by_ad=0" in run.stdout
    if mode:
        assert "restarted Redis" in run.stdout
    dropped = int(re.search(r"connections dropped=(\d+)", run.stdout).group(1))
    assert dropped > 0


def test_the_benchmark_runs_and_prints_its_numbers():
    run = _ictool(
        "bench",
        "--clients",
        "20",
        "--alerts",
        "20",
        "--broadcast-clients",
        "10",
        "--broadcasts",
        "3",
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    for line in ("/healthz answered", "broadcast ratio", "raise -> alert:new at the AD"):
        assert line in run.stdout, run.stdout
    assert "alerts lost: 0" in run.stdout
    assert re.search(r"server RSS with 23 clients connected: [\d.]+ MB", run.stdout)


def test_the_benchmark_leaves_alerts_open_floods_and_measures_the_floor():
    """The load scenarios of the write path: open pauses that escalate while the timed ones
    are raised, a flood of concerns with a pause timed through it, the bare floor."""
    run = _ictool(
        *("bench", "--clients", "20", "--alerts", "20", "--broadcast-clients", "10"),
        *("--broadcasts", "2", "--open-alerts", "5", "--escalation-seconds", "0.2"),
        *("--flood-phones", "5", "--flood-seconds", "1", "--floor"),
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "left 5 of 5 pauses open and unacknowledged" in run.stdout, run.stdout
    escalations = r"while the pauses were raised \([\d.]+ s\): \d+ (escalations )?of"
    assert re.search(escalations, run.stdout), run.stdout
    assert "alerts lost: 0" in run.stdout
    assert re.search(r"flood answers: 201 x\d+ \(0 server errors\)", run.stdout), run.stdout
    assert "acknowledged but missing from the database: 0" in run.stdout
    assert re.search(r"during the flood, raise -> alert:new at the AD: n=[1-9]", run.stdout)
    assert re.search(r"bare Flask-SocketIO: [\d.]+ ms \(ictool [\d.]+ ms", run.stdout)
