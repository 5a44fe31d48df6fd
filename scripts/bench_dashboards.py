"""Benchmark the mentor dashboards: the cohort dashboard, the establishment view and the establishment CSV export.

    .venv/bin/python scripts/bench_dashboards.py [--learners 1500] [--cohort-size 40] [--runs 30] [--keep]

1. Makes a temporary SQLite database with the real migrations and SkillPath's own catalogue.
2. Seeds one establishment with `--learners` learners in cohorts of `--cohort-size`, each with up to a
   year of progress (enrolments, the progress log, evidence, sign-offs and the skills they award),
   a barriers checklist with its history and a work-readiness status, using bulk inserts of the real models.
3. Signs in as the head of education and times, in-process through the Flask test client (server
   time, no network): the dashboard of one full cohort and the establishment view (p50 and p95 over
   `--runs` requests after warm-up), and the full establishment CSV export (the stream drained).

Targets on SQLite on a 2-core machine: cohort dashboard p95 <= 100 ms, establishment view p95 <= 400 ms,
establishment export <= 2 s. The script exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"cohort": 0.100, "establishment": 0.400, "export": 2.0}
TARGET_ROLE_LEVELS = (
    "Service desk analyst",
    "Apprentice developer",
    "Associate data analyst",
    "Associate test engineer",
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


class Seeder:
    """Rows for bulk insert, with ids chosen here so that rows can refer to each other before they exist."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.ids: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def add(self, table: str, **row: Any) -> int:
        row.setdefault("id", self.next_id(table))
        self.rows.setdefault(table, []).append(row)
        return int(row["id"])


def seed(learners: int, cohort_size: int) -> dict[str, Any]:  # noqa: C901 - one linear story of a year
    from flask import current_app
    from sqlalchemy import insert, select
    from sqlalchemy.orm import selectinload

    from skillpath.extensions import db
    from skillpath.models import (
        Barrier,
        BarrierChange,
        BarrierItem,
        BarrierStatus,
        Cohort,
        CohortMembership,
        Enrolment,
        Establishment,
        Evidence,
        LearnerProfile,
        Module,
        ProgressEvent,
        ProgressKind,
        ReadinessStatusChange,
        RoleLevel,
        SkillAward,
        StatusChangeType,
        User,
        UserRole,
        WorkReadiness,
    )
    from skillpath.models.organisations import cohort_mentors
    from skillpath.services.catalogue.catalogue_data import load_catalogue
    from skillpath.services.learners.sessions import start_session
    from skillpath.services.readiness import read_models
    from skillpath.services.readiness.readiness import ReadinessRules

    load_catalogue()
    db.session.commit()
    rng, now = random.Random(2026), datetime.now(UTC)  # noqa: S311 - repeatable data, not security
    s = Seeder(rng, now)
    modules = list(
        db.session.scalars(
            select(Module).options(
                selectinload(Module.units), selectinload(Module.skills), selectinload(Module.essential_areas)
            )
        )
    )
    levels = list(
        db.session.scalars(
            select(RoleLevel)
            .where(RoleLevel.name.in_(TARGET_ROLE_LEVELS))
            .options(selectinload(RoleLevel.required_skills))
        )
    )
    foundation = next(m for m in sorted(modules, key=lambda m: m.code) if m.essential_areas)
    plans = {
        level.id: [foundation]
        + [
            m
            for m in modules
            if not m.essential_areas and {s.skill_id for s in m.skills} & {r.skill_id for r in level.required_skills}
        ]
        for level in levels
    }
    establishment_id = s.add("establishments", public_id=uuid.uuid4(), name="HMP Benchmark", code="BNC", created_at=now)

    def user(role: UserRole, name: str, **extra: Any) -> int:
        number = s.ids.get("users", 0) + 1
        extra.setdefault("created_at", now - timedelta(days=400))
        return s.add(
            "users", public_id=uuid.uuid4(), username=f"{role.value}{number}", display_name=name, role=role,
            is_enabled=True, failed_logins=0, password_hash=None, **extra,
        )  # fmt: skip

    lead_id = user(UserRole.MENTOR, "Hana Head", establishment_id=establishment_id, is_establishment_lead=True)
    cohort_ids, mentor_ids = [], []
    for n in range((learners + cohort_size - 1) // cohort_size):
        cohort_id = s.add(
            "cohorts",
            public_id=uuid.uuid4(),
            establishment_id=establishment_id,
            name=f"Cohort {n + 1:02d}",
            created_at=now,
        )
        cohort_ids.append(cohort_id)
        mentor_id = user(
            UserRole.MENTOR, f"Mentor {n + 1}", establishment_id=establishment_id, is_establishment_lead=False
        )
        mentor_ids.append(mentor_id)
        s.rows.setdefault("cohort_mentors", []).append({"cohort_id": cohort_id, "user_id": mentor_id})

    for n in range(learners):
        started = now - timedelta(days=rng.randint(14, 365))
        learner_id = user(UserRole.LEARNER, f"Learner {n:04d}", created_at=started)
        level = levels[n % len(levels)]
        cohort_id = cohort_ids[n // cohort_size]
        mentor_id = mentor_ids[n // cohort_size]
        stage = rng.random()
        last = started
        units_left = round(stage * sum(len(m.units) for m in plans[level.id]))
        clock = started
        step = (now - started) / max(units_left + 4, 1)
        for module in plans[level.id]:
            if units_left <= 0:
                break
            enrolment_id = s.add(
                "enrolments", public_id=uuid.uuid4(), learner_id=learner_id, module_id=module.id, enrolled_at=clock
            )
            log = {
                "learner_id": learner_id,
                "enrolment_id": enrolment_id,
                "module_id": module.id,
                "actor_id": learner_id,
            }

            def event(kind: ProgressKind, at: datetime, log: dict[str, Any] = log, **extra: Any) -> int:
                return s.add("progress_events", **{**log, **extra}, kind=kind, occurred_at=at)

            event(ProgressKind.ENROLLED, clock)
            done = min(units_left, len(module.units))
            for unit in module.units[:done]:
                clock += step
                event(ProgressKind.UNIT_COMPLETED, clock, unit_id=unit.id)
            units_left -= done
            last = clock
            if done == len(module.units):
                s.add(
                    "evidence", public_id=uuid.uuid4(), learner_id=learner_id, enrolment_id=enrolment_id,
                    reflection="What I did, and what I would do differently next time.", created_at=clock,
                )  # fmt: skip
                event(ProgressKind.EVIDENCE_ADDED, clock)
                if rng.random() < 0.8:
                    signed_at = min(clock + timedelta(days=rng.randint(1, 6)), now)
                    signed = event(ProgressKind.SIGNED_OFF, signed_at, actor_id=mentor_id)
                    for link in module.skills:
                        s.add(
                            "skill_awards", learner_id=learner_id, skill_id=link.skill_id, level=link.level,
                            module_id=module.id, progress_event_id=signed, awarded_by_id=mentor_id,
                            awarded_at=signed_at,
                        )  # fmt: skip
        s.add(
            "learner_profiles", user_id=learner_id, preferred_name=f"Learner {n:04d}", target_role_level_id=level.id,
            establishment_id=establishment_id, prison_number=f"A{1000 + n % 9000}BC",
            release_date=(now + timedelta(days=rng.randint(-5, 600))).date() if rng.random() < 0.9 else None,
            last_activity_at=last,
        )  # fmt: skip
        s.rows.setdefault("cohort_memberships", []).append(
            {
                "id": s.next_id("cohort_memberships"),
                "cohort_id": cohort_id,
                "learner_id": learner_id,
                "joined_at": started,
            }
        )
        for barrier in Barrier:
            roll = rng.random() * (1 - 0.6 * stage)
            if roll > 0.6:
                continue
            changes = [(BarrierStatus.IN_PROGRESS, started + (now - started) * rng.uniform(0.05, 0.5))]
            if roll < 0.35:
                changes.append((BarrierStatus.COMPLETED, changes[0][1] + (now - changes[0][1]) * rng.uniform(0.1, 0.9)))
            for status, at in changes:
                s.add(
                    "barrier_changes", learner_id=learner_id, barrier=barrier, status=status, already_in_place=False,
                    changed_at=at, changed_by_id=mentor_id,
                )  # fmt: skip
            s.add(
                "barrier_items", learner_id=learner_id, barrier=barrier, status=changes[-1][0], already_in_place=False,
                updated_at=changes[-1][1], updated_by_id=mentor_id,
            )  # fmt: skip
        s.add(
            "readiness_status_changes", learner_id=learner_id, status=WorkReadiness.SUPPORT_NEEDED,
            change_type=StatusChangeType.NEW, changed_by_id=mentor_id, changed_at=started,
        )  # fmt: skip
        if stage > 0.85:
            s.add(
                "readiness_status_changes", learner_id=learner_id, status=WorkReadiness.READY_TO_WORK,
                change_type=None, changed_by_id=mentor_id, changed_at=started + (now - started) / 2,
            )  # fmt: skip

    models = [
        ("establishments", Establishment), ("users", User), ("cohorts", Cohort), ("cohort_mentors", cohort_mentors),
        ("learner_profiles", LearnerProfile), ("cohort_memberships", CohortMembership), ("enrolments", Enrolment),
        ("progress_events", ProgressEvent), ("evidence", Evidence), ("skill_awards", SkillAward),
        ("barrier_changes", BarrierChange), ("barrier_items", BarrierItem),
        ("readiness_status_changes", ReadinessStatusChange),
    ]  # fmt: skip
    for table, model in models:
        rows = s.rows.get(table, [])
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start : start + 5000])  # type: ignore[arg-type]
    db.session.commit()
    # Bulk inserts bypass the session's listener, so the read models are worked out from the logs here,
    # as `flask read-models rebuild` would.
    read_models.rebuild_all(ReadinessRules.from_config(current_app.config), after_batch=db.session.commit)
    db.session.commit()
    lead = db.session.get(User, lead_id)
    cohort = db.session.get(Cohort, cohort_ids[0])
    establishment = db.session.get(Establishment, establishment_id)
    assert lead is not None and cohort is not None and establishment is not None
    start_session(lead, user_agent="benchmark")
    db.session.commit()
    return {
        "lead": lead.get_id(),
        "cohort": f"/mentor/cohorts/{cohort.public_id}",
        "establishment": f"/dashboards/establishments/{establishment.public_id}",
        "export": f"/dashboards/establishments/{establishment.public_id}/export.csv",
        "counts": {table: len(rows) for table, rows in s.rows.items()},
    }


def time_requests(client: Any, url: str, runs: int, warm_up: int = 3) -> list[float]:
    for _ in range(warm_up):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return timings


def time_export(client: Any, url: str, runs: int) -> tuple[list[float], int, int]:
    timings, lines, size = [], 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, buffered=False)
        assert response.status_code == 200
        lines = size = 0
        for chunk in response.response:
            lines += 1
            size += len(chunk)
        response.close()
        timings.append(time.perf_counter() - started)
    return timings, lines - 1, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1500)
    parser.add_argument("--cohort-size", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (%(default)s)")
    parser.add_argument("--exports", type=int, default=3, help="timed exports (%(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database file and print where it is")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from config import DevelopmentConfig
    from skillpath import create_app

    folder = Path(tempfile.mkdtemp(prefix="skillpath-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    os.environ.pop("DATABASE_URL", None)
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, DEBUG=False)
    print(f"SkillPath dashboards benchmark: {args.learners} learners in cohorts of {args.cohort_size}, SQLite at {url}")
    print(f"CPUs: {os.cpu_count()}, Python {sys.version.split()[0]}")
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        world = seed(args.learners, args.cohort_size)
        print(
            f"Seeded in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{n:,} {t}" for t, n in world["counts"].items())
        )

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world["lead"]
        session["_fresh"] = True
    results = {
        "cohort": time_requests(client, world["cohort"], args.runs),
        "establishment": time_requests(client, world["establishment"], args.runs),
    }
    exports, rows, size = time_export(client, world["export"], args.exports)
    print()
    print(f"{'page':<40}{'p50':>11}{'p95':>11}{'target':>15}   result")
    missed = False
    for name, label in (
        ("cohort", f"cohort dashboard ({args.cohort_size} learners)"),
        ("establishment", "establishment view"),
    ):
        p50, p95 = statistics.median(results[name]), _percentile(results[name], 0.95)
        ok = p95 <= TARGETS[name]
        missed |= not ok
        target = "p95 " + _ms(TARGETS[name]).strip()
        print(f"{label:<40}{_ms(p50):>11}{_ms(p95):>11}{target:>15}   {'met' if ok else 'MISSED'}")
    export_time = statistics.median(exports)
    ok = export_time <= TARGETS["export"]
    missed |= not ok
    label = f"establishment CSV ({rows:,} rows, {size / 1e6:.1f} MB)"
    print(f"{label:<40}{_ms(export_time):>11}{'':>11}{'<= 2000.0 ms':>15}   {'met' if ok else 'MISSED'}")
    if args.keep:
        print(f"\nDatabase kept at {folder / 'bench.sqlite'}")
    else:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
