"""The `ictool` command: demo, links, serve, and one-line errors."""

import json
import socket
import subprocess
import sys

from serverproc import ServerProcess

ICTOOL = [sys.executable, "-m", "ictool"]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*ICTOOL, *args], capture_output=True, text=True, timeout=60, **kwargs)


def test_demo_seeds_a_realistic_production_and_links_lists_everyone(tmp_path):
    db = tmp_path / "demo.db"
    assert run("demo", "--db", str(db)).returncode == 0
    out = run("links", "--db", str(db), "--json", "--base-url", "http://10.0.0.5:5000")
    links = json.loads(out.stdout)
    assert len(links) >= 12
    roles = {link["role"] for link in links}
    assert roles >= {
        "coordinator",
        "first_ad",
        "second_ad",
        "director",
        "performer",
        "producer",
        "crew",
    }
    assert sum(link["role"] == "performer" for link in links) >= 3
    assert all(link["url"].startswith("http://10.0.0.5:5000/join/") for link in links)
    assert {"name", "role", "url"} <= set(links[0])
    assert "█" in run("links", "--db", str(db), "--base-url", "http://x").stdout  # QR codes
    again = run("demo", "--db", str(db))
    assert again.returncode != 0 and "already holds a production" in again.stderr


def _one_line_error(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ictool: error:"), result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_errors_are_one_clear_line(tmp_path):
    _one_line_error(run("links", "--db", "/no/such/folder/x.db"), "does not exist")
    _one_line_error(run("serve", "--nope"), "No such option")
    _one_line_error(run("frobnicate"), "No such command")
    _one_line_error(
        run("links", "--db", str(tmp_path / "x.db"), "--base-url", "ftp://x"), "--base-url"
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        _one_line_error(
            run("serve", "--host", "127.0.0.1", "--port", port, "--db", str(tmp_path / "s.db")),
            "cannot listen",
        )


def test_serve_demo_seeds_an_empty_database_and_prints_links(tmp_path):
    server = ServerProcess(tmp_path / "fresh.db", tmp_path / "inst")
    server.env["ICTOOL_DB"] = str(tmp_path / "fresh.db")
    cmd = [*ICTOOL, "serve", "--host", "127.0.0.1", "--port", str(server.port), "--demo"]
    with subprocess.Popen(
        cmd,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    ) as proc:
        try:
            lines = []
            for line in proc.stdout:
                lines.append(line)
                if "Dev Malhotra" in line:
                    break
            text = "".join(lines)
            assert "Seeded the demo production" in text and "/join/" in text
        finally:
            proc.terminate()
            proc.wait(10)
    assert (tmp_path / "fresh.db").exists()
