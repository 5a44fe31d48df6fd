"""Benchmark every staff page on a national data set in PostgreSQL, and verification with 100,000 codes.

    .venv/bin/python scripts/bench_national.py [--reuse] [--establishments 120] [--min-learners 213]
        [--max-learners 1800] [--big 5000] [--events-per-learner 52] [--certificates 146000] [--seed 2026]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_national] [--rounds 5] [--runs 10]

1. Seeds the database (its public schema is dropped and rebuilt by the real migrations, then the catalogue
   is loaded as `make run` loads it) with establishments of `--min-learners` to `--max-learners` learners,
   plus one of `--big` learners, each with a year of history, and `--certificates` signed certificates
   (scripts/_bench_national_seed.py: COPY into the real tables, progress printed as it goes). Then the read
   models are rebuilt from the logs and the database is vacuumed and analysed. With `--reuse`, a database
   already seeded with the same parameters is used as it is.
2. Signs staff in (a server-side session each, as the sign-in page makes) and times every staff page,
   in-process through the Flask test client (server time, no network), for the largest ordinary
   establishment, the extra large one and the smallest: each round requests every page `--runs` times,
   page after page, and the figures are the medians over `--rounds` rounds of each round's p50 and p95,
   with the 1-minute load average at the time. Statements per request and HTML size come from one request.
   With `--compare-database-url` (a database seeded with `--establishments 1`: a largest and an extra large
   establishment of the same sizes, and no rest of the country), their dashboards are timed alongside,
   page after page, to show whether the time grows with the national tables.
3. Captures the SQL the dashboards send (a `before_cursor_execute` listener) and runs
   `EXPLAIN (ANALYZE, BUFFERS)` on each SELECT with its own parameters; the plans go to a file and any
   sequential scan of a national table is listed.
4. Starts gunicorn on the same database (Redis for rate limits) and measures verification pages of
   100,000 distinct codes against /health with `measure` from scripts/bench_verification.py.

Targets (this 2-core machine): cohort dashboard p95 <= 50 ms; establishment view p95 <= 200 ms at 1,800
learners and <= 400 ms at 5,000; head of education's home p95 <= 150 ms; national view p95 <= 300 ms;
no staff page over 200 KB of HTML; verification at least 0.6 x /health. The script exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import _bench_national_seed as seeding  # noqa: E402 - found through the path set just above

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_national"
DEFAULT_REDIS = "redis://127.0.0.1:6379/6"
HTML_LIMIT_KB = 200
# Tables that grow with the country: a sequential scan of one of these on a staff page is reported.
NATIONAL_TABLES = {
    "users", "learner_profiles", "cohort_memberships", "enrolments", "progress_events", "evidence", "skill_awards",
    "barrier_items", "barrier_changes", "readiness_status_changes", "certificates", "audit_events",
    "readiness_periods", "enrolment_states", "user_sessions", "cohorts", "cohort_mentors",
}  # fmt: skip


# --- Pages --------------------------------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    who: str  # a key of the signed-in clients
    url: str
    target: float | None = None  # p95 in seconds
    explain: bool = False
    runs: int | None = None  # requests per round, when not the benchmark's --runs
    # Filled in by the measurement
    p50s: list[float] = field(default_factory=list)
    p95s: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    statements: int = 0
    kilobytes: float = 0.0
    status: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.p50s)

    @property
    def p95(self) -> float:
        return statistics.median(self.p95s)

    @property
    def is_download(self) -> bool:
        return ".csv" in self.url

    @property
    def met(self) -> bool:
        small_enough = self.is_download or self.kilobytes <= HTML_LIMIT_KB
        return (self.target is None or self.p95 <= self.target) and small_enough


def _pick(world: seeding.World) -> dict[str, tuple[str, dict[str, Any]]]:
    """The establishments measured: the largest ordinary one, the extra large one and the smallest."""
    ordinary = [(key, info) for key, info in world.establishments.items() if not info.get("big")]
    chosen = {"largest": max(ordinary, key=lambda item: item[1]["learners"])}
    big = [(key, info) for key, info in world.establishments.items() if info.get("big")]
    if big:
        chosen["big"] = big[0]
    smallest = min(ordinary, key=lambda item: item[1]["learners"])
    if smallest[0] != chosen["largest"][0]:
        chosen["small"] = smallest
    return chosen


def staff_pages(world: seeding.World, worklist_kinds: list[str]) -> list[Page]:
    """Every staff GET page, for each chosen establishment, signed in as who would open it."""
    pages: list[Page] = []
    for tag, (public_id, info) in _pick(world).items():
        pages += _establishment_pages(tag, public_id, info, worklist_kinds)
    national = f"national view ({len(world.establishments)} establishments)"
    pages += [
        Page(national, "admin", "/dashboards/", 0.3, explain=True),
        Page("admin home", "admin", "/admin/", explain=True),
        Page("admin staff list", "admin", "/admin/staff", explain=True),
        Page("admin new establishment", "admin", "/admin/establishments/new"),
        Page("admin new staff", "admin", "/admin/staff/new"),
        Page("admin API clients", "admin", "/admin/api-clients/"),
        Page("admin new API client", "admin", "/admin/api-clients/new"),
        Page("admin recovery code", "admin", "/staff/recovery-code"),
    ]
    return pages


def _establishment_pages(tag: str, public_id: str, info: dict[str, Any], worklist_kinds: list[str]) -> list[Page]:
    size = f"{info['learners']:,}"
    head, mentor = f"head-{tag}", f"mentor-{tag}"
    learner, cohort = f"/mentor/learners/{info['learner']}", info["cohort"]
    establishment = f"/dashboards/establishments/{public_id}"
    pages = [
        Page(f"cohort dashboard ({size})", head, f"/mentor/cohorts/{cohort}", 0.05, explain=True),
        Page(f"establishment view ({size})", head, establishment, 0.4 if info["learners"] > 1800 else 0.2, True),
        Page(f"head's home ({size})", head, "/mentor/", 0.15, explain=True),
        Page(f"mentor's home ({size})", mentor, "/mentor/", explain=tag == "largest"),
        Page(f"learner record ({size})", mentor, learner, explain=tag == "largest"),
        Page(f"learner timeline ({size})", mentor, f"{learner}/timeline"),
        Page(f"learner barriers ({size})", mentor, f"{learner}/barriers"),
        Page(f"learner work readiness ({size})", mentor, f"{learner}/work-readiness"),
        Page(f"learner certificates ({size})", mentor, f"{learner}/certificates"),
        Page(f"learner change details ({size})", mentor, f"{learner}/change-details"),
        Page(f"learner release date ({size})", mentor, f"{learner}/release-date"),
        Page(f"learner record release ({size})", mentor, f"{learner}/record-release"),
        Page(f"learner assess skill ({size})", mentor, f"{learner}/assess-skill"),
        Page(f"learner move (head) ({size})", head, f"{learner}/move"),
        Page(f"add learner ({size})", mentor, f"/mentor/cohorts/{cohort}/add-learner"),
    ]
    if info.get("enrolment"):
        pages.append(Page(f"module review ({size})", mentor, f"/mentor/modules-to-review/{info['enrolment']}"))
    pages += [
        Page(f"worklist {kind} ({size})", head, f"/mentor/worklist/{kind}", explain=tag == "big")
        for kind in worklist_kinds
    ]
    pages += [
        Page(f"admin establishment ({size})", "admin", f"/admin/establishments/{public_id}"),
        Page(f"admin new cohort ({size})", "admin", f"/admin/establishments/{public_id}/cohorts/new"),
        Page(f"admin cohort ({size})", "admin", f"/admin/cohorts/{cohort}"),
        Page(f"admin remove mentor ({size})", "admin", f"/admin/cohorts/{cohort}/mentors/{info['mentor']}/remove"),
    ]
    # Downloads: timed too, with fewer requests (the establishment's are the largest responses there are).
    for name in ("export.csv", "export-skills.csv", "export-codes.csv"):
        pages.append(Page(f"cohort {name} ({size})", head, f"/dashboards/cohorts/{cohort}/{name}", runs=3))
        pages.append(Page(f"establishment {name} ({size})", head, f"{establishment}/{name}", runs=1))
    return pages


def alone_pages(world: seeding.World, only: str) -> list[Page]:
    """The same establishments' dashboards in a database that holds little else (see --compare-database-url)."""
    learners = sum(info["learners"] for info in world.establishments.values())
    pages = []
    for tag, (public_id, info) in _pick(world).items():
        for page in _establishment_pages(tag, public_id, info, []):
            if only in page.label and page.target is not None:
                page.label += f" [country of {learners:,}]"
                page.who, page.explain = f"alone:{page.who}", False
                pages.append(page)
    return pages


def uncovered_endpoints(app: Any, pages: list[Page]) -> list[str]:
    """Staff GET endpoints that no page measured here reaches (new ones show up here)."""
    adapter = app.url_map.bind("localhost")
    reached = {adapter.match(page.url.split("?")[0], method="GET")[0] for page in pages}
    staff = ("/mentor", "/dashboards", "/admin", "/staff")
    return sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and rule.rule.startswith(staff) and rule.endpoint not in reached
    )


# --- The app and its clients ----------------------------------------------------------------------------------


def make_app(database_url: str, keys_folder: Path, redis_url: str) -> Any:
    from config import ProductionConfig
    from skillpath import create_app

    os.environ.pop("DATABASE_URL", None)
    return create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY="benchmark-only",  # noqa: S106 - a throwaway key for a benchmark database
        KEYS_FOLDER=str(keys_folder),
        KEYS_AUTO_GENERATE=True,
        PUBLIC_BASE_URL="https://skills.example.org",
        RATELIMIT_STORAGE_URI=redis_url or "memory://",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
        LOG_LEVEL="WARNING",
    )


def signed_in_clients(app: Any, world: seeding.World, prefix: str = "") -> dict[str, Any]:
    """A test client per person, each with a fresh server-side session as the sign-in page makes one."""
    import uuid

    from sqlalchemy import select

    from skillpath.extensions import db
    from skillpath.models import User
    from skillpath.services.learners.sessions import start_session

    people = {"admin": world.admin}
    for tag, (_, info) in _pick(world).items():
        people[f"head-{tag}"], people[f"mentor-{tag}"] = info["head"], info["mentor"]
    clients = {}
    with app.app_context():
        for who, public_id in people.items():
            user = db.session.scalar(select(User).where(User.public_id == uuid.UUID(public_id)))
            assert user is not None, who
            start_session(user, user_agent="bench_national")
            cookie_value = user.get_id()
            db.session.commit()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = cookie_value
                session["_fresh"] = True
            clients[prefix + who] = client
    return clients


class StatementLog:
    """Every statement the app sends while `on`, with its parameters (for counting and for EXPLAIN)."""

    def __init__(self, *engines: Any) -> None:
        from sqlalchemy import event

        self.on = False
        self.statements: list[tuple[str, Any]] = []
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if self.on:
            self.statements.append((statement, parameters))

    def capture(self, action: Callable[[], Any]) -> tuple[Any, list[tuple[str, Any]]]:
        self.statements, self.on = [], True
        try:
            result = action()
        finally:
            self.on = False
        return result, self.statements


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_pages(clients: dict[str, Any], pages: list[Page], log: StatementLog, rounds: int, runs: int) -> None:
    for page in pages:  # warm up, and count statements and bytes on the second request
        clients[page.who].get(page.url)
        response, statements = log.capture(lambda page=page: clients[page.who].get(page.url))
        page.status, page.statements, page.kilobytes = response.status_code, len(statements), len(response.data) / 1024
        if page.status != 200:
            print(f"  ! {page.label}: {page.url} answered {page.status}")
    live = [page for page in pages if page.status == 200]
    for number in range(1, rounds + 1):
        started = time.perf_counter()
        for page in live:
            client, timings = clients[page.who], []
            for _ in range(page.runs or runs):
                began = time.perf_counter()
                client.get(page.url).get_data()  # a download's stream is drained: its whole time counts
                timings.append(time.perf_counter() - began)
            page.p50s.append(statistics.median(timings))
            page.p95s.append(_percentile(timings, 0.95))
            page.loads.append(os.getloadavg()[0])
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"  round {number} of {rounds}: {time.perf_counter() - started:.0f} s, load {load}", flush=True)


# --- EXPLAIN ------------------------------------------------------------------------------------------------


@dataclass
class Scan:
    page: str
    table: str
    rows: int


def explain_pages(
    app: Any, clients: dict[str, Any], pages: list[Page], log: StatementLog, out: Path, min_rows: int
) -> tuple[list[Scan], list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) every SELECT the marked pages send; plans to `out`.

    Returns the sequential scans of national tables that read at least `min_rows` rows, and a line a page
    with the database's own time for its statements and the slowest of them.
    """
    from skillpath.extensions import db

    scans: list[Scan] = []
    summary: list[str] = []
    lines: list[str] = [
        f"EXPLAIN (ANALYZE, BUFFERS) of the statements each page sends, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    ]
    with app.app_context():
        engine = db.engine
    # The pages are requested outside any app context, each in its own as a server would: an app context held
    # around them would share one `g` and one database session between the requests.
    connection = engine.connect()
    try:
        for page in [page for page in pages if page.explain and page.status == 200]:
            _, statements = log.capture(lambda page=page: clients[page.who].get(page.url))
            lines += ["", "=" * 100, f"{page.label}: GET {page.url} ({len(statements)} statements)", "=" * 100]
            seen: set[str] = set()
            times: list[tuple[float, int]] = []
            settings: list[str] = []  # the planner settings the page had made (SET LOCAL) before each statement
            for number, (statement, parameters) in enumerate(statements, start=1):
                if statement.lstrip().upper().startswith("SET "):
                    settings.append(statement)
                    continue
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")) or statement in seen:
                    continue
                seen.add(statement)
                plan = _explain(connection, statement, parameters, settings)
                lines += ["", f"--- statement {number}", statement.strip(), "", *plan]
                scans += [Scan(page.label, table, rows) for table, rows in _seq_scans(plan) if rows >= min_rows]
                times += [(float(m.group(1)), number) for m in map(_EXECUTION.match, plan) if m]
            if times:
                slowest = max(times)
                summary.append(
                    f"  {page.label}: {sum(t for t, _ in times):,.1f} ms in {len(times)} SELECTs; "
                    f"slowest: statement {slowest[1]}, {slowest[0]:,.1f} ms"
                )
    finally:
        connection.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    return scans, summary


def _explain(connection: Any, statement: str, parameters: Any, settings: list[str]) -> list[str]:
    try:
        for setting in settings:  # as the page had them: SET LOCAL lasts until the rollback below
            connection.exec_driver_sql(setting)
        result = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters or ())
        plan = [str(row[0]) for row in result]
    except Exception as error:  # a plan that cannot be made is reported, not fatal
        plan = [f"(could not EXPLAIN: {type(error).__name__}: {str(error).splitlines()[0]})"]
    connection.rollback()
    return plan


_SEQ_SCAN = re.compile(r"Seq Scan on (\w+).*?actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)")
_EXECUTION = re.compile(r"^Execution Time: ([\d.]+) ms")
_REMOVED = re.compile(r"^\s*Rows Removed by Filter: (\d+)")


def _seq_scans(plan: list[str]) -> list[tuple[str, int]]:
    """(table, rows read) of each sequential scan of a national table: rows kept plus rows filtered out."""
    found: list[tuple[str, int]] = []
    loops = 0
    for line in plan:
        match = _SEQ_SCAN.search(line)
        if match:
            loops = int(match.group(3))
            found.append((match.group(1), int(match.group(2)) * loops))
            continue
        removed = _REMOVED.match(line)
        if removed and found and "->" not in line:
            table, rows = found[-1]
            found[-1] = (table, rows + int(removed.group(1)) * loops)
        elif "->" in line:
            loops = 0
    return [(table, rows) for table, rows in found if table in NATIONAL_TABLES]


# --- Verification ----------------------------------------------------------------------------------------------


def measure_verification(
    database_url: str, keys_folder: Path, redis_url: str, codes: int, rounds: int, seconds: float, workdir: Path
) -> Any:
    import bench_verification
    import psycopg

    from skillpath.services.certificates.certificates import format_code

    with psycopg.connect(seeding.conninfo(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT code FROM certificates WHERE hidden_at IS NULL ORDER BY md5(code) LIMIT %s", (codes,))
        # As printed (such as SP-7Q4K-29XD-M3HW): the stored form is answered with a redirect to this address.
        chosen = [format_code(row[0]) for row in cursor.fetchall()]
    codes_file = workdir / "bench_national_codes.txt"
    codes_file.write_text("\n".join(chosen) + "\n")
    server, base = bench_verification.start_gunicorn(database_url, keys_folder, redis_url, 2)
    try:
        figures = bench_verification.measure(base, codes_file, rounds, seconds, report=print)
    finally:
        bench_verification.stop_gunicorn(server)
    return figures, len(chosen)


# --- Output ----------------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def print_table(pages: list[Page]) -> bool:
    """The figures as a Markdown table (paste into the README). True when every target is met."""
    print("| page | p50 | p95 | target | statements | HTML | load | |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    all_met = True
    for page in pages:
        if not page.p95s:
            print(f"| {page.label} | — | — | — | — | — | — | HTTP {page.status} |")
            continue
        target = f"≤ {_ms(page.target)}" if page.target else ""
        verdict = "met" if page.met else "**missed**"
        all_met &= page.met
        print(
            f"| {page.label} | {_ms(page.p50)} | {_ms(page.p95)} | {target} | {page.statements} | "
            f"{page.kilobytes:,.0f} KB | {statistics.median(page.loads):.2f} | {verdict} |"
        )
    return all_met


def table_sizes(database_url: str) -> list[tuple[str, int, float]]:
    import psycopg

    with psycopg.connect(seeding.conninfo(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "WHERE relname = ANY(%s) ORDER BY pg_total_relation_size(relid) DESC",
            (sorted(NATIONAL_TABLES - {"audit_events", "user_sessions"}),),
        )
        rows = [(str(name), int(count), size / 1e6) for name, count, size in cursor.fetchall()]
        cursor.execute("SELECT pg_database_size(current_database())")
        rows.append(("(whole database)", 0, cursor.fetchone()[0] / 1e6))
    return rows


# --- Seeding or reusing ------------------------------------------------------------------------------------------


RANDOM_PAGE_COST = 1.1


def prepare(args: argparse.Namespace, params: seeding.SeedParameters, keys_folder: Path) -> seeding.World:
    import psycopg

    seeding.ensure_database(args.database_url)
    conninfo = seeding.conninfo(args.database_url)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        # The planner's default (4) prices a random read as on a spinning disk; on SSD, with the tables in
        # memory, 1.1 is the usual setting and lets it reach a cohort's rows through their indexes.
        name = connection.info.dbname
        connection.execute(f'ALTER DATABASE "{name}" SET random_page_cost = {RANDOM_PAGE_COST}')
        print(f"random_page_cost = {RANDOM_PAGE_COST} for database {name}")
    with psycopg.connect(conninfo) as connection:
        world = seeding.read_marker(connection, params) if args.reuse else None
    if world is not None:
        print(f"Reusing {args.database_url}: already seeded with {params.as_json()}")
        from flask_migrate import upgrade

        with make_app(args.database_url, keys_folder, "").app_context():
            upgrade()  # any migration added since it was seeded (new indexes)
        return world
    app = make_app(args.database_url, keys_folder, "")
    started = time.perf_counter()
    with app.app_context():
        seeding.fresh_schema_and_catalogue(args.database_url)
        print(f"Schema and catalogue ready in {time.perf_counter() - started:.0f} s")
        with psycopg.connect(conninfo) as connection:
            world = seeding.seed_national(connection, params, seeding.seed_now())
            rebuild_read_models(app)
            seeding.write_marker(connection, params, world)
    seeding.vacuum_analyze(args.database_url)
    world.seconds = time.perf_counter() - started
    with psycopg.connect(conninfo) as connection:
        seeding.write_marker(connection, params, world)
    print(f"Seeded in {world.seconds / 60:.1f} minutes: " + ", ".join(f"{n:,} {t}" for t, n in world.counts.items()))
    return world


def rebuild_read_models(app: Any) -> None:
    from skillpath.extensions import db

    try:
        from skillpath.services.readiness import read_models
        from skillpath.services.readiness.readiness import ReadinessRules
    except ImportError:
        print("  (no read models in this version: skipped)")
        return
    progress = seeding.Progress("read models rebuilt for learners", 1)

    def report(done: int, total: int) -> None:
        progress.total = total
        progress.update(done)

    read_models.rebuild_all(
        ReadinessRules.from_config(app.config), progress=report, after_batch=db.session.commit, batch_size=2000
    )
    db.session.commit()


# --- Main --------------------------------------------------------------------------------------------------------


def _interleave(pages: list[Page], extra: list[Page]) -> list[Page]:
    """Each page of `extra` straight after the page of the same name, so that both see the same load."""
    merged = []
    for page in pages:
        merged.append(page)
        merged += [other for other in extra if page.label.startswith(other.label.split(" [")[0] + " [")]
    return merged


def parse(argv: list[str] | None) -> argparse.Namespace:
    defaults = seeding.SeedParameters()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--establishments", type=int, default=defaults.establishments)
    parser.add_argument("--min-learners", type=int, default=defaults.min_learners)
    parser.add_argument("--max-learners", type=int, default=defaults.max_learners)
    parser.add_argument("--big", type=int, default=defaults.big, help="learners in the extra large establishment")
    parser.add_argument("--events-per-learner", type=int, default=defaults.events_per_learner)
    parser.add_argument("--certificates", type=int, default=defaults.certificates)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="rate limits, as production keeps them")
    parser.add_argument("--reuse", action="store_true", help="skip seeding if already seeded with these parameters")
    parser.add_argument("--seed-only", action="store_true", help="seed (or reuse), then stop")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds over every page (%(default)s)")
    parser.add_argument("--runs", type=int, default=10, help="requests per page in each round (%(default)s)")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip EXPLAIN")
    parser.add_argument("--explain-file", type=Path, default=ROOT / "instance" / "bench_national_explain.txt")
    parser.add_argument(
        "--seq-scan-rows", type=int, default=10_000, help="list sequential scans reading this many rows or more"
    )
    parser.add_argument("--verify-codes", type=int, default=100_000, help="distinct codes (0 to skip verification)")
    parser.add_argument("--verify-rounds", type=int, default=5)
    parser.add_argument("--verify-seconds", type=float, default=5)
    parser.add_argument(
        "--compare-database-url",
        help="a database seeded with --establishments 1 (establishments of the same sizes, no rest of the country): "
        "their dashboards are timed alongside, to show whether the time grows with the national tables",
    )
    parser.add_argument("--keys-folder", type=Path, default=ROOT / "instance" / "bench-national-keys")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - the steps, in order
    args = parse(argv)
    params = seeding.SeedParameters(
        establishments=args.establishments, min_learners=args.min_learners, max_learners=args.max_learners,
        big=args.big, events_per_learner=args.events_per_learner, certificates=args.certificates, seed=args.seed,
    )  # fmt: skip
    print(f"SkillPath national benchmark: {args.database_url}")
    print(f"CPUs: {os.cpu_count()}, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
    world = prepare(args, params, args.keys_folder)
    if args.seed_only:
        return 0

    print("\nNational tables (rows, MB with indexes):")
    for name, count, megabytes in table_sizes(args.database_url):
        print(f"  {name:<26}{count:>12,}{megabytes:>10,.0f} MB")

    app = make_app(args.database_url, args.keys_folder, args.redis_url)
    from skillpath.extensions import db

    try:
        from skillpath.services.readiness.dashboards import WorklistKind

        kinds = [kind.value for kind in WorklistKind]
    except ImportError:
        kinds = []
    pages = [page for page in staff_pages(world, kinds) if args.only in page.label]
    clients = signed_in_clients(app, world)
    with app.app_context():
        engines = [db.engine]
    if args.compare_database_url:  # the same establishments without the rest of the country, timed alongside
        alone = make_app(args.compare_database_url, args.keys_folder, args.redis_url)
        with alone.app_context():
            from flask_migrate import upgrade

            upgrade()  # any migration added since it was seeded, as for the national database
        alone_world = seeding.read_any_marker(args.compare_database_url)
        extra = alone_pages(alone_world, args.only)
        national_size = f" [country of {sum(i['learners'] for i in world.establishments.values()):,}]"
        for page in pages:
            if any(page.label.startswith(other.label.split(" [")[0]) for other in extra):
                page.label += national_size
        pages = _interleave(pages, extra)
        clients |= signed_in_clients(alone, alone_world, prefix="alone:")
        with alone.app_context():
            engines.append(db.engine)
    log = StatementLog(*engines)
    missing = [] if args.only else uncovered_endpoints(app, pages)
    print(f"\nTiming {len(pages)} pages: {args.rounds} rounds of {args.runs} requests each, page after page")
    measure_pages(clients, pages, log, args.rounds, args.runs)

    all_met = True
    scans: list[Scan] = []
    explain_summary: list[str] = []
    if args.explain:
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the dashboards' statements → {args.explain_file}")
        scans, explain_summary = explain_pages(app, clients, pages, log, args.explain_file, args.seq_scan_rows)
    verification = None
    if args.verify_codes:
        print(f"\nVerification with {args.verify_codes:,} distinct codes (gunicorn -w 2, Redis {args.redis_url}):")
        verification = measure_verification(
            args.database_url, args.keys_folder, args.redis_url, args.verify_codes, args.verify_rounds,
            args.verify_seconds, args.explain_file.parent,
        )  # fmt: skip

    counts = world.counts
    print(
        f"\nResults: {len(world.establishments)} establishments, {counts.get('learner_profiles', 0):,} learners, "
        f"{counts.get('progress_events', 0):,} progress-log rows, {counts.get('certificates', 0):,} certificates; "
        f"medians of {args.rounds} rounds x {args.runs} requests (in-process, server time), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    all_met &= print_table(pages)
    if verification is not None:
        figures, count = verification
        met = figures.ratio >= 0.6
        all_met &= met
        print(
            f"\nVerification page ÷ /health, {count:,} distinct codes: {figures.ratio:.2f} "
            f"({figures.verify:,.0f} ÷ {figures.health:,.0f} requests/s, load {figures.load:.2f}) — "
            f"target ≥ 0.60: {'met' if met else 'MISSED'}"
        )
    if args.explain:
        print("\nDatabase time of each page's SELECTs under EXPLAIN ANALYZE:")
        print("\n".join(explain_summary))
        print(
            f"\nSequential scans of national tables reading {args.seq_scan_rows:,} rows or more ({args.explain_file}):"
        )
        grouped: dict[tuple[str, str], list[int]] = {}
        for scan in scans:
            grouped.setdefault((scan.page, scan.table), []).append(scan.rows)
        for (page_label, table), rows in grouped.items():
            times = f" (in {len(rows)} statements)" if len(rows) > 1 else ""
            print(f"  {page_label}: Seq Scan on {table}, up to {max(rows):,} rows read{times}")
        if not scans:
            print("  none")
    if missing:
        print("\nStaff GET pages not measured (need data this benchmark does not make):")
        for item in missing:
            print(f"  {item}")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
