"""The intimacy coordination budget line: IC prep, rehearsal and shoot days derived from
the schedule, times the day rate, plus a prep fee; shown beside other safety lines.

Amounts are kept in cents (integers) so totals never drift.
"""

import math
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, csvout, production_settings, scenes
from ictool.db import now, transaction

MAX_CENTS = 10**12  # ten billion in any currency is a typing error
MAX_LABEL = 80


def parse_amount(value: object, what: str | None = None) -> int:
    """An amount from a form or JSON ("1250", 1250.5, "1,250.50") as cents; ValueError if bad."""
    what = what or _("amount")
    if isinstance(value, bool) or value is None:
        raise ValueError(_("%(what)s must be a number", what=what))
    text = str(value).strip().replace(",", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("%(what)s must be a number, like 650 or 650.50", what=what)) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("%(what)s must be zero or more", what=what))
    cents = int((amount * 100).to_integral_value())
    if cents != amount * 100:
        raise ValueError(_("%(what)s has more than two decimals", what=what))
    if cents > MAX_CENTS:
        raise ValueError(_("%(what)s is too large", what=what))
    return cents


def money(cents: int | None) -> str:
    """Cents as plain text with two decimals ("1250.00"), for CSV and screens."""
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


def set_rates(
    db: Database,
    production_id: int,
    actor_id: int | None = None,
    **values: object,
) -> dict:
    """Set any of day_rate, prep_fee (amounts), currency, prep_days_per_scene."""
    update: dict[str, object] = {}
    if "day_rate" in values:
        update["ic_day_rate_cents"] = parse_amount(values.pop("day_rate"), _("day rate"))
    if "prep_fee" in values:
        update["ic_prep_fee_cents"] = parse_amount(values.pop("prep_fee"), _("prep fee"))
    if "currency" in values:
        currency = str(values.pop("currency") or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise ValueError(_("currency must be a three-letter code such as EUR"))
        update["currency"] = currency
    if "prep_days_per_scene" in values:
        try:
            per = float(values.pop("prep_days_per_scene"))
        except (TypeError, ValueError):
            raise ValueError(_("prep days per scene must be a number")) from None
        if not 0 < per <= 10:
            raise ValueError(_("prep days per scene must be more than 0 and at most 10"))
        update["prep_days_per_scene"] = per
    if values:
        raise ValueError(_("unknown budget setting %(key)s", key=repr(sorted(values)[0])))
    with transaction(db):
        production_settings.update(db, production_id, **update)
        audit.record(
            db,
            "budget.rates_set",
            actor_id=actor_id,
            production_id=production_id,
            fields=sorted(update),
        )
    return summary(db, production_id)


def add_line(
    db: Database, production_id: int, label: str, amount: object, actor_id: int | None = None
) -> int:
    """Add another safety line (stunt coordination, medic...) for comparison and the total."""
    label = (label or "").strip() if isinstance(label, str) else ""
    if not label:
        raise ValueError(_("a safety line needs a label, such as 'Stunt coordination'"))
    if len(label) > MAX_LABEL:
        raise ValueError(_("the label is longer than %(n)s characters", n=MAX_LABEL))
    cents = parse_amount(amount)
    with transaction(db):
        line_id = (
            db["budget_lines"]
            .insert(
                {
                    "production_id": production_id,
                    "label": label,
                    "amount_cents": cents,
                    "created_at": now(),
                }
            )
            .last_pk
        )
        audit.record(
            db,
            "budget.line_added",
            actor_id=actor_id,
            production_id=production_id,
            subject=f"budget_line:{line_id}",
        )
    return line_id


def remove_line(
    db: Database, production_id: int, line_id: int, actor_id: int | None = None
) -> bool:
    """Remove one of the production's other safety lines; False if there is no such line."""
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM budget_lines WHERE id = ? AND production_id = ?", [line_id, production_id]
        )
        if cursor.rowcount:
            audit.record(
                db,
                "budget.line_removed",
                actor_id=actor_id,
                production_id=production_id,
                subject=f"budget_line:{line_id}",
            )
    return bool(cursor.rowcount)


def ic_days(db: Database, production_id: int, prep_days_per_scene: float) -> dict:
    """IC days derived from the schedule: prep per intimate scene, rehearsal days, shoot days."""
    intimate = [s for s in scenes.of_production(db, production_id) if scenes.is_intimate(s)]
    shoot_dates = set()
    for scene in intimate:
        day = scenes.get_day(db, scene["shoot_day_id"]) if scene["shoot_day_id"] else None
        if day:
            shoot_dates.add(day["date"])
    rehearsal_dates = {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT date FROM rehearsals WHERE production_id = ?", [production_id]
        )
    }
    prep = math.ceil(len(intimate) * prep_days_per_scene * 2) / 2  # to the half day
    return {
        "intimate_scenes": len(intimate),
        "prep_days": prep,
        "rehearsal_days": len(rehearsal_dates - shoot_dates),
        "shoot_days": len(shoot_dates),
    }


def summary(db: Database, production_id: int) -> dict:
    """The IC line with its derivation, the other safety lines, and the total."""
    settings = production_settings.get(db, production_id)
    days = ic_days(db, production_id, settings["prep_days_per_scene"])
    rate = settings["ic_day_rate_cents"]
    total_days = days["prep_days"] + days["rehearsal_days"] + days["shoot_days"]
    ic_cents = None
    if rate is not None:
        ic_cents = round(total_days * rate) + settings["ic_prep_fee_cents"]
    others = [
        {"id": r["id"], "label": r["label"], "amount_cents": r["amount_cents"]}
        for r in db["budget_lines"].rows_where("production_id = ?", [production_id], order_by="id")
    ]
    total = (ic_cents or 0) + sum(line["amount_cents"] for line in others)
    return {
        "currency": settings["currency"],
        "day_rate_cents": rate,
        "prep_fee_cents": settings["ic_prep_fee_cents"],
        "prep_days_per_scene": settings["prep_days_per_scene"],
        "days": dict(days, total_days=total_days),
        "ic_line_cents": ic_cents,
        "other_lines": others,
        "total_cents": total,
    }


def to_csv(data: dict) -> str:
    """The budget as CSV: one row per line, then the total (amounts with two decimals)."""
    cur, days, rate = data["currency"], data["days"], data["day_rate_cents"]
    rows: list[list[object]] = [["line", "days", "rate", "fee", "amount", "currency"]]
    for label, count in (
        ("Intimacy coordinator: prep days", days["prep_days"]),
        ("Intimacy coordinator: rehearsal days", days["rehearsal_days"]),
        ("Intimacy coordinator: shoot days", days["shoot_days"]),
    ):
        amount = None if rate is None else round(count * rate)
        rows.append([label, f"{count:g}", money(rate), "", money(amount), cur])
    fee = money(data["prep_fee_cents"])
    rows.append(["Intimacy coordinator: prep fee", "", "", fee, fee, cur])
    rows.append(
        [
            "Intimacy coordination (line total)",
            f"{days['total_days']:g}",
            "",
            "",
            money(data["ic_line_cents"]),
            cur,
        ]
    )
    rows += [
        [line["label"], "", "", "", money(line["amount_cents"]), cur]
        for line in data["other_lines"]
    ]
    rows.append(["Total safety lines", "", "", "", money(data["total_cents"]), cur])
    return csvout.write(rows)
