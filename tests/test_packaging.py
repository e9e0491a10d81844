"""A non-editable install ships the templates and static files and serves pages."""

import subprocess
import sys
import zipfile


def test_the_wheel_carries_templates_and_static_and_an_installed_copy_renders(tmp_path):
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("ictool-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ictool/templates/base.html" in names
    assert "ictool/static/css/app.css" in names
    assert "ictool/static/vendor/socket.io.esm.min.js" in names
    # the load tools ship beside the product, not in it (`ictool bench` with the test extra)
    assert {"ictool_load/bench.py", "ictool_load/soak.py", "ictool_load/loadkit.py"} <= set(names)
    assert not {"ictool/bench.py", "ictool/soak.py", "ictool/loadkit.py"} & set(names)

    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    script = (
        "import ictool, sys\n"
        "assert ictool.__file__.startswith(sys.argv[1]), ictool.__file__\n"
        "app = ictool.create_app({'TESTING': True, 'DB': sys.argv[2], 'SECRET_KEY': 'x'},"
        " instance_path=sys.argv[3])\n"
        "c = app.test_client()\n"
        "r = c.get('/')\n"
        "assert r.status_code == 200 and b'ictool' in r.data, r.status_code\n"
        "assert c.get('/static/css/app.css').status_code == 200\n"
        "print('rendered from', app.template_folder)\n"
        # `ictool bench` finds the installed load tools
        "import click, ictool_load.bench\n"
        "from ictool.cli import cli\n"
        "assert ictool_load.bench.__file__.startswith(sys.argv[1]), ictool_load.bench.__file__\n"
        "assert cli.get_command(click.Context(cli), 'bench') is ictool_load.bench.bench\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(target), str(tmp_path / "t.db"), str(tmp_path / "i")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert str(target) in out.stdout
