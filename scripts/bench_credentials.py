"""Benchmark the JSON-LD credentials: signing, checking an uploaded one, and serving status lists.

    .venv/bin/python scripts/bench_credentials.py [--certificates 200] [--seconds 3] [--rounds 5] [--no-wrk]

1. Seeds a temporary SQLite database (the real migrations) with learners holding signed certificates,
   and withdraws one in ten so that the status list has bits set.
2. Times signing one JSON-LD credential as the download does it (`openbadges.jsonld_credential`:
   the body, RDFC-1.0 canonicalisation of the document and of the proof options with pyld, SHA-256,
   Ed25519), p50 and p95 (target: p50 at most 20 ms).
3. Times checking an uploaded credential (`credential_check.check_jsonld_credential` on the file's
   bytes: parsing and bounds, canonicalisation, the signature, the dates and our own record),
   p50 and p95 (target: p50 at most 50 ms).
4. Starts `gunicorn -w 2` on a free loopback port with that database and runs wrk against /health
   (a trivial endpoint) and against the status list credential, alternating rounds in the same run,
   and prints the ratio of the medians (target: the status list at least half the trivial endpoint's
   requests per second).

Needs `wrk` (Debian package `wrk`); as root the script installs it with apt-get when it is missing.
Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_certificates as common  # noqa: E402  (the same seeding, gunicorn and wrk helpers)

SIGN_TARGET = 0.020
VERIFY_TARGET = 0.050
RATIO_TARGET = 0.5


def _app(database_url: str, keys_folder: Path) -> Flask:
    from config import ProductionConfig
    from skillpath import create_app

    return create_app(ProductionConfig, **common._overrides(database_url, keys_folder))


def withdraw_some(database_url: str, keys_folder: Path) -> str:
    """Withdraw one certificate in ten; returns the status list's path (as the credentials cite it)."""
    from sqlalchemy import select

    from skillpath.extensions import db
    from skillpath.models import Certificate, User
    from skillpath.services.certificates import certificates, openbadges

    app = _app(database_url, keys_folder)
    with app.app_context():
        items = list(db.session.scalars(select(Certificate).order_by(Certificate.id)))
        mentor = db.session.scalar(select(User).where(User.username == "bench-mentor"))
        for certificate in items[::10]:
            certificates.revoke_certificate(certificate, by=mentor, reason="Benchmark")
        db.session.commit()
        url = openbadges.jsonld_credential(items[1])["credentialStatus"]["statusListCredential"]
        db.session.remove()
        db.engine.dispose()
    return url.removeprefix(common.PUBLIC_BASE_URL)


def _timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bench_sign_and_check(database_url: str, keys_folder: Path, runs: int) -> tuple[list[float], list[float]]:
    from sqlalchemy import select

    from skillpath.extensions import db
    from skillpath.models import Certificate
    from skillpath.services.certificates import openbadges
    from skillpath.services.certificates.credential_check import check_jsonld_credential

    app = _app(database_url, keys_folder)
    with app.app_context():
        items = list(db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_(None)).limit(runs)))
        files = [json.dumps(openbadges.jsonld_credential(item)).encode() for item in items[:5]]  # warm up
        check = check_jsonld_credential(files[0])
        assert check.ok, check.problem
        signing_times, files = [], []
        for item in items:
            start = time.perf_counter()
            credential = openbadges.jsonld_credential(item)
            signing_times.append(time.perf_counter() - start)
            files.append(json.dumps(credential, ensure_ascii=False).encode())
        checking_times = []
        for data in files:
            start = time.perf_counter()
            check = check_jsonld_credential(data)
            checking_times.append(time.perf_counter() - start)
            assert check.ok, check.problem
        db.session.remove()
        db.engine.dispose()
    return signing_times, checking_times


def bench_throughput(database_url: str, keys_folder: Path, list_path: str, args: argparse.Namespace) -> float | None:
    wrk = common._ensure_wrk()
    if wrk is None:
        print("    wrk is not installed (apt-get install wrk): throughput not measured.")
        return None
    port = common._free_port()
    env = {
        **os.environ,
        "SKILLPATH_ENV": "production",
        "SECRET_KEY": "benchmark-only",
        "DATABASE_URL": database_url,
        "KEYS_FOLDER": str(keys_folder),
        "PUBLIC_BASE_URL": common.PUBLIC_BASE_URL,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SESSION_COOKIE_SECURE": "false",
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}"]
    gunicorn += ["--log-level", "warning", "skillpath:create_app()"]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        with urllib.request.urlopen(base + list_path, timeout=5) as response:  # noqa: S310 (loopback)
            assert response.status == 200 and response.headers.get_content_type() == "application/vc+ld+json"
        scripts = {}
        for name, path in (("health", "/health"), ("status", list_path)):
            scripts[name] = args.workdir / f"{name}.lua"
            scripts[name].write_text(f'request = function()\n  return wrk.format("GET", "{path}")\nend\n')
        common._wrk(wrk, f"{base}/", 1, scripts["health"])  # warm both workers
        common._wrk(wrk, f"{base}/", 2, scripts["status"])
        # Alternate the two, so that a change in the machine's load touches both alike.
        trivial_runs, status_runs, notes = [], [], set()
        for _ in range(args.rounds):
            rate, note = common._wrk(wrk, f"{base}/", args.seconds, scripts["health"])
            trivial_runs.append(rate)
            notes.add(f"/health: {note}")
            rate, note = common._wrk(wrk, f"{base}/", args.seconds, scripts["status"])
            status_runs.append(rate)
            notes.add(f"status list: {note}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    ratios = [s / t for s, t in zip(status_runs, trivial_runs, strict=True)]
    trivial, status, ratio = (statistics.median(v) for v in (trivial_runs, status_runs, ratios))
    print(f"    trivial endpoint /health:  {trivial:6.0f} requests/s  (rounds: {common._rates(trivial_runs)})")
    print(f"    status list credential:    {status:6.0f} requests/s  (rounds: {common._rates(status_runs)})")
    print(f"    responses: {'; '.join(sorted(notes))}")
    verdict = "meets" if ratio >= RATIO_TARGET else "MISSES"
    print(
        f"    ratio: {ratio:.2f} (median of the rounds' ratios: {', '.join(f'{r:.2f}' for r in ratios)}) — "
        f"{verdict} the target of at least {RATIO_TARGET:.2f}"
    )
    return ratio


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)


def _line(label: str, values: list[float], target: float) -> bool:
    p50 = common._percentile(values, 0.5)
    verdict = "meets" if p50 <= target else "MISSES"
    print(
        f"    {label:<34} p50 {common._ms(p50)}, p95 {common._ms(common._percentile(values, 0.95))}"
        f"  ({len(values)} credentials) — {verdict} the p50 target of {target * 1000:.0f} ms"
    )
    return p50 <= target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=200, help="certificates to seed (default 200)")
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per endpoint and round (default 3)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating wrk rounds per endpoint (default 5)")
    parser.add_argument("--no-wrk", action="store_true", help="skip the gunicorn + wrk throughput run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="skillpath-bench-") as folder:
        args.workdir = Path(folder)
        database_url = f"sqlite:///{args.workdir / 'bench.sqlite'}"
        keys_folder = args.workdir / "keys"
        print(f"Seeding {args.certificates} signed certificates into a temporary SQLite database …")
        common.seed(database_url, keys_folder, args.certificates)
        list_path = withdraw_some(database_url, keys_folder)

        signing_times, checking_times = bench_sign_and_check(database_url, keys_folder, args.certificates)
        print("\nJSON-LD credentials (eddsa-rdfc-2022; pyld RDFC-1.0), in-process:")
        met = _line("signing one (canonicalisation incl.)", signing_times, SIGN_TARGET)
        met &= _line("checking an uploaded one", checking_times, VERIFY_TARGET)

        if not args.no_wrk:
            print(
                f"\nThroughput under gunicorn -w 2 with wrk (-t2 -c16, {args.rounds} alternating rounds of "
                f"{args.seconds} s per endpoint, same server, same run); the status list has one bit in ten set."
            )
            ratio = bench_throughput(database_url, keys_folder, list_path, args)
            met &= ratio is None or ratio >= RATIO_TARGET
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
