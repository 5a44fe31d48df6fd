"""The national data set for scripts/bench_national.py, written straight into PostgreSQL with COPY.

Every row goes into the real tables (made by the real migrations) with the values the app itself
would write: the progress log as the learner and mentor pages append it, skill awards on sign-off,
the barriers checklist with its history, work-readiness statuses, and certificates whose codes,
content and Ed25519 signatures are made by the real issuing code. Nothing goes through the ORM
one row at a time, which is what makes 90,000 learners and millions of log rows a matter of minutes.

Ids are chosen here, so that rows can point at each other before they are written; the sequences
are moved past them at the end. Foreign-key triggers are off while loading (the ids are consistent by
construction) and the indexes stay in place, so the tables end exactly as the migrations made them.
"""

from __future__ import annotations

import json
import math
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARKER_TABLE = "bench_national_seed"
TARGET_ROLE_LEVELS = (
    "Service desk analyst",
    "Apprentice developer",
    "Associate data analyst",
    "Associate test engineer",
)
FIRST_NAMES = (
    "Jordan", "Łukasz", "Siobhán", "Minh", "Marcus", "Daniel", "Aaron", "Tomasz", "Kwame", "Liam", "Ryan",
    "Mohammed", "Connor", "Jamal", "Callum", "Darius", "Nathan", "Seán", "Emeka", "Ben", "Kai", "Arjun", "Lewis",
    "Michael", "Dev", "Ionuț", "Kofi", "Jack", "Owen", "Rhys", "Yusuf", "Stefan",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Żółć", "Ní Bhriain", "Nguyễn", "Campbell", "O'Connor", "Patel", "Nowak", "Mensah", "Murphy", "Hughes",
    "Hussain", "Walsh", "Ahmed", "Reid", "Popescu", "Brooks", "McCarthy", "Okafor", "Whitfield", "Thompson",
    "Sharma", "Grant", "Adeyemi", "Jones", "Evans", "Kowalski", "Boateng", "Davies", "Ali",
)  # fmt: skip
PLACE_STARTS = ("North", "East", "West", "South", "Upper", "Lower", "Great", "Little")
PLACE_ENDS = ("field", "moor", "brook", "gate", "wood", "ham", "ford", "ley", "well", "stone", "bridge", "mere",
              "dale", "wick", "thorpe")  # fmt: skip
REFLECTION = "What I did, what went well, and what I would do differently next time."
FEEDBACK = "Good start. Add a line about how you checked that your fix worked, then send it back."
COHORT_SIZE = (20, 50)
LEARNERS_PER_MENTOR_COHORTS = 2  # each mentor looks after about two cohorts


@dataclass(frozen=True)
class SeedParameters:
    establishments: int = 120
    min_learners: int = 213
    max_learners: int = 1800
    big: int = 5000
    events_per_learner: int = 52
    certificates: int = 146_000
    seed: int = 2026

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class World:
    """What the benchmark needs to find again after seeding (public ids, so it survives --reuse)."""

    admin: str = ""
    # Establishment public id -> its name, code and size; the public ids of its head of education, its first
    # cohort, that cohort's mentor and first learner, and an enrolment there awaiting sign-off (if any).
    establishments: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- Sizes ------------------------------------------------------------------------------------------------


def establishment_sizes(params: SeedParameters, rng: random.Random) -> list[int]:
    """Learners per establishment: the largest and smallest exactly, the rest log-uniform between them.

    Log-uniform gives many small prisons and a few large ones, as the estate has; 120 establishments
    between 213 and 1,800 come to about 90,000 learners. The extra large establishment (`big`) comes last.
    """
    low, high = params.min_learners, max(params.min_learners, params.max_learners)
    sizes = [high, low][: params.establishments]
    while len(sizes) < params.establishments:
        sizes.append(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
    if params.big:
        sizes.append(params.big)
    return sizes


def cohort_sizes(learners: int, rng: random.Random) -> list[int]:
    sizes: list[int] = []
    left = learners
    while left > 0:
        size = min(left, rng.randint(*COHORT_SIZE))
        if 0 < left - size < COHORT_SIZE[0]:  # no tiny cohort at the end: the last one takes the rest
            size = left
        sizes.append(size)
        left -= size
    return sizes


def establishment_name(index: int) -> tuple[str, str]:
    start, end = PLACE_STARTS[index % len(PLACE_STARTS)], PLACE_ENDS[(index // len(PLACE_STARTS)) % len(PLACE_ENDS)]
    round_ = index // (len(PLACE_STARTS) * len(PLACE_ENDS))
    name = f"HMP {start}{end}" + (f" {round_ + 1}" if round_ else "")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = "".join(letters[(index // 26**power) % 26] for power in (2, 1, 0))
    return name, code


# --- The catalogue, as plain data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedModule:
    id: int
    units: tuple[int, ...]
    skills: tuple[tuple[int, str], ...]  # (skill id, level value)
    certificate_skills: tuple[dict[str, str], ...]  # as the issuer stores them
    title: str
    can_do: str


def read_catalogue() -> tuple[dict[int, list[PlannedModule]], list[int]]:
    """Each target role level's modules in the order a learner takes them, as the demo plans them."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from skillpath.extensions import db
    from skillpath.models import Module, ModuleSkill, RoleLevel
    from skillpath.services.certificates.certificates import _areas, _sorted_skills, module_can_do

    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.is_published.is_(True))
            .options(
                selectinload(Module.units),
                selectinload(Module.skills).selectinload(ModuleSkill.skill),
                selectinload(Module.essential_areas),
            )
            .order_by(Module.code)
        )
    )
    levels = list(
        db.session.scalars(
            select(RoleLevel)
            .where(RoleLevel.name.in_(TARGET_ROLE_LEVELS))
            .options(selectinload(RoleLevel.required_skills))
            .order_by(RoleLevel.name)
        )
    )
    if not levels:
        raise SystemExit("The catalogue has none of the target role levels: was it loaded?")

    def planned(module: Module) -> PlannedModule:
        return PlannedModule(
            id=module.id,
            units=tuple(unit.id for unit in sorted(module.units, key=lambda u: u.position)),
            skills=tuple((link.skill_id, link.level.value) for link in module.skills),
            certificate_skills=tuple(
                _sorted_skills([(link.skill.name, link.level) for link in module.skills]) + _areas(module)
            ),
            title=module.title,
            can_do=module_can_do(module),
        )

    foundations = [planned(m) for m in modules if m.essential_areas][:1]
    plans = {}
    for level in levels:
        required = {link.skill_id for link in level.required_skills}
        plans[level.id] = foundations + [
            planned(m)
            for m in modules
            if not m.essential_areas and m.skills and {s.skill_id for s in m.skills} <= required
        ]
    return plans, [level.id for level in levels]


# --- Writing ------------------------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "establishments": ("id", "public_id", "name", "code", "kind", "created_at"),
    "users": (
        "id", "public_id", "username", "display_name", "role", "password_hash", "activated_at", "is_enabled",
        "failed_logins", "recovery_failures", "establishment_id", "is_establishment_lead", "created_at",
    ),
    "cohorts": ("id", "public_id", "establishment_id", "name", "created_at"),
    "cohort_mentors": ("cohort_id", "user_id"),
    "learner_profiles": (
        "user_id", "preferred_name", "certificate_name", "target_role_level_id", "establishment_id", "prison_number",
        "release_date", "last_activity_at",
    ),
    "cohort_memberships": ("id", "cohort_id", "learner_id", "joined_at", "left_at"),
    "enrolments": ("id", "public_id", "learner_id", "module_id", "enrolled_at"),
    "progress_events": (
        "id", "learner_id", "enrolment_id", "module_id", "unit_id", "kind", "actor_id", "occurred_at", "note", "detail",
    ),
    "evidence": ("id", "public_id", "learner_id", "enrolment_id", "reflection", "created_at"),
    "skill_awards": ("id", "learner_id", "skill_id", "level", "module_id", "progress_event_id", "awarded_by_id",
                     "awarded_at"),
    "barrier_items": ("id", "learner_id", "barrier", "status", "already_in_place", "updated_at", "updated_by_id"),
    "barrier_changes": ("id", "learner_id", "barrier", "status", "already_in_place", "changed_at", "changed_by_id"),
    "readiness_status_changes": ("id", "learner_id", "status", "change_type", "changed_by_id", "changed_at"),
    "status_lists": ("id", "public_id", "purpose", "size", "created_at"),
    "certificates": (
        "id", "public_id", "code", "kind", "learner_id", "module_id", "recipient_name", "achievement_name",
        "achievement_description", "skills", "issuer_name", "issued_at", "issued_by_id", "key_id", "signature",
        "status_list_id", "status_list_index",
    ),
}  # fmt: skip
TABLES_WITH_IDS = [table for table, columns in COLUMNS.items() if columns[0] == "id"]


class Rows:
    """Rows waiting to be copied, per table, and the next id of each table."""

    def __init__(self, first_ids: dict[str, int]) -> None:
        self.next_ids = dict(first_ids)
        self.pending: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self.written: dict[str, int] = dict.fromkeys(COLUMNS, 0)

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, *values: Any) -> None:
        self.pending[table].append(values)

    def flush(self, connection: Any) -> None:
        with connection.cursor() as cursor:
            for table, rows in self.pending.items():
                if not rows:
                    continue
                with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                self.written[table] += len(rows)
                rows.clear()
        connection.commit()


# --- One establishment --------------------------------------------------------------------------------------


@dataclass
class Context:
    rng: random.Random
    now: datetime
    rows: Rows
    plans: dict[int, list[PlannedModule]]
    levels: list[int]
    password_hash: str
    events_per_learner: int
    # (learner id, module, signed at, mentor id, recipient name): sign-offs a certificate may be issued for
    sign_offs: list[tuple[int, PlannedModule, datetime, int, str]] = field(default_factory=list)


def _user(ctx: Context, username: str, name: str, role: str, created_at: datetime, **extra: Any) -> tuple[int, str]:
    user_id = ctx.rows.new_id("users")
    public_id = uuid.UUID(int=ctx.rng.getrandbits(128), version=4)
    ctx.rows.add(
        "users", user_id, public_id, username, name, role, ctx.password_hash, created_at, True, 0, 0,
        extra.get("establishment_id"), extra.get("lead", False), created_at,
    )  # fmt: skip
    return user_id, str(public_id)


def _uuid(ctx: Context) -> uuid.UUID:
    return uuid.UUID(int=ctx.rng.getrandbits(128), version=4)


def seed_establishment(ctx: Context, index: int, learners: int) -> dict[str, Any]:
    """One prison: its head of education, cohorts with mentors, and `learners` learners with a year of history."""
    rng, now, rows = ctx.rng, ctx.now, ctx.rows
    name, code = establishment_name(index)
    establishment_id = rows.new_id("establishments")
    public_id = _uuid(ctx)
    rows.add("establishments", establishment_id, public_id, name, code, "prison", now - timedelta(days=400))
    created = now - timedelta(days=400)
    _, head = _user(ctx, f"head-{code.lower()}", f"Head of education {code}", "mentor", created,
                    establishment_id=establishment_id, lead=True)  # fmt: skip
    cohorts = cohort_sizes(learners, rng)
    mentors = [
        _user(
            ctx,
            f"mentor-{code.lower()}-{n + 1}",
            f"Mentor {n + 1} at {code}",
            "mentor",
            created,
            establishment_id=establishment_id,
        )
        for n in range((len(cohorts) + LEARNERS_PER_MENTOR_COHORTS - 1) // LEARNERS_PER_MENTOR_COHORTS)
    ]
    first: dict[str, Any] = {}
    number = 0
    cohort_ids: list[int] = []
    for cohort_number, size in enumerate(cohorts):
        cohort_id = rows.new_id("cohorts")
        cohort_ids.append(cohort_id)
        cohort_public = _uuid(ctx)
        rows.add("cohorts", cohort_id, cohort_public, establishment_id, f"Cohort {cohort_number + 1:02d}", created)
        mentor_id, mentor_public = mentors[cohort_number // LEARNERS_PER_MENTOR_COHORTS]
        rows.add("cohort_mentors", cohort_id, mentor_id)
        for _ in range(size):
            learner_public, awaiting = _learner(ctx, establishment_id, code, number, cohort_id, cohort_ids, mentor_id)
            if not first:
                first = {"cohort": str(cohort_public), "mentor": mentor_public, "learner": learner_public}
            if awaiting and not first.get("enrolment") and cohort_number == 0:
                first["enrolment"] = awaiting
            number += 1
    return {"name": name, "code": code, "learners": learners, "head": head, "cohorts": len(cohorts), **first}


def _learner(
    ctx: Context, establishment_id: int, code: str, number: int, cohort_id: int, cohort_ids: list[int], mentor_id: int
) -> tuple[str, str]:
    """One learner. Returns their public id and the public id of an enrolment awaiting sign-off ('' if none)."""
    rng, now, rows = ctx.rng, ctx.now, ctx.rows
    started = now - timedelta(days=rng.randint(14, 365), minutes=rng.randint(0, 1440))
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    learner_id, learner_public = _user(ctx, f"{code.lower()}-{number:05d}", name, "learner", started)
    level = ctx.levels[number % len(ctx.levels)]
    stage = rng.random() ** 0.7  # rather more learners further on than not
    last, awaiting = _history(ctx, learner_id, mentor_id, ctx.plans[level], stage, started, name)
    release = (now + timedelta(days=rng.randint(-5, 600))).date() if rng.random() < 0.9 else None
    prison_number = f"{rng.choice('ABG')}{rng.randint(1000, 9999)}{rng.choice('BCDEFG')}{rng.choice('HJKLMN')}"
    rows.add("learner_profiles", learner_id, name, name, level, establishment_id, prison_number, release, last)
    if len(cohort_ids) > 1 and rng.random() < 0.05:  # moved here from another cohort of the same prison
        moved_at = started + (now - started) * rng.uniform(0.1, 0.6)
        rows.add("cohort_memberships", rows.new_id("cohort_memberships"), cohort_ids[0], learner_id, started, moved_at)
        rows.add("cohort_memberships", rows.new_id("cohort_memberships"), cohort_id, learner_id, moved_at, None)
    else:
        rows.add("cohort_memberships", rows.new_id("cohort_memberships"), cohort_id, learner_id, started, None)
    _barriers(ctx, learner_id, mentor_id, started, stage)
    rows.add("readiness_status_changes", rows.new_id("readiness_status_changes"), learner_id, "SUPPORT_NEEDED", "NEW",
             mentor_id, started)  # fmt: skip
    if stage > 0.9:
        rows.add("readiness_status_changes", rows.new_id("readiness_status_changes"), learner_id, "READY_TO_WORK",
                 None, mentor_id, started + (now - started) / 2)  # fmt: skip
    return learner_public, awaiting


def _history(  # noqa: C901 - one learner's year, told in order
    ctx: Context,
    learner_id: int,
    mentor_id: int,
    plan: Sequence[PlannedModule],
    stage: float,
    started: datetime,
    name: str,
) -> tuple[datetime, str]:
    """Enrolments, the progress log, evidence and sign-offs, `stage` of the way through `plan`.

    Learners who make slips (a part marked done, then not done, then done again) bring the log to about
    `events_per_learner` rows on average, as real logs carry such corrections.
    """
    rng, now, rows = ctx.rng, ctx.now, ctx.rows
    units_total = sum(len(m.units) for m in plan)
    units_to_do = round(stage * units_total)
    # Roughly: the parts done, and enrolled, evidence, sent, signed off for each module reached.
    natural = units_to_do + 5 * math.ceil(units_to_do * len(plan) / max(units_total, 1))
    wanted = ctx.events_per_learner * rng.uniform(0.5, 1.5) * (0.3 + 1.4 * stage)
    slips = max(0.0, (wanted - natural) / 2 / max(units_to_do, 1))  # slips per part done (2 events each)
    end = now - timedelta(days=rng.randint(0, 20))
    step = (end - started) / max(units_to_do * (1 + 3 * slips) + 8, 1)
    clock, awaiting = started, ""

    def log(enrolment: int, module: int, kind: str, at: datetime, **extra: Any) -> int:
        at = min(at, now)  # a busy learner's slips can run the clock on: nothing happens after "now"
        event_id = rows.new_id("progress_events")
        rows.add("progress_events", event_id, learner_id, enrolment, module, extra.get("unit"), kind,
                 extra.get("actor", learner_id), at, extra.get("note"), extra.get("detail"))  # fmt: skip
        return event_id

    for module in plan:
        if units_to_do <= 0:
            break
        enrolment_id = rows.new_id("enrolments")
        enrolment_public = _uuid(ctx)
        rows.add("enrolments", enrolment_id, enrolment_public, learner_id, module.id, min(clock, now))
        log(enrolment_id, module.id, "enrolled", clock)
        done = min(units_to_do, len(module.units))
        for unit in module.units[:done]:
            for _ in range(int(slips) + (rng.random() < slips - int(slips))):
                for kind in ("unit_completed", "unit_undone"):
                    clock += step
                    log(enrolment_id, module.id, kind, clock, unit=unit)
            clock += step
            log(enrolment_id, module.id, "unit_completed", clock, unit=unit)
        units_to_do -= done
        if done < len(module.units):
            break
        clock += step
        evidence_public = _uuid(ctx)
        rows.add(
            "evidence", rows.new_id("evidence"), evidence_public, learner_id, enrolment_id, REFLECTION, min(clock, now)
        )
        log(enrolment_id, module.id, "evidence_added", clock, detail=json.dumps({"evidence": str(evidence_public)}))
        log(enrolment_id, module.id, "submitted", clock)
        roll = rng.random()
        if roll < 0.15:  # the mentor asked for more, once
            clock += step
            log(enrolment_id, module.id, "returned", min(clock, now), actor=mentor_id, note=FEEDBACK)
            if roll < 0.03:  # ...and the learner has not answered yet
                continue
            clock += step
            evidence_public = _uuid(ctx)
            rows.add(
                "evidence",
                rows.new_id("evidence"),
                evidence_public,
                learner_id,
                enrolment_id,
                REFLECTION,
                min(clock, now),
            )
            log(enrolment_id, module.id, "evidence_added", clock, detail=json.dumps({"evidence": str(evidence_public)}))
            log(enrolment_id, module.id, "submitted", clock, detail=json.dumps({"again": True}))
        if rng.random() < 0.9:
            signed_at = min(clock + timedelta(days=rng.randint(1, 6)), now)
            event_id = log(enrolment_id, module.id, "signed_off", signed_at, actor=mentor_id)
            for skill_id, level in module.skills:
                rows.add("skill_awards", rows.new_id("skill_awards"), learner_id, skill_id, level, module.id, event_id,
                         mentor_id, signed_at)  # fmt: skip
            ctx.sign_offs.append((learner_id, module, signed_at, mentor_id, name))
        elif not awaiting:
            awaiting = str(enrolment_public)
    return min(clock, now), awaiting


def _barriers(ctx: Context, learner_id: int, mentor_id: int, started: datetime, stage: float) -> None:
    """As the demo: each checklist item moves from not started towards done; further on, more is done."""
    rng, now, rows = ctx.rng, ctx.now, ctx.rows
    for barrier in ("BANK_ACCOUNT", "CV_AND_COVERING_LETTER", "DISCLOSURE_LETTER", "EMAIL", "PHONE", "HOUSING", "ID",
                    "INTERVIEW_CLOTHING"):  # fmt: skip
        roll = rng.random() * (1 - 0.6 * stage)
        if roll >= 0.6:
            continue
        if roll < 0.1:
            changes = [("COMPLETED", True, started)]
        else:
            at = started + (now - started) * rng.uniform(0.05, 0.6)
            changes = [("IN_PROGRESS", False, at)]
            if roll < 0.4:
                changes.append(("COMPLETED", False, at + (now - at) * rng.uniform(0.1, 0.9)))
        for status, in_place, at in changes:
            rows.add("barrier_changes", rows.new_id("barrier_changes"), learner_id, barrier, status, in_place, at,
                     mentor_id)  # fmt: skip
        status, in_place, at = changes[-1]
        rows.add("barrier_items", rows.new_id("barrier_items"), learner_id, barrier, status, in_place, at, mentor_id)


# --- Certificates -------------------------------------------------------------------------------------------


def certificate_code(rng: random.Random) -> str:
    from skillpath.services.certificates.certificates import ALPHABET, RANDOM_LENGTH, check_character

    body = "".join(rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def seed_certificates(ctx: Context, count: int, connection: Any, progress: Progress) -> int:
    """Module certificates for `count` of the sign-offs, signed with the issuer's key exactly as issuing does."""
    from skillpath.models import Certificate, CertificateKind
    from skillpath.services.certificates import signing
    from skillpath.services.certificates.certificates import content_of
    from skillpath.services.certificates.issuer import current_issuer
    from skillpath.services.certificates.status_lists import LIST_SIZE

    rng, rows = ctx.rng, ctx.rows
    issuer = current_issuer()
    key = issuer.signing_key()
    chosen = sorted(rng.sample(range(len(ctx.sign_offs)), min(count, len(ctx.sign_offs))))
    lists = []
    for start in range(0, len(chosen), LIST_SIZE):
        list_id = rows.new_id("status_lists")
        rows.add("status_lists", list_id, _uuid(ctx), "revocation", LIST_SIZE, ctx.now - timedelta(days=400))
        lists.append((list_id, rng.sample(range(LIST_SIZE), min(LIST_SIZE, len(chosen) - start))))
    codes: set[str] = set()
    for position, index in enumerate(chosen):
        learner_id, module, signed_at, mentor_id, name = ctx.sign_offs[index]
        code = certificate_code(rng)
        while code in codes:
            code = certificate_code(rng)
        codes.add(code)
        certificate = Certificate(
            code=code, kind=CertificateKind.MODULE, recipient_name=name, achievement_name=module.title,
            achievement_description=module.can_do, skills=list(module.certificate_skills), issuer_name=issuer.name,
            issued_at=signed_at.astimezone(UTC).replace(microsecond=0),
        )  # fmt: skip
        signature = signing.sign(content_of(certificate).canonical_bytes(), key)
        list_id, indexes = lists[position // LIST_SIZE]
        rows.add(
            "certificates", rows.new_id("certificates"), _uuid(ctx), code, "module", learner_id, module.id, name,
            module.title, module.can_do, json.dumps(list(module.certificate_skills)), issuer.name,
            certificate.issued_at, mentor_id, key.kid, signature, list_id, indexes[position % LIST_SIZE],
        )  # fmt: skip
        if len(rows.pending["certificates"]) >= 20_000:
            rows.flush(connection)
            progress.update(position + 1)
    rows.flush(connection)
    progress.update(len(chosen))
    return len(chosen)


# --- Progress -----------------------------------------------------------------------------------------------


class Progress:
    """A line every few seconds: how much is done, how fast, and about how long is left."""

    EVERY_SECONDS = 5.0

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.started = self.printed = time.perf_counter()

    def update(self, done: int, extra: str = "") -> None:
        now = time.perf_counter()
        if done < self.total and now - self.printed < self.EVERY_SECONDS:
            return
        self.printed = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed else 0.0
        left = f", about {(self.total - done) / rate:.0f} s left" if rate and done < self.total else ""
        print(f"  {self.label}: {done:,} of {self.total:,} ({rate:,.0f}/s, {elapsed:.0f} s{left}) {extra}", flush=True)


# --- Putting it together ------------------------------------------------------------------------------------


def first_ids(connection: Any, tables: Iterable[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in tables:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - our own table names
            found[table] = int(cursor.fetchone()[0])
    return found


def move_sequences(connection: Any) -> None:
    with connection.cursor() as cursor:
        for table in TABLES_WITH_IDS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"  # noqa: S608
            )
    connection.commit()


def seed_national(connection: Any, params: SeedParameters, now: datetime) -> World:
    """Everything but the catalogue (already loaded), into an empty schema. Call inside the app's context."""
    from skillpath.auth.passwords import hash_secret

    started = time.perf_counter()
    rng = random.Random(params.seed)  # noqa: S311 - repeatable data, not security
    plans, levels = read_catalogue()
    rows = Rows(first_ids(connection, TABLES_WITH_IDS))
    ctx = Context(rng, now, rows, plans, levels, hash_secret("bench-national-not-for-signing-in"),
                  params.events_per_learner)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers: ids are consistent by construction
        cursor.execute("SET synchronous_commit = off")
    world = World()
    _, world.admin = _user(ctx, "bench-admin", "Bench Administrator", "admin", now - timedelta(days=500))
    sizes = establishment_sizes(params, rng)
    total = sum(sizes)
    print(f"Seeding {len(sizes)} establishments, {total:,} learners ({min(sizes):,}–{max(sizes):,} each)")
    progress = Progress("learners", total)
    done = 0
    for index, size in enumerate(sizes):
        info = seed_establishment(ctx, index, size)
        info["big"] = bool(params.big) and index == len(sizes) - 1
        establishment_public = str(rows.pending["establishments"][-1][1])
        world.establishments[establishment_public] = info
        rows.flush(connection)
        done += size
        progress.update(done, f"({rows.written['progress_events']:,} log rows)")
    print(
        f"  {len(ctx.sign_offs):,} sign-offs; issuing certificates for {min(params.certificates, len(ctx.sign_offs)):,}"
    )
    certificates = Progress("certificates", min(params.certificates, len(ctx.sign_offs)))
    seed_certificates(ctx, params.certificates, connection, certificates)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
    move_sequences(connection)
    world.counts = dict(rows.written)
    world.seconds = time.perf_counter() - started
    return world


def write_marker(connection: Any, params: SeedParameters, world: World) -> None:
    """Record what was seeded, so that --reuse can tell whether the database already holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (parameters text PRIMARY KEY, world text)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (parameters, world) VALUES (%s, %s)",  # noqa: S608
            (params.as_json(), json.dumps(asdict(world))),
        )
    connection.commit()


def read_marker(connection: Any, params: SeedParameters) -> World | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", (MARKER_TABLE,))
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT world FROM {MARKER_TABLE} WHERE parameters = %s", (params.as_json(),))  # noqa: S608
        found = cursor.fetchone()
    connection.rollback()
    return World(**json.loads(found[0])) if found else None


# --- The database -------------------------------------------------------------------------------------------


def conninfo(database_url: str) -> str:
    """A libpq connection string for psycopg from SQLAlchemy's URL."""
    from sqlalchemy.engine import make_url

    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_database(database_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise SystemExit("The national benchmark runs on PostgreSQL: give a postgresql+psycopg:// URL")
    with psycopg.connect(conninfo(str(url.set(database="postgres"))), autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if found is None:
            connection.execute(f'CREATE DATABASE "{url.database}"')


def fresh_schema_and_catalogue(database_url: str) -> None:
    """Drop everything, run the migrations, load the catalogue (inside the app's context), as `make run` does."""
    import psycopg
    from flask_migrate import upgrade

    from skillpath.extensions import db
    from skillpath.services.catalogue.catalogue_data import load_catalogue

    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    db.engine.dispose()
    upgrade(directory=str(ROOT / "migrations"))
    load_catalogue()
    db.session.commit()


def seed_now() -> datetime:
    """Today at midnight UTC: the data set's "now", so that one day's runs seed the same rows."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def vacuum_analyze(database_url: str) -> None:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


def read_any_marker(database_url: str) -> World:
    """The world recorded in a database seeded earlier, whatever its parameters."""
    import psycopg

    with psycopg.connect(conninfo(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT world FROM {MARKER_TABLE} LIMIT 1")  # noqa: S608 - our own table
        found = cursor.fetchone()
    if found is None:
        raise SystemExit(f"{database_url} has not been seeded: run this script with --seed-only on it first")
    return World(**json.loads(found[0]))
