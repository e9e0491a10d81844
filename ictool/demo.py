"""A realistic demo production, dated around today so the screens look live."""

from datetime import date, timedelta

from sqlite_utils import Database

from ictool import audit, blocking, people, productions, rider_terms, scenes
from ictool.db import transaction

PEOPLE = [
    ("Maya Okafor", "coordinator", None),
    ("Tom Brennan", "first_ad", None),
    ("Priya Shah", "second_ad", None),
    ("Lena Voss", "director", None),
    ("Alex Rivera", "performer", None),
    ("Sam Lindqvist", "performer", None),
    ("Jordan Blake", "performer", None),
    ("Ruth Adeyemi", "producer", None),
    ("Kenji Mori", "crew", "camera"),
    ("Ellie Hart", "crew", "sound"),
    ("Marta Nowak", "crew", "costume"),
    ("Chloe Dubois", "crew", "make-up"),
    ("Dev Malhotra", "crew", "grip"),
]


def seed(db: Database, today: date | None = None) -> int:
    """Create the demo production and return its id."""
    today = today or date.today()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    with transaction(db):
        pid = productions.create(
            db,
            "Northern Lights — Episode 3",
            "equity_uk",
            ic_engaged_on=day(-42),
            starts_on=day(-3),
            ends_on=day(30),
        )
        ids = {name: people.add(db, pid, name, role, dept) for name, role, dept in PEOPLE}
        p = ids.__getitem__
        day1 = scenes.add_day(db, pid, day(0), "Studio 2, Harbour Film Studios", "07:30")
        day2 = scenes.add_day(db, pid, day(1), "Location: Lakeside cabin, Nordvik", "06:45")

        def crew(*names: str, **extra: str) -> dict:
            roster = {
                p("Maya Okafor"): "coordinator",  # role codes, shown in the reader's language
                p("Lena Voss"): "director",
                p("Tom Brennan"): "first_ad",
            }
            roster.update({p(n): purpose for n, purpose in extra.items()})
            roster.update({p(n): "performer" for n in names})
            return roster

        scenes.add_scene(
            db,
            pid,
            day1,
            "12",
            "Kitchen, morning: Alex and Sam argue about the move.",
            performers={p("Alex Rivera"): None, p("Sam Lindqvist"): None},
        )
        kiss = scenes.add_scene(
            db,
            pid,
            day1,
            "14",
            "Hallway: Alex kisses Sam goodbye.",
            "kiss",
            performers={p("Alex Rivera"): day(-10), p("Sam Lindqvist"): day(-10)},
        )
        bed = scenes.add_scene(
            db,
            pid,
            day1,
            "15",
            "Bedroom, night: Alex and Sam reconcile.",
            "simulated_sex",
            closed_set=True,
            performers={p("Alex Rivera"): day(-6), p("Sam Lindqvist"): day(-1)},
            roster=crew(
                "Alex Rivera",
                "Sam Lindqvist",
                **{
                    "Kenji Mori": "camera operator",
                    "Ellie Hart": "boom operator",
                    "Marta Nowak": "costume, modesty garments",
                },
            ),
        )
        lake = scenes.add_scene(
            db,
            pid,
            day2,
            "22",
            "Lake at dawn: Sam and Jordan swim.",
            "full_nudity",
            closed_set=True,
            performers={p("Sam Lindqvist"): day(-5), p("Jordan Blake"): None},
            roster=crew(
                "Sam Lindqvist",
                "Jordan Blake",
                **{"Kenji Mori": "camera operator", "Marta Nowak": "costume, robes"},
            ),
        )
        scenes.add_scene(
            db,
            pid,
            day2,
            "23",
            "Cabin porch: Jordan tells Sam the truth.",
            performers={p("Sam Lindqvist"): None, p("Jordan Blake"): None},
        )
        ic = p("Maya Okafor")
        blocking.save(
            db,
            kiss,
            [
                "Alex steps in, hand on Sam's upper arm.",
                "Closed-mouth kiss, three seconds; Sam ends it by stepping back.",
            ],
            ic,
        )
        blocking.save(
            db,
            bed,
            [
                "Start seated on the bed edge, both in modesty garments under robes.",
                "Alex's hand to Sam's cheek; Sam leans in. Closed-mouth kiss.",
                "Robes off (out of frame); both lie down, Sam on the left.",
                "Simulated movement, barrier cushion between hips; hands stay above the waist.",
                "Sam turns away to the window; hold for the line. Cut.",
            ],
            ic,
        )
        # Sam's rider for the lake: amended once (bare buttocks added) and signed again; the
        # blocking's second beat asks for more than it (breasts), so the scene shows
        # `rider_exceeded` and the IC's rider matrix shows it too.
        sam = p("Sam Lindqvist")
        first = {
            "nudity": ["back"],
            "no_touch": ["breasts"],
            "other": "Robe handed to me at the water's edge.",
        }
        rider_terms.seed(db, lake, sam, first, ic, day(-9), day(-8))
        rider_terms.seed(
            db, lake, sam, dict(first, nudity=["back", "buttocks"]), ic, day(-6), day(-5)
        )
        blocking.save(
            db,
            lake,
            [
                "Robes on at the jetty; robes off on 'action' with the camera wide and behind.",
                "Walk into the water to waist depth; no frontal framing.",
                "Swim out; robes and warm blankets waiting at the jetty on 'cut'.",
            ],
            ic,
            [
                {"performers": [sam], "nudity": ["back", "buttocks"]},
                {"performers": [sam], "nudity": ["back", "buttocks", "breasts"]},
                {"performers": [sam], "nudity": ["back"]},
            ],
        )
        audit.record(db, "demo.seeded", production_id=pid)
    return pid
