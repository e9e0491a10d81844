"""The schema, as named sqlite-utils migrations. A landed migration is never edited:
change the schema by adding a new one at the end."""

from sqlite_utils import Database, Migrations

migrations = Migrations("ictool")


def _run(db: Database, *statements: str) -> None:
    for statement in statements:
        db.execute(statement)


@migrations(name="0001_core")
def core(db: Database) -> None:
    """Productions, people, join tokens, days, scenes, rosters, riders, blocking, audit."""
    _run(
        db,
        """CREATE TABLE productions (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            jurisdiction TEXT NOT NULL,
            ic_engaged_on TEXT,
            starts_on TEXT,
            ends_on TEXT,
            escalation_seconds REAL,
            rider_notice_hours INTEGER,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('coordinator', 'first_ad', 'second_ad',
                'director', 'performer', 'crew', 'producer')),
            department TEXT,
            language TEXT,
            created_at TEXT NOT NULL,
            erased_at TEXT
        )""",
        """CREATE TABLE tokens (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked_at TEXT,
            last_used_at TEXT
        )""",
        """CREATE TABLE shoot_days (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            date TEXT NOT NULL,
            location TEXT NOT NULL,
            call_time TEXT NOT NULL
        )""",
        """CREATE TABLE scenes (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            shoot_day_id INTEGER REFERENCES shoot_days(id),
            number TEXT NOT NULL,
            description TEXT NOT NULL,
            intimacy TEXT NOT NULL CHECK (intimacy IN ('none', 'kiss', 'simulated_sex',
                'partial_nudity', 'full_nudity')),
            closed_set INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE scene_performers (
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            rider_signed_on TEXT,
            PRIMARY KEY (scene_id, person_id)
        )""",
        """CREATE TABLE scene_roster (
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            purpose TEXT,
            PRIMARY KEY (scene_id, person_id)
        )""",
        """CREATE TABLE blocking_versions (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            version INTEGER NOT NULL,
            beats TEXT NOT NULL,
            author_id INTEGER REFERENCES people(id),
            created_at TEXT NOT NULL,
            UNIQUE (scene_id, version)
        )""",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            production_id INTEGER,
            actor_id INTEGER,
            action TEXT NOT NULL,
            subject TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        """CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        "CREATE INDEX people_production ON people(production_id)",
        "CREATE INDEX tokens_person ON tokens(person_id)",
        "CREATE INDEX scenes_day ON scenes(shoot_day_id)",
        "CREATE INDEX scene_performers_person ON scene_performers(person_id)",
    )


@migrations(name="0002_push_subscriptions")
def push_subscriptions(db: Database) -> None:
    """Web push subscriptions, one per browser endpoint."""
    _run(
        db,
        """CREATE TABLE push_subscriptions (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            endpoint TEXT NOT NULL UNIQUE,
            p256dh TEXT NOT NULL,
            auth TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
    )


@migrations(name="alerts_1")
def alerts_1(db: Database) -> None:
    """Alerts (pause, concern, withdrawal), their event sequence, deliveries, and leases."""
    _run(
        db,
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            client_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('pause', 'concern', 'withdrawal')),
            scene_id INTEGER REFERENCES scenes(id),
            text TEXT,
            preset TEXT,
            audience TEXT NOT NULL CHECK (audience IN ('ic', 'ic_and_ad')),
            anonymous INTEGER NOT NULL DEFAULT 0,
            raised_by INTEGER NOT NULL REFERENCES people(id),
            raised_at TEXT NOT NULL,
            acknowledged_by INTEGER REFERENCES people(id),
            acknowledged_at TEXT,
            resolved_by INTEGER REFERENCES people(id),
            resolved_at TEXT,
            resolution_note TEXT,
            escalation_level INTEGER NOT NULL DEFAULT 0,
            escalated_at TEXT
        )""",
        """CREATE TABLE alert_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            event TEXT NOT NULL CHECK (event IN ('new', 'update')),
            at TEXT NOT NULL
        )""",
        """CREATE TABLE deliveries (
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            delivered_at TEXT NOT NULL,
            PRIMARY KEY (alert_id, person_id)
        )""",
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL
        )""",
        "CREATE INDEX alerts_open ON alerts(production_id, resolved_at)",
        "CREATE INDEX alerts_unacknowledged ON alerts(acknowledged_at, resolved_at)",
        "CREATE INDEX alert_events_alert ON alert_events(alert_id, seq)",
    )


@migrations(name="records_1")
def records_1(db: Database) -> None:
    """The producer's side: rehearsals with IC presence, consultations, budget settings and
    other safety lines, briefing acknowledgements, the IC on each day's call sheet, and
    per-production prep window and retention settings."""
    _run(
        db,
        """CREATE TABLE production_settings (
            production_id INTEGER PRIMARY KEY REFERENCES productions(id),
            prep_window_days INTEGER,
            retention_days INTEGER,
            currency TEXT,
            ic_day_rate_cents INTEGER,
            ic_prep_fee_cents INTEGER,
            prep_days_per_scene REAL
        )""",
        """CREATE TABLE budget_lines (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            label TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE rehearsals (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            date TEXT NOT NULL,
            start_time TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL DEFAULT 120,
            location TEXT NOT NULL DEFAULT '',
            ic_present INTEGER,
            presence_recorded_by INTEGER REFERENCES people(id),
            presence_recorded_at TEXT,
            created_by INTEGER REFERENCES people(id),
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE consultations (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            held_on TEXT NOT NULL,
            consultant TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            logged_by INTEGER REFERENCES people(id),
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE briefing_acks (
            production_id INTEGER NOT NULL REFERENCES productions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            version INTEGER NOT NULL,
            language TEXT NOT NULL,
            acknowledged_at TEXT NOT NULL,
            PRIMARY KEY (person_id, version)
        )""",
        """CREATE TABLE call_sheet_ic (
            shoot_day_id INTEGER NOT NULL REFERENCES shoot_days(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            recorded_by INTEGER REFERENCES people(id),
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (shoot_day_id, person_id)
        )""",
        "CREATE INDEX rehearsals_scene ON rehearsals(scene_id)",
        "CREATE INDEX briefing_acks_production ON briefing_acks(production_id)",
    )


@migrations(name="clearance_1")
def clearance_1(db: Database) -> None:
    """Consent to a blocking version, the closed set, garments, takes and closure."""
    _run(
        db,
        """CREATE TABLE consent_events (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            action TEXT NOT NULL CHECK (action IN ('confirmed', 'withdrawn')),
            version INTEGER,
            alert_id INTEGER,
            client_id TEXT UNIQUE,
            at TEXT NOT NULL
        )""",
        """CREATE TABLE scene_checkins (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            on_roster INTEGER NOT NULL,
            checked_in_by INTEGER REFERENCES people(id),
            checked_in_at TEXT NOT NULL,
            checked_out_by INTEGER REFERENCES people(id),
            checked_out_at TEXT
        )""",
        """CREATE TABLE scene_photo_acks (
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            at TEXT NOT NULL,
            PRIMARY KEY (scene_id, person_id)
        )""",
        """CREATE TABLE scene_monitors (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            label TEXT NOT NULL,
            added_by INTEGER REFERENCES people(id),
            added_at TEXT NOT NULL,
            removed_at TEXT
        )""",
        """CREATE TABLE scene_garments (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            item TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id),
            added_by INTEGER REFERENCES people(id),
            added_at TEXT NOT NULL,
            costume_by INTEGER REFERENCES people(id),
            costume_at TEXT,
            ic_by INTEGER REFERENCES people(id),
            ic_at TEXT,
            removed_at TEXT
        )""",
        """CREATE TABLE scene_set_closures (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            closed_by INTEGER REFERENCES people(id),
            closed_at TEXT NOT NULL,
            reopened_by INTEGER REFERENCES people(id),
            reopened_at TEXT
        )""",
        """CREATE TABLE scene_takes (
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            number INTEGER NOT NULL,
            called_by INTEGER REFERENCES people(id),
            called_at TEXT NOT NULL,
            PRIMARY KEY (scene_id, number)
        )""",
        """CREATE TABLE scene_good_to_go (
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            take INTEGER NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people(id),
            ok INTEGER NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (scene_id, take, person_id)
        )""",
        """CREATE TABLE scene_wraps (
            scene_id INTEGER PRIMARY KEY REFERENCES scenes(id),
            wrapped_by INTEGER REFERENCES people(id),
            wrapped_at TEXT NOT NULL
        )""",
        """CREATE TABLE scene_closures (
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            status TEXT NOT NULL CHECK (status IN ('ok', 'talk')),
            at TEXT NOT NULL,
            PRIMARY KEY (scene_id, person_id)
        )""",
        "CREATE INDEX consent_events_scene ON consent_events(scene_id, person_id, id)",
        "CREATE INDEX scene_checkins_scene ON scene_checkins(scene_id, checked_out_at)",
        "CREATE INDEX scene_monitors_scene ON scene_monitors(scene_id)",
        "CREATE INDEX scene_garments_scene ON scene_garments(scene_id)",
        "CREATE INDEX scene_set_closures_scene ON scene_set_closures(scene_id, id)",
    )


@migrations(name="0010_setup_people_1")
def setup_people_1(db: Database) -> None:
    """A production's company and time zone; a performer's character name; people who are
    deactivated (their links stop, their records stay); one-time setup links, hashed."""
    _run(
        db,
        "ALTER TABLE productions ADD COLUMN company TEXT",
        "ALTER TABLE productions ADD COLUMN timezone TEXT",
        "ALTER TABLE people ADD COLUMN character_name TEXT",
        "ALTER TABLE people ADD COLUMN deactivated_at TEXT",
        """CREATE TABLE setup_tokens (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER REFERENCES people(id),
            production_id INTEGER REFERENCES productions(id)
        )""",
    )


@migrations(name="0012_roster_riders_sent_and_essentials")
def roster_riders_sent_and_essentials(db: Database) -> None:
    """The date each performer's rider was sent (beside the date it was signed), and each
    production's list of roles and departments that make up a closed set's essential crew."""
    _run(
        db,
        "ALTER TABLE scene_performers ADD COLUMN rider_sent_on TEXT",
        """CREATE TABLE production_essentials (
            production_id INTEGER PRIMARY KEY REFERENCES productions(id),
            entries TEXT NOT NULL,
            updated_by INTEGER REFERENCES people(id),
            updated_at TEXT NOT NULL
        )""",
    )


@migrations(name="0013_hostile_record_session_generation")
def hostile_record_session_generation(db: Database) -> None:
    """Signing out ends the sessions of a join token on the server: a cookie carries the
    token's session generation, and signing out moves the token on to the next one."""
    _run(db, "ALTER TABLE tokens ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0")


@migrations(name="0013_hostile_record_audit_witness")
def hostile_record_audit_witness(db: Database) -> None:
    """The audit log refuses deletes as it refuses updates, and keeps the signed
    checkpoints (entry count, head hash, time) that witness it."""
    _run(
        db,
        """CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TABLE audit_checkpoints (
            id INTEGER PRIMARY KEY,
            entries INTEGER NOT NULL,
            head TEXT NOT NULL,
            at TEXT NOT NULL,
            mac TEXT NOT NULL
        )""",
        """CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END""",
        """CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END""",
    )


@migrations(name="0010_hostile_alerts_by_sender")
def hostile_alerts_by_sender(db: Database) -> None:
    """A sender's open alerts found at once: one open pause each, the same concern once,
    escalation per sender, acknowledging all of one sender's alerts."""
    _run(db, "CREATE INDEX alerts_sender_open ON alerts(raised_by, kind, resolved_at)")


@migrations(name="0014_ui_glance_roster_role_codes")
def ui_glance_roster_role_codes(db: Database) -> None:
    """Roster purposes that the call-sheet import and the demo stored as English role names
    become role codes, translated where they are shown; a person's own words stay."""
    for english, code in (
        ("intimacy coordinator", "coordinator"),
        ("1st ad", "first_ad"),
        ("2nd ad", "second_ad"),
        ("director", "director"),
        ("performer", "performer"),
        ("producer", "producer"),
        ("crew", "crew"),
    ):
        db.execute(
            "UPDATE scene_roster SET purpose = ? WHERE lower(trim(purpose)) = ?", [code, english]
        )


@migrations(name="0015_uss_schedule_ids")
def uss_schedule_ids(db: Database) -> None:
    """The Universal Schedule Standard: a scene's location line (the slugline's INT/EXT, set
    and day/night), a performer's board number, and the USS ids of scenes, people, shoot days
    and rehearsals, kept from an import or made once, so a revised file or an export matches."""
    _run(
        db,
        "ALTER TABLE scenes ADD COLUMN setting TEXT",
        "ALTER TABLE people ADD COLUMN board_number TEXT",
        """CREATE TABLE uss_ids (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id),
            kind TEXT NOT NULL CHECK (kind IN ('schedule', 'scene', 'person', 'day',
                'rehearsal')),
            local_id INTEGER NOT NULL,
            uss_id TEXT NOT NULL,
            UNIQUE (production_id, kind, local_id),
            UNIQUE (production_id, kind, uss_id)
        )""",
        "CREATE INDEX scenes_by_day ON scenes(shoot_day_id, position)",
    )


@migrations(name="0015_riderterms_terms")
def riderterms_terms(db: Database) -> None:
    """A nudity rider's terms per performer and scene, versioned (an amendment is a new
    version that needs a new signature); each signature with its time, device and whether
    it came inside the notice period; each term a performer withdrew; and, per blocking
    version, the codes of what each beat asks (performers, nudity, acts, contact). Who
    recorded a row is kept without a link to `people`, so a person's export holds only the
    riders that are theirs."""
    _run(
        db,
        """CREATE TABLE rider_versions (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            version INTEGER NOT NULL,
            nudity TEXT NOT NULL,
            acts TEXT NOT NULL,
            no_touch TEXT NOT NULL,
            body_double INTEGER NOT NULL,
            stills INTEGER NOT NULL,
            other TEXT,
            sent_on TEXT,
            recorded_by INTEGER,
            recorded_at TEXT NOT NULL,
            UNIQUE (scene_id, person_id, version)
        )""",
        """CREATE TABLE rider_signatures (
            id INTEGER PRIMARY KEY,
            rider_version_id INTEGER NOT NULL REFERENCES rider_versions(id),
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            version INTEGER NOT NULL,
            signed_at TEXT NOT NULL,
            signed_local TEXT NOT NULL,
            device TEXT,
            late INTEGER NOT NULL,
            recorded_by INTEGER,
            UNIQUE (rider_version_id)
        )""",
        """CREATE TABLE rider_withdrawals (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            version INTEGER NOT NULL,
            term TEXT NOT NULL,
            alert_id INTEGER REFERENCES alerts(id),
            client_id TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX rider_versions_scene ON rider_versions(scene_id, person_id, version)",
        "CREATE INDEX rider_withdrawals_scene ON rider_withdrawals(scene_id, person_id)",
        "ALTER TABLE blocking_versions ADD COLUMN beat_codes TEXT",
    )


@migrations(name="0015_riderterms_background_role", transactional=False)
def riderterms_background_role(db: Database) -> None:
    """Background performers get a role of their own (`background`): the people table's
    role check gains it. SQLite cannot alter a CHECK, so the table is rebuilt the way the
    SQLite documentation describes (foreign keys off, copy, swap, check, on again)."""
    old = db.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='people'")
    sql = old.fetchone()[0]
    if "'background'" in sql:
        return
    new = sql.replace("'performer', 'crew'", "'performer', 'background', 'crew'", 1)
    new = new.replace("CREATE TABLE people", "CREATE TABLE people_new", 1)
    extras = [
        r[0]
        for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'people' AND type IN ('index',"
            " 'trigger') AND sql IS NOT NULL"
        )
    ]
    if db.conn.in_transaction:
        db.conn.commit()
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(new)
            db.execute("INSERT INTO people_new SELECT * FROM people")
            db.execute("DROP TABLE people")
            db.execute("ALTER TABLE people_new RENAME TO people")
            for statement in extras:
                db.execute(statement)
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:3]}")
        except BaseException:
            db.conn.rollback()
            raise
        db.execute("COMMIT")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@migrations(name="0016_people_by_role")
def people_by_role(db: Database) -> None:
    """The people of one production in given roles, found by the index: every alert is
    announced to its alerting roles, whatever the size of the cast."""
    _run(db, "CREATE INDEX people_production_role ON people(production_id, role)")
