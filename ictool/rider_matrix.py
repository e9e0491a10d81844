"""The IC's rider matrix: every performer (rows) against every scene with nudity or simulated
sex (columns), each cell the rider's status in one word (`rider_terms.STATUS`), the day's
scenes first. It replaces the spreadsheet an IC keeps on a big group scene; as CSV and PDF
it is the IC's alone. Statuses only: the terms stay on each rider's own page.
"""

from sqlite_utils import Database

from ictool import beat_codes, csvout, people, report, rider_terms, scenes, textguard


def matrix(db: Database, production_id: int, day_id: int | None = None) -> dict:
    """Rows of performers, columns of scenes needing a rider (the day's first), and cells."""
    day = scenes.get_day(db, day_id) if day_id else scenes.current_day(db, production_id)
    if day is not None and day["production_id"] != production_id:
        day = None
    every = [s for s in scenes.of_production(db, production_id) if scenes.needs_rider(s)]
    todays = [s for s in every if day and s["shoot_day_id"] == day["id"]]
    columns = todays + [s for s in every if s not in todays]
    dates = {d["id"]: d["date"] for d in scenes.days(db, production_id)}
    cells: dict[tuple[int, int], str] = {}
    for s in columns:
        for pid, status in beat_codes.statuses(db, s).items():
            cells[(pid, s["id"])] = status
    in_any = {pid for pid, _ in cells}
    cast = [p for p in people.in_production(db, production_id) if p["id"] in in_any]
    return {
        "day": day,
        "scenes": [
            {
                "id": s["id"],
                "number": s["number"],
                "date": dates.get(s["shoot_day_id"]),
                "today": s in todays,
            }
            for s in columns
        ],
        "rows": [
            {
                "person_id": p["id"],
                "name": p["name"],
                "role": p["role"],
                "cells": [cells.get((p["id"], s["id"])) for s in columns],
            }
            for p in sorted(cast, key=lambda p: p["name"].casefold())
        ],
        "counts": {
            status: sum(1 for v in cells.values() if v == status) for status in rider_terms.STATUS
        },
    }


def to_csv(data: dict) -> str:
    """The matrix as a spreadsheet: one row per performer, one column per scene (codes)."""
    head = ["performer"] + [f"scene {s['number']}" for s in data["scenes"]]
    body = [[r["name"]] + [c or "" for c in r["cells"]] for r in data["rows"]]
    return csvout.write([head, *body])


def to_pdf(data: dict, title: str, labels: dict[str, str]) -> bytes:
    """The matrix as a landscape PDF table, statuses in the reader's words."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(title)
    pdf.set_creator("ictool")
    font = report._font_path()
    family = "body" if font else "Helvetica"
    if font:
        pdf.add_font("body", "", font)

    def clean(text: object) -> str:
        plain = textguard.scrub(str(text or ""))
        if font:
            return plain
        return plain.translate(report._PLAIN).encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, size=14)
    pdf.cell(0, 8, clean(title), new_x="LMARGIN", new_y="NEXT")
    columns = max(1, len(data["scenes"]))
    name_w = 55
    cell_w = max(12.0, (pdf.w - 2 * pdf.l_margin - name_w) / columns)
    size = 8 if cell_w >= 20 else 6
    pdf.set_font(family, size=size)
    pdf.cell(name_w, 6, "", border=1)
    for s in data["scenes"]:
        pdf.cell(cell_w, 6, clean(s["number"]), border=1, align="C")
    pdf.ln()
    for row in data["rows"]:
        pdf.cell(name_w, 6, clean(row["name"])[:40], border=1)
        for cell in row["cells"]:
            pdf.cell(cell_w, 6, clean(labels.get(cell, "") if cell else "—"), border=1)
        pdf.ln()
    return bytes(pdf.output())
