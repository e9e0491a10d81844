"""How long the server takes to build the IC's rider matrix for a big group shoot.

    python tools/rider_matrix_bench.py [--performers 40] [--scenes 20] [--rounds 20]

Builds a throwaway production in a temporary SQLite file: N performers, all of them in M
scenes with simulated sex over two shoot days, each rider recorded (most signed, some
amended, one term withdrawn), five coded beats per scene (one beyond a rider); then asks
for `/riders/matrix` (the page) and `/api/riders/matrix` (JSON) as the IC, through the real
app and a real SQLite file, and prints the median and worst server time of each.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ictool import blocking, create_app, people, productions, rider_terms, scenes  # noqa: E402
from ictool.db import connect  # noqa: E402


def build(db, performers: int, scene_count: int) -> tuple[int, list[int]]:
    """A production with `performers` people in each of `scene_count` intimate scenes."""
    today = date.today()
    pid = productions.create(db, "Bench — group scene", "sag_aftra", starts_on=today.isoformat())
    ic = people.add(db, pid, "Bench IC", "coordinator")
    cast = [
        people.add(db, pid, f"Performer {n:02d}", "performer" if n % 3 else "background")
        for n in range(performers)
    ]
    days = [
        scenes.add_day(db, pid, (today + timedelta(days=d)).isoformat(), "Stage 1", "07:00")
        for d in (3, 4)
    ]
    ic_person = people.get(db, ic)
    for s in range(scene_count):
        scene_id = scenes.add_scene(
            db,
            pid,
            days[s % 2],
            f"{100 + s}",
            "Group scene",
            "simulated_sex",
            closed_set=True,
            performers=dict.fromkeys(cast),
        )
        scene = scenes.get(db, scene_id)
        for n, person_id in enumerate(cast):
            if n % 10 == 9:
                continue  # not sent yet
            terms = {"nudity": ["back", "chest"], "acts": ["simulated_intercourse"]}
            rider_terms.record(db, scene, person_id, terms, ic)
            if n % 5:
                rider_terms.sign(db, scene, person_id, 1, ic_person, "paper")
        codes = [{"performers": cast[:10], "nudity": ["back"]} for _ in range(5)]
        codes[2] = {"performers": cast[:3], "nudity": ["buttocks"]}
        blocking.save(db, scene_id, [f"Beat {b}" for b in range(1, 6)], ic, codes)
    return pid, cast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--performers", type=int, default=40)
    parser.add_argument("--scenes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        app = create_app(
            {"TESTING": True, "DB": path, "SECRET_KEY": "bench", "SERVER_NAME": "set.local"},
            instance_path=str(Path(tmp) / "instance"),
        )
        db = connect(path)
        with app.app_context(), app.test_request_context():
            build(db, opts.performers, opts.scenes)
        ic = next(db["people"].rows_where("role = 'coordinator'"))
        token = people.issue_token(db, ic["id"])
        db.close()
        client = app.test_client()
        assert client.get(f"/join/{token}").status_code == 302
        for url in ("/riders/matrix", "/api/riders/matrix"):
            times = []
            for _ in range(opts.rounds):
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            print(
                f"{url}: {opts.performers} performers × {opts.scenes} scenes, "
                f"median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms "
                f"({len(response.data) // 1024} KB)"
            )


if __name__ == "__main__":
    main()
