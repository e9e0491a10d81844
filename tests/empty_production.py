"""A new production as a real show starts it, not the demo: the team, one shoot day
tomorrow, and three scenes with no roster and no rider recorded yet."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ictool import people, productions, scenes
from ictool.db import connect

TEAM = [
    ("Iris Novak", "coordinator", None),
    ("Ade Mensah", "first_ad", None),
    ("Sol Ortega", "second_ad", None),
    ("Dara Quinn", "director", None),
    ("Ana Lopes", "performer", None),
    ("Ben Okoro", "performer", None),
    ("Pat Reyes", "producer", None),
    ("Cam Berg", "crew", "camera"),
    ("Sonny Vale", "crew", "sound"),
    ("Gus Hale", "crew", "grip"),
    ("Cora Finch", "crew", "costume"),
]


@dataclass
class Show:
    path: Path
    production_id: int
    ids: dict[str, int]
    tokens: dict[str, str]
    scenes: dict[str, int] = field(default_factory=dict)

    def day(self, offset: int) -> str:
        return (date.today() + timedelta(days=offset)).isoformat()


def build(path: Path) -> Show:
    """Create the production in a new database at `path`; join tokens for everyone."""
    db = connect(str(path))
    today = date.today()
    pid = productions.create(
        db,
        "Harbour Lights",
        "equity_uk",
        ic_engaged_on=(today - timedelta(days=30)).isoformat(),
        starts_on=(today - timedelta(days=2)).isoformat(),
        ends_on=(today + timedelta(days=30)).isoformat(),
    )
    ids = {name: people.add(db, pid, name, role, dept) for name, role, dept in TEAM}
    cast = {ids["Ana Lopes"]: None, ids["Ben Okoro"]: None}
    day = scenes.add_day(db, pid, (today + timedelta(days=1)).isoformat(), "Studio 1", "07:00")
    show = Show(path, pid, ids, {name: people.issue_token(db, i) for name, i in ids.items()})
    show.scenes = {
        "31": scenes.add_scene(
            db, pid, day, "31", "Bedroom: Ana and Ben.", "partial_nudity", True, cast
        ),
        "32": scenes.add_scene(db, pid, day, "32", "Doorway: a goodbye kiss.", "kiss", False, cast),
        "33": scenes.add_scene(db, pid, day, "33", "Kitchen: breakfast.", "none", False, cast),
    }
    db.close()
    return show
