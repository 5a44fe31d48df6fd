"""Benchmark certificates: PDF generation, the verification page, and verification throughput.

    .venv/bin/python scripts/bench_certificates.py [--certificates 200] [--seconds 5] [--sample-pdf out.pdf]

1. Seeds a temporary SQLite database (the real migrations) with learners holding signed certificates.
2. Times PDF generation per certificate (target: median at most 50 ms).
3. Times the verification page in-process, through the test client (server time: p50 and p95).
4. Starts `gunicorn -w 2` on a free loopback port with that database and runs wrk against /health
   (a trivial endpoint) and against verification pages (rotating through every seeded code),
   alternating rounds in the same run, and prints the ratio of the medians
   (target: verification at least half the trivial endpoint's requests per second).

The benchmark server runs with a very high VERIFY_RATE_LIMIT so that the per-client rate limit
does not turn the load into 429s; it is said in the output. Needs `wrk` (Debian package `wrk`);
as root the script installs it with apt-get when it is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_RATE_LIMIT = "100000000 per minute"
PUBLIC_BASE_URL = "https://skills.example.org"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def seed(database_url: str, keys_folder: Path, count: int) -> list[str]:
    """Learners, a module with three skills, and one signed certificate each. Returns display codes."""
    from flask_migrate import upgrade

    from config import ProductionConfig
    from skillpath import create_app
    from skillpath.extensions import db
    from skillpath.models import (
        Cohort,
        CohortMembership,
        Establishment,
        LearnerProfile,
        Module,
        ModuleSkill,
        ModuleUnit,
        Skill,
        SkillLevel,
        User,
        UserRole,
    )
    from skillpath.services.certificates import certificates
    from skillpath.services.progress import progress

    app = create_app(ProductionConfig, **_overrides(database_url, keys_folder))
    with app.app_context():
        upgrade()
        establishment = Establishment(name="HMP Benchmark", code="BEN")
        cohort = Cohort(name="Benchmark cohort", establishment=establishment)
        mentor = User(
            username="bench-mentor",
            display_name="Bench Mentor",
            role=UserRole.MENTOR,
        )
        skills = [Skill(name=name) for name in ("User support", "Customer service", "Technical understanding")]
        module = Module(
            code="BENCH-01", title="Helping users", summary="Answer calls and fix common problems.", estimated_hours=4
        )
        module.units.append(ModuleUnit(position=1, title="Part 1", body="Do this."))
        for skill, level in zip(skills, (SkillLevel.WORKING, SkillLevel.AWARENESS, SkillLevel.AWARENESS), strict=True):
            module.skills.append(ModuleSkill(skill=skill, level=level))
        db.session.add_all([establishment, cohort, mentor, module, *skills])
        db.session.flush()
        names = ["Łukasz Żółć", "Siobhán Ní Bhriain", "Nguyễn Thị Minh", "Jordan Smith"]
        codes = []
        for number in range(count):
            learner = User(
                username=f"bench-learner-{number}",
                display_name=names[number % len(names)],
                role=UserRole.LEARNER,
            )
            learner.learner_profile = LearnerProfile(
                preferred_name=names[number % len(names)], establishment_id=establishment.id, prison_number="A1234BC"
            )
            db.session.add(learner)
            db.session.flush()
            db.session.add(CohortMembership(cohort_id=cohort.id, learner_id=learner.id))
            enrolment = progress.enrol(learner, module, actor=learner)
            progress.sign_off(enrolment, mentor=mentor)
            codes.append(certificates.issue_module_certificate(enrolment, mentor=mentor).display_code)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return codes


def _overrides(database_url: str, keys_folder: Path) -> dict[str, object]:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "benchmark-only",
        "KEYS_FOLDER": str(keys_folder),
        "KEYS_AUTO_GENERATE": True,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "VERIFY_RATE_LIMIT": BENCH_RATE_LIMIT,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def bench_pdf(database_url: str, keys_folder: Path, runs: int, sample: Path | None) -> list[float]:
    from sqlalchemy import select

    from config import ProductionConfig
    from skillpath import create_app
    from skillpath.extensions import db
    from skillpath.models import Certificate
    from skillpath.services.certificates.certificate_pdf import render_certificate_pdf
    from skillpath.services.certificates.certificates import content_of
    from skillpath.settings import app_urls

    app = create_app(ProductionConfig, **_overrides(database_url, keys_folder))
    with app.app_context():
        items = list(db.session.scalars(select(Certificate).limit(runs)))
        fonts = Path(app.static_folder or "static") / "dist" / "fonts"
        urls = app_urls()
        home = urls.verify_home()

        def render(certificate: Certificate) -> bytes:
            return render_certificate_pdf(
                content_of(certificate),
                verify_url=urls.verify(certificate),
                verify_home=home,
                fonts_folder=fonts,
                title="Certificate of achievement",
            )

        first = render(items[0])  # registers the fonts: once per process, not per certificate
        if sample is not None:
            sample.write_bytes(first)
        times = []
        for certificate in items:
            start = time.perf_counter()
            render(certificate)
            times.append(time.perf_counter() - start)
        db.session.remove()
        db.engine.dispose()
    return times


def bench_pages(database_url: str, keys_folder: Path, codes: list[str], requests: int) -> dict[str, list[float]]:
    from config import ProductionConfig
    from skillpath import create_app

    app = create_app(ProductionConfig, **_overrides(database_url, keys_folder))
    client = app.test_client()
    timings: dict[str, list[float]] = {"/health": [], "first view of a code": [], "repeat views": []}
    for _ in range(50):  # warm up: templates compiled, connections open
        client.get("/health")
    client.get(f"/verify/{codes[-1]}")

    def timed(path: str) -> float:
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    for code in codes[:-1]:  # each page rendered for the first time in this process
        timings["first view of a code"].append(timed(f"/verify/{code}"))
    for number in range(requests):
        timings["/health"].append(timed("/health"))
        timings["repeat views"].append(timed(f"/verify/{codes[number % len(codes)]}"))
    return timings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("    installing wrk with apt-get …")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, env=env, check=False, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True)
            subprocess.run(install, env=env, check=False, capture_output=True)
    return shutil.which("wrk")


def _wrk(wrk: str, url: str, seconds: int, script: Path | None = None) -> tuple[float, str]:
    command = [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"wrk printed no Requests/sec:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return float(match.group(1)), (f"{errors.group(1)} non-2xx responses" if errors else "all 2xx")


def _rates(values: list[float]) -> str:
    return ", ".join(f"{value:.0f}" for value in values)


def bench_throughput(
    database_url: str, keys_folder: Path, codes: list[str], seconds: int, rounds: int, workdir: Path
) -> None:
    wrk = _ensure_wrk()
    if wrk is None:
        print("    wrk is not installed (apt-get install wrk): throughput not measured.")
        return
    port = _free_port()
    env = {
        **os.environ,
        "SKILLPATH_ENV": "production",
        "SECRET_KEY": "benchmark-only",
        "DATABASE_URL": database_url,
        "KEYS_FOLDER": str(keys_folder),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "VERIFY_RATE_LIMIT": BENCH_RATE_LIMIT,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SESSION_COOKIE_SECURE": "false",
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "skillpath:create_app()",
    ]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        # Both endpoints are driven the same way (a Lua request function), so that wrk's own work,
        # on the same cores as the server, is the same for both.
        trivial_script = workdir / "health.lua"
        trivial_script.write_text('request = function()\n  return wrk.format("GET", "/health")\nend\n')
        verify_script = workdir / "codes.lua"
        paths = ", ".join(f'"/verify/{code}"' for code in codes)
        verify_script.write_text(
            f"local paths = {{{paths}}}\nlocal i = 0\n"
            'request = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n'
        )
        _wrk(wrk, f"{base}/", 1, trivial_script)  # warm both workers: templates compiled, pages rendered once
        _wrk(wrk, f"{base}/", 2, verify_script)
        # Alternate the two, so that a change in the machine's load touches both alike.
        trivial_runs, verify_runs, notes = [], [], set()
        for _ in range(rounds):
            rate, note = _wrk(wrk, f"{base}/", seconds, trivial_script)
            trivial_runs.append(rate)
            notes.add(f"/health: {note}")
            rate, note = _wrk(wrk, f"{base}/", seconds, verify_script)
            verify_runs.append(rate)
            notes.add(f"verification: {note}")
        ratios = [v / t for v, t in zip(verify_runs, trivial_runs, strict=True)]
        trivial, verify, ratio = (statistics.median(v) for v in (trivial_runs, verify_runs, ratios))
        print(f"    trivial endpoint /health:        {trivial:6.0f} requests/s  (rounds: {_rates(trivial_runs)})")
        print(f"    verification pages, {len(codes)} codes: {verify:6.0f} requests/s  (rounds: {_rates(verify_runs)})")
        print(f"    responses: {'; '.join(sorted(notes))}")
        verdict = "meets" if ratio >= 0.5 else "MISSES"
        print(
            f"    ratio: {ratio:.2f} (median of the rounds' ratios: {', '.join(f'{r:.2f}' for r in ratios)}) — "
            f"{verdict} the target of at least 0.50"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=200, help="certificates to seed (default 200)")
    parser.add_argument("--pdf-runs", type=int, default=50, help="PDFs to time (default 50)")
    parser.add_argument("--requests", type=int, default=1000, help="in-process verification requests (default 1000)")
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per endpoint and round (default 3)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating wrk rounds per endpoint (default 5)")
    parser.add_argument("--sample-pdf", type=Path, help="also write one certificate PDF here")
    parser.add_argument("--no-wrk", action="store_true", help="skip the gunicorn + wrk throughput run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="skillpath-bench-") as folder:
        workdir = Path(folder)
        database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
        keys_folder = workdir / "keys"
        print(f"Seeding {args.certificates} signed certificates into a temporary SQLite database …")
        codes = seed(database_url, keys_folder, args.certificates)

        times = bench_pdf(database_url, keys_folder, args.pdf_runs, args.sample_pdf)
        verdict = "meets" if statistics.median(times) <= 0.05 else "MISSES"
        print(f"\nPDF generation, {len(times)} certificates (A4, DejaVu Sans embedded, vector QR code):")
        print(
            f"    median {_ms(statistics.median(times))}, p95 {_ms(_percentile(times, 0.95))}, "
            f"max {_ms(max(times))} per certificate — {verdict} the 50 ms target"
        )

        timings = bench_pages(database_url, keys_folder, codes, args.requests)
        print("\nIn-process server time per request (Flask test client: no network, no HTTP parsing):")
        for name, values in timings.items():
            label = name if name == "/health" else f"verification page, {name}"
            print(
                f"    {label:<42} p50 {_ms(_percentile(values, 0.5))}, p95 {_ms(_percentile(values, 0.95))}"
                f"  ({len(values)} requests)"
            )

        if not args.no_wrk:
            print(
                f"\nThroughput under gunicorn -w 2 with wrk (-t2 -c16, {args.rounds} alternating rounds of "
                f"{args.seconds} s per endpoint, same server, same run)."
            )
            print(f"    The benchmark server's VERIFY_RATE_LIMIT is {BENCH_RATE_LIMIT!r}, so the per-client")
            print("    limit (30 per minute by default) does not turn the load into 429 responses.")
            bench_throughput(database_url, keys_folder, codes, args.seconds, args.rounds, workdir)
        if args.sample_pdf:
            print(f"\nSample PDF written to {args.sample_pdf}")


if __name__ == "__main__":
    main()
