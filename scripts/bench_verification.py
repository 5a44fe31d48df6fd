"""Benchmark the public verification page at national traffic: many distinct codes, PostgreSQL, Redis, gunicorn.

    .venv/bin/python scripts/bench_verification.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench \\
        [--certificates 100000] [--redis-url redis://127.0.0.1:6379/5] [--rounds 5] [--seconds 5] [--workers 2]

1. Seeds the database (its public schema is dropped and rebuilt by the migrations) with one learner and one
   signed module certificate per code, in bulk inserts of 5,000 rows, each certificate signed exactly as
   `certificates._issue` signs it. Progress is printed as it goes (100,000 take about a minute).
2. Starts gunicorn with sync workers (`--workers`, default 2: one per core of the 2-core machine the targets are
   set on, as the other benchmarks run) on a free loopback port, with REDIS_URL set as production has it, so
   every check pays the shared rate limiter's round trips (the limit itself is set too high to be reached).
3. Runs `wrk` against `/health` and against `/verify/<code>` with a code picked at random from every seeded
   code on each request, alternating rounds, and prints each round's requests per second, their ratio and
   the load average, then the medians. The target is a ratio of at least 0.6.

`--no-seed` reuses the database, `--codes-file` and `--keys-folder` of an earlier run. `--no-rate-limit-headers`
serves with RATELIMIT_HEADERS_ENABLED off, to measure what the X-RateLimit headers cost (two Redis round trips
a check). `measure()` does step 3 against any running server and returns the figures: scripts/bench_national.py
imports it. Importing this module starts nothing and seeds nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# High enough that the per-address limit never turns the load into 429s; the limiter still runs on every check.
BENCH_RATE_LIMIT = "100000000 per minute"
PUBLIC_BASE_URL = "https://skills.example.org"
TARGET_RATIO = 0.6
BATCH = 5000

# wrk runs this in each of its threads: the codes file is read once per thread, then every request picks one
# code at random, so that no page cache can hold the whole working set unless it holds every code.
_VERIFY_LUA = """
local codes = {}
for line in io.lines("%(codes_file)s") do
  if #line > 0 then codes[#codes + 1] = "/verify/" .. line end
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
request = function()
  return wrk.format("GET", codes[math.random(#codes)])
end
"""
# /health through the same kind of Lua request function, so that wrk's own work is alike for both.
_HEALTH_LUA = 'request = function()\n  return wrk.format("GET", "/health")\nend\n'


@dataclass
class Round:
    health: float  # requests per second
    verify: float
    load: tuple[float, float, float]  # 1, 5 and 15-minute load averages at the end of the round
    health_errors: int = 0  # responses other than 2xx or 3xx, and socket errors
    verify_errors: int = 0

    @property
    def ratio(self) -> float:
        return self.verify / self.health if self.health else 0.0


@dataclass
class Figures:
    codes: int
    rounds: list[Round] = field(default_factory=list)

    @property
    def health(self) -> float:
        return statistics.median(r.health for r in self.rounds)

    @property
    def verify(self) -> float:
        return statistics.median(r.verify for r in self.rounds)

    @property
    def ratio(self) -> float:
        return statistics.median(r.ratio for r in self.rounds)

    @property
    def load(self) -> float:
        return statistics.median(r.load[0] for r in self.rounds)


def _wrk(url: str, script: Path, seconds: float, connections: int, threads: int) -> tuple[float, int]:
    """Requests per second, and the number of responses that were errors (non-2xx/3xx or socket errors)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"wrk printed no Requests/sec:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return float(rate.group(1)), errors


def measure(
    base_url: str,
    codes_file: str | Path,
    rounds: int = 5,
    duration: float = 5,
    *,
    connections: int = 16,
    threads: int = 2,
    report: Callable[[str], None] | None = None,
) -> Figures:
    """Alternate `rounds` wrk runs of `duration` seconds against /health and random codes' verification pages.

    `codes_file` holds one code a line (display or stored form). Each round records both rates, their
    ratio and the load average; the medians are properties of the result. `report` gets one line per round.
    """
    codes_file = Path(codes_file).resolve()
    count = sum(1 for line in codes_file.read_text().splitlines() if line.strip())
    with tempfile.TemporaryDirectory(prefix="skillpath-wrk-") as folder:
        health_script = Path(folder) / "health.lua"
        health_script.write_text(_HEALTH_LUA)
        verify_script = Path(folder) / "verify.lua"
        verify_script.write_text(_VERIFY_LUA % {"codes_file": str(codes_file).replace("\\", "\\\\")})
        url = base_url.rstrip("/") + "/"
        _wrk(url, health_script, 1, connections, threads)  # warm: templates compiled, connections open
        _wrk(url, verify_script, 2, connections, threads)
        figures = Figures(codes=count)
        for number in range(1, rounds + 1):
            health, health_errors = _wrk(url, health_script, duration, connections, threads)
            verify, verify_errors = _wrk(url, verify_script, duration, connections, threads)
            figures.rounds.append(Round(health, verify, os.getloadavg(), health_errors, verify_errors))
            if report is not None:
                report(_round_line(number, figures.rounds[-1]))
    return figures


def _round_line(number: int | str, item: Round) -> str:
    load = " ".join(f"{value:.2f}" for value in item.load)
    errors = f"  errors {item.health_errors}/{item.verify_errors}" if item.health_errors or item.verify_errors else ""
    return (
        f"    round {number}: /health {item.health:7.0f} req/s   verify {item.verify:7.0f} req/s   "
        f"ratio {item.ratio:.2f}   load {load}{errors}"
    )


# --- Seeding ---------------------------------------------------------------------------------------


def _overrides(database_url: str, keys_folder: Path, redis_url: str | None) -> dict[str, object]:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "benchmark-only",
        "KEYS_FOLDER": str(keys_folder),
        "KEYS_AUTO_GENERATE": True,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "VERIFY_RATE_LIMIT": BENCH_RATE_LIMIT,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
    }


def seed(database_url: str, keys_folder: Path, count: int, *, progress: Callable[[str], None] = print) -> list[str]:
    """`count` learners with one signed module certificate each, in a rebuilt schema. Returns the display codes.

    Bulk inserts through the models' tables: no readiness, no audit events, nothing the verification page does
    not read. Each certificate's content and signature are made by the same functions the issuer uses.
    """
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from config import ProductionConfig
    from skillpath import create_app
    from skillpath.extensions import db
    from skillpath.models import Certificate, Establishment, LearnerProfile, Module, User, UserRole
    from skillpath.models.certificates import CertificateKind
    from skillpath.services.certificates import certificates, signing
    from skillpath.services.certificates.issuer import Issuer

    app = create_app(ProductionConfig, **_overrides(database_url, keys_folder, None))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        issuer = Issuer.from_settings(app.config, app.instance_path)
        key = issuer.signing_key()
        establishment = Establishment(name="HMP Benchmark", code="BEN")
        module = Module(
            code="BENCH-01", title="Helping users", summary="Answer calls and fix common problems.", estimated_hours=4
        )
        db.session.add_all([establishment, module])
        db.session.flush()
        names = ["Łukasz Żółć", "Siobhán Ní Bhriain", "Nguyễn Thị Minh", "Jordan Smith", "Amara Okafor"]
        skills = [
            {"skill": "Customer service", "level": "awareness"},
            {"skill": "User support", "level": "working"},
            {"skill": "Communicating", "framework": certificates.ESSENTIAL_DIGITAL_SKILLS},
        ]
        issued_at = certificates.utcnow().replace(microsecond=0)
        codes: list[str] = []
        seen: set[str] = set()
        started = time.perf_counter()
        for first in range(0, count, BATCH):
            size = min(BATCH, count - first)
            learners = [
                {
                    "username": f"bench-learner-{first + n}",
                    "display_name": names[(first + n) % len(names)],
                    "role": UserRole.LEARNER,
                }
                for n in range(size)
            ]
            ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), learners))
            db.session.execute(
                insert(LearnerProfile),
                [
                    {
                        "user_id": user_id,
                        "preferred_name": learner["display_name"],
                        "establishment_id": establishment.id,
                    }
                    for user_id, learner in zip(ids, learners, strict=True)
                ],
            )
            rows = []
            for user_id, learner in zip(ids, learners, strict=True):
                code = certificates.new_code()
                while code in seen:
                    code = certificates.new_code()
                seen.add(code)
                row = {
                    "code": code,
                    "kind": CertificateKind.MODULE,
                    "learner_id": user_id,
                    "module_id": module.id,
                    "recipient_name": learner["display_name"],
                    "achievement_name": module.title,
                    "achievement_description": module.summary,
                    "skills": skills,
                    "issuer_name": issuer.name,
                    "issued_at": issued_at,
                    "key_id": key.kid,
                }
                content = certificates.content_of(Certificate(**row))
                row["signature"] = signing.sign(content.canonical_bytes(), key)
                rows.append(row)
                codes.append(certificates.format_code(code))
            db.session.execute(insert(Certificate), rows)
            db.session.commit()
            done = first + size
            rate = done / (time.perf_counter() - started)
            progress(f"    {done:>8,} of {count:,} certificates ({rate:,.0f} a second)")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return codes


# --- Serving ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    database_url: str,
    keys_folder: Path,
    redis_url: str | None,
    workers: int,
    extra_env: dict[str, str] | None = None,
    app: str = "skillpath:create_app()",
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn serving the production app on a free loopback port; returns the process and its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "SKILLPATH_ENV": "production",
        "SECRET_KEY": "benchmark-only",
        "DATABASE_URL": database_url,
        "KEYS_FOLDER": str(keys_folder),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "VERIFY_RATE_LIMIT": BENCH_RATE_LIMIT,
        "SESSION_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **(extra_env or {}),
    }
    env.pop("RATELIMIT_STORAGE_URI", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", app]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop_gunicorn(server)
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.3)


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL (its public schema is rebuilt) or SQLite")
    parser.add_argument("--certificates", type=int, default=100_000, help="distinct codes to seed (default 100000)")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/5", help="REDIS_URL for the server ('' for none)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2: one per core)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--seconds", type=float, default=5, help="wrk seconds per endpoint and round (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16, 2 threads)")
    parser.add_argument("--keys-folder", type=Path, help="signing keys (default: a temporary folder)")
    parser.add_argument("--codes-file", type=Path, help="keep the seeded codes here (default: a temporary file)")
    parser.add_argument(
        "--no-rate-limit-headers",
        action="store_true",
        help="serve with RATELIMIT_HEADERS_ENABLED off (two fewer Redis round trips a check), to compare",
    )
    parser.add_argument("--no-seed", action="store_true", help="reuse a database and --codes-file seeded before")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # config.py and the skillpath package, when run as a script

    with tempfile.TemporaryDirectory(prefix="skillpath-bench-") as folder:
        keys_folder = args.keys_folder or Path(folder) / "keys"
        codes_file = args.codes_file or Path(folder) / "codes.txt"
        if args.no_seed:
            if not args.codes_file or not args.keys_folder:
                parser.error("--no-seed needs the --codes-file and --keys-folder of the earlier run")
        else:
            print(f"Seeding {args.certificates:,} signed certificates (schema rebuilt) …")
            codes = seed(args.database_url, keys_folder, args.certificates)
            codes_file.write_text("\n".join(codes) + "\n")
        app = "skillpath:create_app(RATELIMIT_HEADERS_ENABLED=False)" if args.no_rate_limit_headers else None
        server, base = start_gunicorn(
            args.database_url, keys_folder, args.redis_url or None, args.workers, app=app or "skillpath:create_app()"
        )
        try:
            print(
                f"\ngunicorn -w {args.workers} (sync) {app or ''}, REDIS_URL={args.redis_url or 'none'}, "
                f"VERIFY_RATE_LIMIT={BENCH_RATE_LIMIT!r} (limiter on, never reached); wrk -t2 -c{args.connections}, "
                f"{args.rounds} alternating rounds of {args.seconds:g} s, a random seeded code each request."
            )
            figures = measure(base, codes_file, args.rounds, args.seconds, connections=args.connections, report=print)
        finally:
            stop_gunicorn(server)
    verdict = "meets" if figures.ratio >= TARGET_RATIO else "MISSES"
    print(
        f"\n    median: /health {figures.health:.0f} req/s, verify {figures.verify:.0f} req/s, "
        f"ratio {figures.ratio:.2f} with {figures.codes:,} codes (load {figures.load:.2f}) — "
        f"{verdict} the target of {TARGET_RATIO:.2f}"
    )


if __name__ == "__main__":
    main()
