"""The event catalogue: every Socket.IO event is declared once, README lists exactly those,
and nothing can be published under a name the catalogue does not hold."""

import re
from pathlib import Path

import pytest

from ictool import events, realtime

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("**Socket.IO**")
    return text[start : text.index("```js", start)]


def test_the_readme_lists_exactly_the_events_of_the_catalogue():
    section = _readme_section()
    client_part, server_part = section.split("Server → client", 1)
    named = lambda part: set(re.findall(r"`([a-z_]+:[a-z_]+)", part))  # noqa: E731
    assert named(client_part) == {e.name for e in events.TO_SERVER}
    assert named(server_part) == {e.name for e in events.TO_CLIENT}


def test_each_event_is_declared_once_with_its_receivers_and_payload():
    names = [e.name for e in events.CATALOGUE]
    assert len(names) == len(set(names))
    for event in events.CATALOGUE:
        assert re.fullmatch(r"[a-z]+:[a-z_]+", event.name)
        assert event.to and event.fields and event.doc


def test_an_event_outside_the_catalogue_cannot_be_published():
    with pytest.raises(TypeError):
        realtime.publish("scene:clearence", {}, to="role:1:coordinator")  # a typo


def test_every_client_event_has_a_handler(app):
    handlers = realtime.socketio.server.handlers["/"]
    assert {e.name for e in events.TO_SERVER} <= set(handlers)
