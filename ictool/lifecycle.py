"""Personal data over its life (GDPR): export one person's data, erase it, and purge a
production once its retention period is over.

Erasure keeps the anonymised safety record: the people row stays (role, dates, ids) under
the name "Erased person #id", so rider dates, check-ins, pauses and acknowledgements still
read as a record, while the name, language, department, sign-in links, push endpoints and
any words the person wrote in alerts are gone. The audit log is never rewritten (it holds
ids and codes only), so its hash chain still verifies after an erasure or a purge.
"""

from datetime import date, timedelta

from sqlite_utils import Database

from ictool import alerts, audit, production_settings, productions, rider_terms
from ictool.db import now, transaction

KEPT_TABLES = {"audit"}  # the tamper-evident log outlives a purge: ids and codes only
SECRET_COLUMNS = {"token_hash", "p256dh", "auth"}
PERSON_COLUMNS_WITHOUT_FK = {"audit": ("actor_id",)}


def erased_name(person_id: int) -> str:
    return f"Erased person #{person_id}"


def _links(db: Database) -> list[tuple[str, str, str, str]]:
    """Every (table, column, other_table, other_column) link: foreign keys, plus any
    `production_id` column that has none (a table added without its REFERENCES)."""
    out = []
    for table in db.table_names():
        if table.startswith(("_", "sqlite_")):
            continue
        fks = db[table].foreign_keys
        out += [(fk.table, fk.column, fk.other_table, fk.other_column or "id") for fk in fks]
        has_fk = {fk.column for fk in fks}
        columns = db[table].columns_dict
        if table != "productions" and "production_id" in columns and "production_id" not in has_fk:
            out.append((table, "production_id", "productions", "id"))
    return out


def _person_rows(db: Database, person_id: int) -> dict[str, list[dict]]:
    """Rows of every table that point at this person, by table."""
    found: dict[str, list[dict]] = {}
    links = [(t, c) for t, c, other, _ in _links(db) if other == "people"]
    links += [(t, c) for t, cols in PERSON_COLUMNS_WITHOUT_FK.items() for c in cols]
    for table, column in links:
        if table == "alerts":
            continue  # read through the alerts module: only what this person may see
        rows = db.query(f"SELECT * FROM [{table}] WHERE [{column}] = ?", [person_id])  # noqa: S608
        for row in rows:
            clean = {
                k: ("(held, not shown: a secret)" if k in SECRET_COLUMNS else v)
                for k, v in row.items()
            }
            if clean not in found.setdefault(table, []):
                found[table].append(clean)
    return found


def export_person(db: Database, person_id: int) -> dict:
    """Everything held about one person, as JSON-ready data (secrets shown as held, not
    given); alerts appear as this person may see them."""
    rows = list(db["people"].rows_where("id = ?", [person_id]))
    if not rows:
        raise LookupError(f"no person with id {person_id}")
    person = rows[0]
    held = _person_rows(db, person_id)
    held.pop("people", None)
    subject = audit.entries(db, subject=f"person:{person_id}")
    known = {e["id"] for e in held.get("audit", [])}
    held["audit"] = held.get("audit", []) + [e for e in subject if e["id"] not in known]
    held["alerts"] = alerts.views_about(db, person)
    return {
        "exported_at": now(),
        "person": person,
        "production": productions.get(db, person["production_id"]),
        "held": {table: found for table, found in sorted(held.items()) if found},
    }


def erase_person(db: Database, person_id: int, actor_id: int | None = None) -> dict:
    """Remove a person's personal data, keeping the anonymised safety record; returns what
    was done. Erasing twice is harmless."""
    rows = list(db["people"].rows_where("id = ?", [person_id]))
    if not rows:
        raise LookupError(f"no person with id {person_id}")
    person = rows[0]
    with transaction(db):
        db["people"].update(
            person_id,
            {
                "name": erased_name(person_id),
                "department": None,
                "language": None,
                "erased_at": person["erased_at"] or now(),
            },
        )
        done = {
            "tokens": db.execute("DELETE FROM tokens WHERE person_id = ?", [person_id]).rowcount,
            "push_subscriptions": db.execute(
                "DELETE FROM push_subscriptions WHERE person_id = ?", [person_id]
            ).rowcount,
            "alert_texts": alerts.erase_texts_of(db, person_id),
            "rider_conditions": rider_terms.erase_conditions_of(db, person_id),
        }
        audit.record(
            db,
            "person.erased",
            actor_id=actor_id,
            production_id=person["production_id"],
            subject=f"person:{person_id}",
            **done,
        )
    return dict(done, person_id=person_id, name=erased_name(person_id))


def retention(db: Database, retention_default: int | None = None) -> list[dict]:
    """Every production with the date it may be purged (None: no end date, kept)."""
    out = []
    for production in db["productions"].rows_where(order_by="id"):
        days = production_settings.get(db, production["id"], retention_default)["retention_days"]
        purge_on = None
        if production["ends_on"]:
            purge_on = (
                date.fromisoformat(production["ends_on"]) + timedelta(days=days)
            ).isoformat()
        out.append(dict(production, purge_on=purge_on, retention_days=days))
    return out


def due(db: Database, today: date | None = None, retention_default: int | None = None) -> list:
    """Productions whose retention period after their end date is over."""
    today_text = (today or date.today()).isoformat()
    return [
        p
        for p in retention(db, retention_default)
        if p["purge_on"] is not None and p["purge_on"] <= today_text
    ]


def _doomed(db: Database, production_id: int) -> dict[str, set[int]]:
    """The rowids, by table, that belong to a production: everything linked to it, to its
    people, scenes and days, and so on (followed until nothing new turns up)."""
    links = [link for link in _links(db) if link[0] not in KEPT_TABLES]
    doomed: dict[str, set[int]] = {"productions": {production_id}}
    changed = True
    while changed:
        changed = False
        for table, column, other, other_column in links:
            ids = doomed.get(other)
            if not ids:
                continue
            marks = ",".join("?" * len(ids))
            found = {
                r[0]
                for r in db.execute(
                    f"SELECT rowid FROM [{table}] WHERE [{column}] IN "  # noqa: S608
                    f"(SELECT [{other_column}] FROM [{other}] WHERE rowid IN ({marks}))",
                    list(ids),
                )
            }
            if not found <= doomed.get(table, set()):
                doomed.setdefault(table, set()).update(found)
                changed = True
    return doomed


def rows_of(db: Database, production_id: int) -> dict[str, set[int]]:
    """The rowids, by table, that belong to a production (what a purge removes)."""
    return _doomed(db, production_id)


def purge_production(db: Database, production_id: int) -> dict[str, int]:
    """Delete a production and everything that belongs to it, except the audit log;
    returns how many rows went from each table."""
    with transaction(db):
        doomed = _doomed(db, production_id)
        db.execute("PRAGMA defer_foreign_keys = ON")
        removed = {}
        for table, ids in doomed.items():
            marks = ",".join("?" * len(ids))
            db.execute(f"DELETE FROM [{table}] WHERE rowid IN ({marks})", list(ids))  # noqa: S608
            removed[table] = len(ids)
        audit.record(
            db,
            "production.purged",
            production_id=production_id,
            subject=f"production:{production_id}",
            rows=sum(removed.values()),
        )
    return dict(sorted(removed.items()))


def purge(db: Database, today: date | None = None, retention_default: int | None = None) -> list:
    """Purge every production whose retention period is over; what was removed, for each."""
    done = []
    for production in due(db, today, retention_default):
        removed = purge_production(db, production["id"])
        done.append(
            {
                "id": production["id"],
                "title": production["title"],
                "ends_on": production["ends_on"],
                "retention_days": production["retention_days"],
                "removed": removed,
            }
        )
    return done


def kept_by_erasure() -> list[str]:
    """What an erasure keeps, in words, for the CLI and the README."""
    return [
        "role and the person's id (shown as " + erased_name(0).replace("#0", "#id") + ")",
        "rider dates, roster entries, check-ins, consent and briefing records (ids and times)",
        "rider terms as codes and dates, without the person's own words",
        "alerts' kind, scene and times, without the person's words",
        "the audit log, which holds ids and codes only",
    ]
