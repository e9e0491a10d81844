"""Offline, a page's scripts come from the service worker's precache: every module a signed-in
page loads, and every module those import in turn, is in the precached shell and is served
(a module split in two must not leave its new half out, or the alarm breaks offline)."""

import json
import posixpath
import re

import pytest

IMPORT = re.compile(r'^import\s[^;]*?from\s+"([^"]+)";', re.M | re.S)
LOADED = re.compile(r'<(?:script type="module" src|link rel="modulepreload" href)="([^"]+)"')


def _shell(client) -> set[str]:
    source = client.get("/sw.js").get_data(as_text=True)
    line = next(x for x in source.splitlines() if x.startswith("const BUILD = "))
    return set(json.loads(line.removeprefix("const BUILD = ").removesuffix(";"))["shell"])


@pytest.mark.parametrize(
    "name, screen", [("Tom Brennan", "/ad"), ("Maya Okafor", "/ic"), ("Alex Rivera", "/me")]
)
def test_every_module_a_page_loads_and_imports_is_precached(login, name, screen):
    phone = login(name)
    page = phone.get(screen).get_data(as_text=True)
    shell = _shell(phone)
    todo, seen = LOADED.findall(page), set()
    assert "/static/js/alarm.js" in todo and "/static/js/pause.js" in todo
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        assert url in shell, f"{url} is loaded by {screen} but not precached"
        response = phone.get(url)
        source = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200, url
        for target in IMPORT.findall(source):
            base = target if target.startswith("/") else posixpath.dirname(url) + "/" + target
            todo.append(posixpath.normpath(base))
    assert {"/static/js/alarm-dialog.js", "/static/js/deliver.js"} <= seen
