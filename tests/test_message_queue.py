"""A studio runs several `ictool serve` processes sharing one Redis message queue. A process
that cannot use the queue must refuse to start, in one line, rather than serve its phones
alone: a pause raised on another process would never reach them."""

import os
import shutil
import socket
import subprocess

import pytest
from serverproc import ServerProcess, free_port

from ictool_load.loadkit import RedisServer

needs_redis = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="no redis-server (apt-get install -y redis-server)"
)


def _serve(tmp_path, queue: str, first_on_path: str | None = None):
    """Run `ictool serve` with this queue until it exits; return the run and its port."""
    server = ServerProcess(tmp_path / "set.db", tmp_path / "inst", {"ICTOOL_MESSAGE_QUEUE": queue})
    if first_on_path:
        server.env["PYTHONPATH"] = os.pathsep.join([first_on_path, server.env["PYTHONPATH"]])
    server.instance.mkdir()
    try:
        run = subprocess.run(
            server.command(), env=server.env, capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("ictool serve went on serving with a message queue it cannot use")
    return run, server.port


def _refused(run: subprocess.CompletedProcess, port: int, words: str) -> str:
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("ictool: error: ICTOOL_MESSAGE_QUEUE is set but"), lines[0]
    assert words in lines[0], lines[0]
    with socket.socket() as s:  # nothing is left answering phones on its port
        assert s.connect_ex(("127.0.0.1", port)) != 0
    return lines[0]


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@needs_redis
def test_serve_refuses_a_reachable_queue_when_the_redis_library_is_missing(tmp_path, redis_server):
    shim = tmp_path / "shim" / "redis"  # first on the path: `import redis` fails as if absent
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'redis'\", name='redis')\n"
    )
    run, port = _serve(tmp_path, redis_server.url, first_on_path=str(shim.parent))
    line = _refused(run, port, "the redis package is not installed")
    assert "pip install 'ictool[studio]'" in line


def test_serve_refuses_a_queue_it_cannot_reach_without_printing_its_password(tmp_path):
    nobody = free_port()  # nothing listens here
    run, port = _serve(tmp_path, f"redis://:s3cret-pass@127.0.0.1:{nobody}/0")
    _refused(run, port, f"redis://127.0.0.1:{nobody}/0 cannot be reached")
    assert "s3cret-pass" not in run.stderr + run.stdout


def test_serve_refuses_a_queue_that_is_not_redis(tmp_path):
    run, port = _serve(tmp_path, "amqp://guest:guest@127.0.0.1:5672//")
    _refused(run, port, "only redis:// and rediss:// URLs are supported")


@needs_redis
def test_serve_with_a_reachable_queue_starts_and_names_it(tmp_path, redis_server):
    env = {"ICTOOL_MESSAGE_QUEUE": redis_server.url}
    server = ServerProcess(tmp_path / "set.db", tmp_path / "inst", env=env).start()
    try:
        assert f"sharing live events through: {redis_server.url}" in server.log_text()
    finally:
        server.stop()
