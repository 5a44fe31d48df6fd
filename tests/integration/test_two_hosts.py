"""SkillPath on two hosts: two real servers sharing one PostgreSQL database, one Redis and the key folder.

Each server is a gunicorn process of its own on its own port, started as production starts it (the same
SECRET_KEY, DATABASE_URL, REDIS_URL and KEYS_FOLDER, EVIDENCE_STORAGE=database, and an upload folder of its
own that must stay empty). A browser (urllib with one cookie jar, as behind a load balancer) moves between
them, and each test shows one thing working across both: a sign-in and a sign-out, an evidence file, a
certificate withdrawal, and a rate limit.

The servers trust one proxy hop, and each test sends its own X-Forwarded-For address, so the tests' rate
limits do not mix (and the order they run in does not matter).

PostgreSQL only: SQLite is a file on one host, so there is no second host to share it with. The test makes
a database of its own next to TEST_DATABASE_URL's and drops it afterwards. Redis is REDIS_URL's for tests
(TEST_REDIS_URL, else redis://127.0.0.1:6379/0); every key gets a prefix of this run's own.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
import sqlalchemy as sa
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n% written on host A, read on host B\n%%EOF\n"
VERIFY_LIMIT = 6
START_SECONDS = 45
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _postgres_url() -> sa.URL | None:
    raw = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not raw.startswith(("postgresql", "postgres:")):
        return None
    url = sa.make_url(raw.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql+psycopg")


pytestmark = pytest.mark.skipif(
    _postgres_url() is None,
    reason="Two hosts share one database server, and SQLite is a file on one host: "
    "this runs when TEST_DATABASE_URL is PostgreSQL (as in CI's second pass).",
)


# --- A small browser: urllib, one cookie jar, redirects shown rather than followed ------------------------


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def page(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf_token(self) -> str:
        field_ = self.page.find("input", attrs={"name": "csrf_token"})
        assert field_ is not None, "the page has no form token"
        return str(field_["value"])

    def heading(self) -> str:
        h1 = self.page.find("h1")
        return h1.get_text(" ", strip=True) if h1 else ""

    def is_signed_in(self) -> bool:
        return self.status == 200 and self.page.find("form", action="/sign-out") is not None


class _ShowRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Browser:
    """One person's browser. `address` is the client address the load balancer reports (X-Forwarded-For)."""

    address: str
    jar: CookieJar = field(default_factory=CookieJar)

    def open(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _ShowRedirects)
        request = urllib.request.Request(url, data=data, headers={"X-Forwarded-For": self.address, **(headers or {})})
        try:
            with opener.open(request, timeout=30) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.headers, error.read())

    def get(self, url: str) -> Answer:
        return self.open(url)

    def post(self, url: str, fields: dict[str, str]) -> Answer:
        return self.open(url, urlencode(fields).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, url: str, fields: dict[str, str], name: str, filename: str, content: bytes) -> Answer:
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.open(url, body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def session_cookie(self) -> str:
        values = [cookie.value for cookie in self.jar if cookie.name == "session"]
        assert values and values[0], "no session cookie"
        return str(values[0])

    def sign_in(self, base: str, username: str, password: str) -> None:
        form = self.get(f"{base}/sign-in")
        answer = self.post(
            f"{base}/sign-in", {"csrf_token": form.csrf_token(), "username": username, "password": password}
        )
        assert answer.status == 302, f"signing in as {username} answered {answer.status}"


# --- Two servers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hosts:
    a: str
    b: str
    world: dict[str, str]
    upload_folders: tuple[Path, Path]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def database() -> Iterator[sa.URL]:
    """A database of this test's own, on TEST_DATABASE_URL's server, dropped afterwards whatever happened."""
    base = _postgres_url()
    assert base is not None
    name = f"{base.database or 'skillpath'}_hosts_{secrets.token_hex(4)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _environment(database: sa.URL, keys: Path, uploads: Path, base_url: str, prefix: str) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SKILLPATH_", "TEST_", "DATABASE_", "REDIS_", "RATELIMIT_", "FLASK_"))
    }
    environment.update(
        SKILLPATH_ENV="production",
        SECRET_KEY="two-hosts-" + "x" * 40,
        DATABASE_URL=database.render_as_string(hide_password=False),
        REDIS_URL=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        KEYS_FOLDER=str(keys),
        UPLOAD_FOLDER=str(uploads),
        EVIDENCE_STORAGE="database",
        PUBLIC_BASE_URL=base_url,
        SESSION_COOKIE_SECURE="false",  # plain HTTP on the loopback
        TRUST_PROXY_HOPS="1",
        VERIFY_RATE_LIMIT=f"{VERIFY_LIMIT} per minute",
        LOGIN_RATE_LIMIT="10 per minute",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return environment


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server for {url} stopped while starting:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"{url}/health did not answer within {START_SECONDS} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def hosts(database: sa.URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    if not _redis_answers(REDIS_URL):
        pytest.fail(f"Redis does not answer at {REDIS_URL}: start it, or set TEST_REDIS_URL.")
    folder = tmp_path_factory.mktemp("two-hosts")
    keys = folder / "keys"  # one folder both hosts read, as a shared mount would be
    ports = (_free_port(), _free_port())
    prefix = f"two-hosts-{secrets.token_hex(4)}"
    public = f"http://127.0.0.1:{ports[0]}"
    world_environment = _environment(database, keys, folder / "uploads-world", public, prefix)
    built = subprocess.run(
        [sys.executable, "-m", "tests.integration._two_hosts_world"],
        cwd=ROOT,
        env=world_environment,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr.decode(errors="replace")[-3000:]
    world = json.loads(built.stdout.decode().strip().splitlines()[-1])

    processes: list[subprocess.Popen[bytes]] = []
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    uploads = (folder / "uploads-a", folder / "uploads-b")
    logs = (folder / "a.log", folder / "b.log")
    try:
        for port, upload, log in zip(ports, uploads, logs, strict=True):
            upload.mkdir()
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "gunicorn",
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--workers",
                            "1",
                            "--threads",
                            "2",
                            "--timeout",
                            "60",
                            "skillpath:create_app()",
                        ],
                        cwd=ROOT,
                        env=_environment(database, keys, upload, public, prefix),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for url, process, log in zip(urls, processes, logs, strict=True):
            _wait_until_healthy(url, process, log)
        yield Hosts(urls[0], urls[1], world, uploads)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_addresses = itertools.count(1)


def _browser() -> Browser:
    """A browser at an address of its own (TEST-NET-2), so no two tests share a rate limit."""
    return Browser(address=f"198.51.100.{next(_addresses)}")


# --- The four things ------------------------------------------------------------------------------------


def test_a_sign_in_on_one_host_works_on_the_other_and_signing_out_there_ends_it_everywhere(hosts: Hosts) -> None:
    learner = _browser()
    learner.sign_in(hosts.a, hosts.world["learner"], hosts.world["password"])
    on_a = learner.get(f"{hosts.a}/learner/")
    on_b = learner.get(f"{hosts.b}/learner/")
    assert on_a.is_signed_in() and on_b.is_signed_in()
    copied = learner.session_cookie()

    # The form token came from host A's page: host B accepts it, as it signs and reads the same session.
    signed_out = learner.post(f"{hosts.b}/sign-out", {"csrf_token": on_a.csrf_token()})
    assert signed_out.status == 302

    # The cookie as it was before signing out opens nothing on either host: the sign-in ended on the server.
    stale = Browser(address=learner.address)
    for base in (hosts.a, hosts.b):
        answer = stale.open(f"{base}/learner/", headers={"Cookie": f"session={copied}"})
        assert answer.status == 302 and "/sign-in" in answer.location


def test_an_evidence_file_uploaded_on_one_host_downloads_unchanged_from_the_other(hosts: Hosts) -> None:
    learner, mentor = _browser(), _browser()
    learner.sign_in(hosts.a, hosts.world["learner"], hosts.world["password"])
    add = f"{hosts.a}/learner/modules/{hosts.world['module_code']}/add-evidence"
    form = learner.get(add)
    saved = learner.post_file(
        add,
        {"csrf_token": form.csrf_token(), "reflection": "I wrote this on host A."},
        "file",
        "host-a.pdf",
        PDF,
    )
    assert saved.status == 302, saved.page.get_text(" ", strip=True)[:500]
    module_page = learner.get(f"{hosts.a}/learner/modules/{hosts.world['module_code']}")
    links = [str(link["href"]) for link in module_page.page.select("a[href$='/file']")]
    assert len(links) == 1

    mentor.sign_in(hosts.b, hosts.world["mentor"], hosts.world["password"])
    download = mentor.get(f"{hosts.b}{links[0]}")

    assert download.status == 200 and download.body == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Length"] == str(len(PDF))
    assert download.headers["Content-Disposition"].startswith("attachment")
    # Nothing went to either host's own folder: the file lives in the database both share.
    assert [path for folder in hosts.upload_folders for path in folder.rglob("*")] == []


def test_a_withdrawal_on_one_host_shows_at_once_on_the_other(hosts: Hosts) -> None:
    visitor, mentor = _browser(), _browser()
    check = f"{hosts.b}/verify/{hosts.world['certificate_code']}"
    for _ in range(2):  # the second answer comes from host B's page cache, if it keeps one
        before = visitor.get(check)
        assert before.status == 200 and before.heading() != "This certificate has been withdrawn"
        assert before.page.title is not None and "Valid certificate" in before.page.title.get_text()

    mentor.sign_in(hosts.a, hosts.world["mentor"], hosts.world["password"])
    withdraw = f"{hosts.a}/mentor/certificates/{hosts.world['certificate_id']}/withdraw"
    form = mentor.get(withdraw)
    answer = mentor.post(withdraw, {"csrf_token": form.csrf_token(), "reason": "Issued to the wrong learner"})
    assert answer.status == 302

    after = visitor.get(check)
    assert after.heading() == "This certificate has been withdrawn"
    api = json.loads(visitor.get(f"{hosts.b}/api/verify/{hosts.world['certificate_code']}").body)
    assert api["status"] == "revoked"


def test_a_rate_limit_counts_requests_to_both_hosts(hosts: Hosts) -> None:
    visitor = _browser()
    code = hosts.world["certificate_code"]
    for index in range(VERIFY_LIMIT):
        base = hosts.a if index % 2 == 0 else hosts.b
        answer = visitor.get(f"{base}/verify/{code}")
        assert answer.status != 429, f"refused after {index} checks"

    # One count across both hosts: each has answered only half the limit, yet both now refuse.
    for base in (hosts.a, hosts.b):
        refused = visitor.get(f"{base}/verify/{code}")
        assert refused.status == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 61  # the window is a minute (and a second to be sure)
    # Another address still gets its own allowance.
    assert _browser().get(f"{hosts.b}/verify/{code}").status != 429
