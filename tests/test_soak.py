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
