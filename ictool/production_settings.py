"""Per-production settings of the producer's side: prep window, retention, budget rates.

Every setting may be left unset: it then falls back to the jurisdiction's profile or to
the server's config, so a new production is usable before anyone fills a form.
"""

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlite_utils import Database

from ictool import audit, productions
from ictool.db import transaction

DEFAULT_RETENTION_DAYS = 3 * 365  # see config.RETENTION_DAYS
DEFAULT_PREP_DAYS_PER_SCENE = 1.0
CURRENCIES = {
    "sag_aftra": "USD",
    "equity_uk": "GBP",
    "actra": "CAD",
    "france": "EUR",
    "nordic": "EUR",
    "meaa": "AUD",
}
FIELDS = (
    "prep_window_days",
    "retention_days",
    "currency",
    "ic_day_rate_cents",
    "ic_prep_fee_cents",
    "prep_days_per_scene",
)


def _stored(db: Database, production_id: int) -> dict:
    rows = list(db["production_settings"].rows_where("production_id = ?", [production_id]))
    return rows[0] if rows else {}


def default_retention_days() -> int:
    """The server's RETENTION_DAYS, or three years outside an app."""
    if has_app_context():
        return int(current_app.config.get("RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    return DEFAULT_RETENTION_DAYS


def get(db: Database, production_id: int, retention_default: int | None = None) -> dict:
    """The settings with their fallbacks resolved, and which ones were set explicitly."""
    production = productions.get(db, production_id)
    if production is None:
        raise LookupError(_("No such production."))
    stored = _stored(db, production_id)
    profile = productions.profile(production)
    return {
        "prep_window_days": stored.get("prep_window_days") or profile.ic_prep_days,
        "retention_days": stored.get("retention_days")
        or retention_default
        or default_retention_days(),
        "currency": stored.get("currency") or CURRENCIES.get(production["jurisdiction"], "EUR"),
        "ic_day_rate_cents": stored.get("ic_day_rate_cents"),
        "ic_prep_fee_cents": stored.get("ic_prep_fee_cents") or 0,
        "prep_days_per_scene": stored.get("prep_days_per_scene") or DEFAULT_PREP_DAYS_PER_SCENE,
        "explicit": sorted(k for k in FIELDS if stored.get(k) is not None),
    }


def update(db: Database, production_id: int, **values: object) -> dict:
    """Store some settings (None clears one back to its fallback); returns the resolved set."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(_("unknown setting %(key)s", key=repr(sorted(unknown)[0])))
    row = dict(_stored(db, production_id) or {"production_id": production_id}, **values)
    db["production_settings"].upsert(row, pk="production_id")
    return get(db, production_id)


PERIODS = {"prep_window_days": (1, 365), "retention_days": (30, 36500)}


def set_periods(db: Database, production_id: int, actor_id: int | None = None, **values) -> dict:
    """Set the prep window and the retention period in whole days (None: back to the
    default); ValueError names the bad one. Audited."""
    clean = {}
    for key, value in values.items():
        if key not in PERIODS:
            raise ValueError(_("unknown setting %(key)s", key=repr(key)))
        low, high = PERIODS[key]
        if value is not None and (type(value) is not int or not low <= value <= high):
            raise ValueError(
                _(
                    "%(key)s must be a whole number of days from %(low)s to %(high)s",
                    key=key,
                    low=low,
                    high=high,
                )
            )
        clean[key] = value
    with transaction(db):
        settings = update(db, production_id, **clean)
        audit.record(
            db,
            "production.settings_set",
            actor_id=actor_id,
            production_id=production_id,
            fields=sorted(clean),
        )
    return settings
