"""The benchmark's server: ictool's own, with one more Socket.IO event that only
`ictool bench` uses, registered here and never by the product.

`python -m ictool_load.benchserver serve ...` is `ictool serve ...`; gunicorn runs
`ictool_load.benchserver:create_app()`. Either way the app is the product's, and
`bench:clearance` is attached once it is built: the IC emits it and the server broadcasts a
clearance-sized update to every role of the production, as when a scene's clearance changes.

Imports nothing but `ictool` and its command line at the top: `serve` patches for gevent
before the rest is loaded.
"""

import ictool
from ictool import cli

# About the size and shape of a scene's clearance update.
CLEARANCE = {
    "scene_id": 3,
    "number": "15",
    "cleared": False,
    "reasons": [
        {"code": "rider_late", "person": "Sam Lindqvist", "text": "Rider signed late"},
        {"code": "closed_set", "text": "Closed set: crew list not confirmed"},
    ],
    "roster_confirmed": False,
    "updated_at": "2026-11-28T03:00:00.000+00:00",
}

product_app = ictool.create_app


def create_app(*args, **kwargs):
    """The product's app with `bench:clearance` attached."""
    app = product_app(*args, **kwargs)
    register_clearance_event()
    return app


def register_clearance_event() -> None:
    """Attach `bench:clearance` (IC only): broadcast a clearance update to every role."""
    from ictool import events
    from ictool.permissions import ROLE_CAPABILITIES
    from ictool.realtime import publish, role_room, socketio
    from ictool.sockets import socket_person

    def on_bench_clearance(data=None):
        person = socket_person()
        if person is None or person["role"] != "coordinator" or not isinstance(data, dict):
            return {"status": 403}
        rooms = [role_room(person["production_id"], role) for role in ROLE_CAPABILITIES]
        publish(events.SCENE_CLEARANCE, dict(CLEARANCE, n=data.get("n")), to=rooms)
        return {"status": 200}

    socketio.on_event("bench:clearance", on_bench_clearance)


def main() -> None:
    """`ictool` itself, building this app wherever it would build the product's."""
    ictool.create_app = create_app  # `ictool serve` looks it up when it builds the app
    cli.main()


if __name__ == "__main__":
    main()
