"""The fuzz test over the whole URL map: hostile requests get a clear answer, and a refusal writes nothing.

For every endpoint in `app.url_map` (so new ones are covered without anyone remembering to), as each role that may
use it and with real ids of things that user may see (tests/integration/_fuzz_world.py), the test reads the page's
forms to learn their fields and sends hostile variants with a valid CSRF token: 1 MB strings, NUL, bidi overrides,
zero-width and BOM prefixes, invalid UTF-8 and lone surrogates, impossible dates, huge and negative numbers, fields
sent twice or missing, unknown choices, wrong content types, hostile upload file names; for the JSON API, bodies
that are not JSON, absurdly nested, huge or of the wrong type, and credentials signed with the issuer's own key in
shapes it never issues; for pages with filters or a search, the same in the query string; for text in the address
(a module or certificate code), the same there (tests/integration/_fuzz_requests.py).

Every answer must be below 500. Unless the answer is a redirect (what a successful form send returns), no table may
have gained or lost a row, except for audit events that record a look or a refused sign-in. After a redirect, the
page it leads to must show what was saved without a 500. Each variant runs in a savepoint that is rolled back after,
from the same session cookie, so variants do not depend on each other.

Variants are chosen by a random generator seeded with the endpoint's name: a run is the same every time.
SKILLPATH_FUZZ_ALL=1 puts every hostile value in every field (slower; for a deeper look).
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter, UUIDConverter

from config import TestConfig
from skillpath import create_app
from skillpath.api.auth import API_CLIENT
from skillpath.auth.policy import ACCESS_ATTRIBUTE, PUBLIC
from skillpath.extensions import db
from skillpath.models import UserRole
from skillpath.models._types import utcnow
from skillpath.services.certificates.es256_keys import es256_signing_key
from skillpath.services.certificates.signing import signing_key
from tests import factories
from tests.conftest import sign_in
from tests.helpers import csrf_token
from tests.integration._fuzz_requests import (
    URLENCODED,
    Attempt,
    FoundForm,
    credential_document_attempts,
    form_attempts,
    json_attempts,
    parse_forms,
    path_attempts,
    query_attempts,
    signed_credential_attempts,
    urlencode,
)
from tests.integration._fuzz_world import FuzzWorld, build_world

# Endpoints the fuzz test leaves alone, each with its reason. Every other endpoint is fuzzed.
SKIPPED = {
    "static": "files from static/: Flask serves them and no code of ours reads the request",
    "auth.sign_out": "takes nothing but its CSRF token, and only ends the session",
}

# Forms whose success is a page, not a redirect: a hostile value that the form accepts may write.
SUCCESS_IS_A_PAGE = {
    "api_clients.new": "shows the new client's secret once, on the answer itself: nothing may keep it for a redirect",
}

# Forms that no page shows for the world the test builds; they are sent with their CSRF token and hostile extras.
FORMS_SHOWN_ON_NO_PAGE = {
    "certificates.unhide": "shown only for a hidden certificate; a button with nothing but its CSRF token",
    "mentors.learner_new_check": "shown only once the add-learner form is filled in; a button with only its CSRF token",
    "disclosure.delete_draft": "shown only once a disclosure draft is saved; a button with only its CSRF token",
    "disclosure.finished": "shown only while the disclosure letter is not done, and the world has every barrier done",
}

# Query parameters read from the address by pages that have no GET form for them on the page itself.
DASHBOARD_FILTERS = ("role", "band", "release", "name")
QUERY_PARAMETERS = {
    "auth.sign_in": ("next",),
    "main.language": ("to", "next"),  # the footer's language switch: a link, not a form
    "mentors.assess_skill": ("skill",),
    "dashboards.cohort_export": DASHBOARD_FILTERS,
    "dashboards.establishment_export": DASHBOARD_FILTERS,
    "dashboards.index": ("sort", "order"),  # the national view's sortable headings: links, not a form
    "mentors.worklist": ("page",),  # the pages of a to-do list: links, not a form
    "admin.staff": ("page",),  # the pages of the staff list: links, not a form
}

# Tables that log each look at something, so any answer may add to them.
READ_LOG_TABLES = {
    "share_link_views": "each opening of a learner's share link, which the learner is shown",
}

# Audit events that record a look or a refused attempt: an answer that is not a redirect may write these only.
READ_AUDIT_SUFFIXES = (".viewed", ".exported", ".downloaded")
REFUSAL_AUDIT_ACTIONS = (
    "api.call",  # every call a staff API client makes, refused ones too
    "auth.signin.failed",
    "auth.signin.unknown_user",
    "auth.signin.throttled",
    "auth.activation.failed",
    "auth.recovery.failed",
    "auth.recovery.throttled",
    "auth.password.recheck_failed",  # a wrong password typed again to change it or to close the account
    "auth.session.ended_wrong_passwords",
)

# A home page that always has a form, for a CSRF token when the endpoint's own form is on no page.
TOKEN_PAGES: dict[UserRole | None, str] = {None: "/sign-in", **dict.fromkeys(UserRole, "/account/change-password")}


def _cases() -> list[Any]:
    """Every endpoint in the URL map, read from an app made only for that, as the roles that may use it.

    Forms are sent as every role that may use them (their rules differ by role); a page that only shows
    something is asked for as the first role that may see it, which is enough for its address and query string.
    """
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED}
    return [
        pytest.param(endpoint, role, id=f"{endpoint}-as-{role.value if role else 'signed-out'}")
        for endpoint, rule in sorted(rules.items())
        for role in _roles_for(app, endpoint)[: None if "POST" in (rule.methods or ()) else 1]
    ]


def _roles_for(app: Flask, endpoint: str) -> list[UserRole | None]:
    """None (signed out) for a public page or the staff API (a bearer token, no one signed in); else the roles
    that may use it."""
    access = getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, None)
    if access in (PUBLIC, API_CLIENT):
        return [None]
    assert isinstance(access, frozenset), f"{endpoint} is neither public nor protected by role"
    return [role for role in (UserRole.LEARNER, UserRole.MENTOR, UserRole.ADMIN) if role in access]


def test_the_skipped_endpoints_exist(app):
    """A skipped endpoint that was renamed or removed would otherwise hide its replacement from the fuzz."""
    assert set(SKIPPED) | set(FORMS_SHOWN_ON_NO_PAGE) | set(QUERY_PARAMETERS) <= set(app.view_functions)
    assert set(READ_LOG_TABLES) <= set(db.metadata.tables)


@pytest.mark.parametrize(("endpoint", "role"), _cases())
def test_hostile_requests_get_a_clear_answer_and_no_partial_write(app, endpoint, role, caplog):
    caplog.set_level(logging.ERROR, logger="skillpath.errors")
    world = build_world()
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    client = app.test_client()
    if role is not None:
        sign_in(client, _user(world, role))
    if getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, None) == API_CLIENT:
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.api_token}"
    with client.session_transaction() as session:
        session.update(_session_state(endpoint, world))
    attempts = list(_attempts(app, client, rule, role, world))
    with client.session_transaction() as session:
        cookie_session = dict(session)
    db.session.commit()  # the world becomes part of the test's outer transaction; each attempt rolls back to here

    # Every attempt starts from here (each rolls back to it), so the rows are counted once.
    counts = RowCounts(db.engine)
    may_write = endpoint in SUCCESS_IS_A_PAGE
    failures = [
        failure
        for attempt in attempts
        if (failure := _check(client, attempt, cookie_session, counts, caplog, may_write=may_write))
    ]
    assert not failures, (
        f"{endpoint} as {role or 'signed out'}: {len(failures)} of {len(attempts)} hostile requests failed:\n"
        + "\n".join(failures)
    )


# --- Who, and with what ------------------------------------------------------------------------------------


def _user(world: FuzzWorld, role: UserRole) -> Any:
    return {UserRole.LEARNER: world.learner, UserRole.MENTOR: world.mentor, UserRole.ADMIN: world.admin}[role]


def _session_state(endpoint: str, world: FuzzWorld) -> dict[str, object]:
    """What some pages need in the session before they show their form."""
    if endpoint == "auth.choose_password":  # the newcomer has just typed their activation code
        return {"activating": {"user": str(world.newcomer.public_id), "at": utcnow().isoformat()}}
    return {}


def _typed_values(endpoint: str, world: FuzzWorld) -> dict[str, str]:
    """Values a person would type where a field's name alone does not say, so one bad field is the only bad one."""
    return {
        "auth.sign_in": {"username": world.learner.username, "password": factories.PASSWORD},
        "auth.activate": {"username": world.newcomer.username, "activation_code": world.newcomer_code},
        "auth.change_password": {"current_password": factories.PASSWORD},
    }.get(endpoint, {})


def _path(
    app: Flask, rule: Rule, world: FuzzWorld, role: UserRole | None, *, like: str | None = None, **replaced: str
) -> str:
    """The rule's URL with real values for `role`; `like` another endpoint: with the values its URL has."""
    values: dict[str, str] = {}
    for name in rule.arguments:
        blueprint = rule.endpoint.rpartition(".")[0]
        keys = [(rule.endpoint, name), (like or rule.endpoint, name), (blueprint, name), (str(role), name)]
        value = next((world.endpoint_values[key] for key in keys if key in world.endpoint_values), None)
        assert value or name in world.values, (
            f"{rule.endpoint}: give the URL parameter {name!r} a real value in tests/integration/_fuzz_world.py"
        )
        values[name] = value or world.values[name]
    path = app.url_map.bind("localhost").build(rule.endpoint, values, method=_method(rule))
    for name, hostile in replaced.items():  # put the hostile text in, unescaped, where the real value was
        path = path.replace(f"/{values[name]}", f"/{hostile}", 1)
    return path


def _method(rule: Rule) -> str:
    methods = rule.methods or set()
    if "GET" in methods:
        return "GET"
    return "POST" if "POST" in methods else sorted(methods - {"HEAD", "OPTIONS"})[0]  # the staff API's PUT, PATCH


def _text_arguments(rule: Rule) -> list[str]:
    """The URL parameters typed as free text (such as a code), where hostile text can go in the address itself."""
    typed = (UUIDConverter, IntegerConverter, AnyConverter)
    return [name for name, converter in rule._converters.items() if not isinstance(converter, typed)]


# --- What to send ------------------------------------------------------------------------------------------


def _attempts(
    app: Flask, client: FlaskClient, rule: Rule, role: UserRole | None, world: FuzzWorld
) -> Iterator[Attempt]:
    path = _path(app, rule, world, role)
    methods = rule.methods or set()
    form: FoundForm | None = None
    if "GET" in methods:
        page = client.get(path)
        page.get_data()
        page.close()  # a streamed answer (a CSV export) holds its request open until closed
        assert page.status_code < 400, f"GET {path} as {role} gave {page.status_code}: fill its URL with what it needs"
        params = set(QUERY_PARAMETERS.get(rule.endpoint, ()))
        if page.mimetype == "text/html":
            forms = parse_forms(page.get_data(as_text=True), path)
            params |= {field.name for search in forms_to(forms, path, "GET") for field in search.inputs}
            form = next(iter(forms_to(forms, path, "POST")), None)
        yield from query_attempts(path, sorted(params), rule.endpoint)
    if "POST" in methods and path.startswith("/api/"):
        yield from json_attempts(path)
        token, document = _issued_credentials(app, world)
        yield from signed_credential_attempts(path, token, _private_key_for(token))
        yield from credential_document_attempts(path, document)
    elif "POST" in methods:
        form = form or _form_elsewhere(app, client, rule, path, role, world)
        yield from form_attempts(
            path, form, _token(client, form, role), _typed_values(rule.endpoint, world), rule.endpoint
        )
    text_arguments = _text_arguments(rule)
    if text_arguments:
        body = urlencode([("csrf_token", _token(client, form, role))]) if _method(rule) == "POST" else None
        hostile_path = partial(_path, app, rule, world, role)
        for attempt in path_attempts(_method(rule), lambda name, value: hostile_path(**{name: value}), text_arguments):
            yield replace(attempt, body=body, content_type=URLENCODED if body else None)


def _issued_credentials(app: Flask, world: FuzzWorld) -> tuple[str, dict[str, Any]]:
    """The learner's credential as a .jwt and as a JSON-LD document, downloaded as they would, whatever the format."""
    learner = sign_in(app.test_client(), world.learner)
    downloads = f"/learner/certificates/{world.values['certificate_id']}"
    token, document = learner.get(f"{downloads}/credential"), learner.get(f"{downloads}/credential.json")
    assert token.status_code == 200 and document.status_code == 200, "the learner can download their credential"
    return token.get_data(as_text=True), json.loads(document.get_data())


def _private_key_for(token: str) -> Any:
    """The issuer's private key for the token's algorithm, to sign variants of it as the issuer would."""
    algorithm = jwt.get_unverified_header(token).get("alg")
    keys: dict[str, Callable[[], Any]] = {"ES256": es256_signing_key, "EdDSA": signing_key}
    assert algorithm in keys, f"the fuzz test cannot sign {algorithm} credentials yet"
    return keys[algorithm]().private_key


def forms_to(forms: list[FoundForm], path: str, method: str) -> list[FoundForm]:
    return [form for form in forms if form.action == path and form.method == method]


def _form_elsewhere(
    app: Flask, client: FlaskClient, rule: Rule, path: str, role: UserRole | None, world: FuzzWorld
) -> FoundForm:
    """The form that posts to `path`, from the pages this user can open, those with the most in common first."""
    target = set(path.split("/"))
    pages = []
    for other in app.url_map.iter_rules():
        if (
            "GET" not in (other.methods or ())
            or other.endpoint in SKIPPED
            or role not in _roles_for(app, other.endpoint)
        ):
            continue
        try:
            pages.append(_path(app, other, world, role, like=rule.endpoint))
        except AssertionError:
            continue
    for page_path in sorted(pages, key=lambda p: -len(target & set(p.split("/")))):
        response = client.get(page_path)
        body = response.get_data()
        response.close()  # a streamed answer (a CSV export) holds its request open until closed
        if response.status_code == 200 and response.mimetype == "text/html":
            found = forms_to(parse_forms(body.decode("utf-8"), page_path), path, "POST")
            if found:
                return found[0]
    assert rule.endpoint in FORMS_SHOWN_ON_NO_PAGE, (
        f"no page shows a form that posts to {rule.endpoint} ({path}) for {role}: "
        "make tests/integration/_fuzz_world.py build what it needs, or explain in FORMS_SHOWN_ON_NO_PAGE"
    )
    return FoundForm(action=path, method="POST", multipart=False, fields=())


def _token(client: FlaskClient, form: FoundForm | None, role: UserRole | None) -> str:
    if form is not None:
        token = next((f.value for f in form.fields if f.name == "csrf_token"), None)
        if token:
            return token
    page_path = TOKEN_PAGES[role]
    forms = parse_forms(client.get(page_path).get_data(as_text=True), page_path)
    return next(f.value for form in forms for f in form.fields if f.name == "csrf_token")


# --- Sending, and checking ---------------------------------------------------------------------------------


def _check(
    client: FlaskClient,
    attempt: Attempt,
    cookie_session: dict[str, Any],
    counts: RowCounts,
    caplog: Any,
    *,
    may_write: bool = False,
) -> str | None:
    """Send one attempt from the saved session, in a savepoint; say what went wrong, if anything."""
    with client.session_transaction() as session:
        session.clear()
        session.update(cookie_session)
    caplog.clear()
    savepoint = counts.connection.begin_nested()
    try:
        try:
            response = _send(client, attempt)
            response.get_data()  # a streamed answer (a CSV export) runs its code only now
            response.close()  # and holds its request open until closed (a HEAD request never reads it)
        except Exception as error:  # an error that escaped the app's own handlers
            return f"  {attempt.label}: raised {_summary(type(error), error, error.__traceback__)}"
        status = response.status_code
        if status >= 500:
            return f"  {attempt.label}: {status} {_logged_errors(caplog)}"
        if attempt.path.startswith("/api/") and status >= 400 and not response.is_json:
            return f"  {attempt.label}: {status} from the JSON API was a page, not JSON"
        if may_write and status == 200:  # a form that worked and answers with a page (SUCCESS_IS_A_PAGE)
            return None
        if 300 <= status < 400:  # what a form that worked answers; it may write
            return _shown_after(client, attempt, response.headers.get("Location", ""), caplog)
        changed = counts.changes()
        return f"  {attempt.label}: {status} but rows changed: {changed}" if changed else None
    finally:
        savepoint.rollback()


def _shown_after(client: FlaskClient, attempt: Attempt, location: str, caplog: Any) -> str | None:
    """A hostile value that was saved must not break the page that shows it next."""
    path = urlsplit(location).path
    if not attempt.label.startswith(("field ", "file ")) or not path.startswith("/"):
        return None
    status = client.get(path).status_code
    if status >= 500:
        return f"  {attempt.label}: saved, then GET {path} gave {status} {_logged_errors(caplog)}"
    return None


def _send(client: FlaskClient, attempt: Attempt) -> Any:
    path = f"{attempt.path}?{attempt.query.decode('latin-1')}" if attempt.query else attempt.path
    headers = dict(attempt.headers)
    if attempt.content_type:
        headers["Content-Type"] = attempt.content_type
    return client.open(path, method=attempt.method, data=attempt.body, headers=headers)


class RowCounts:
    """The rows in every table as the world left them, and which tables have gained or lost rows since.

    Audit events that record a look or a refused attempt, and the READ_LOG_TABLES, are not counted: any answer
    may write those.
    """

    def __init__(self, connection: object) -> None:
        assert isinstance(connection, sa.Connection), "the test transaction fixture is not in place"
        self.connection = connection
        columns = []
        for table in db.metadata.sorted_tables:
            if table.name in READ_LOG_TABLES:
                continue
            query = sa.select(sa.func.count()).select_from(table)
            if table.name == "audit_events":
                action = table.c.action
                reads = [action.like(f"%{suffix}") for suffix in READ_AUDIT_SUFFIXES]
                query = query.where(sa.not_(sa.or_(*reads, action.in_(REFUSAL_AUDIT_ACTIONS))))
            columns.append(query.scalar_subquery().label(table.name))
        # Compiled once to plain SQL: it runs after hundreds of requests.
        compiled = sa.select(*columns).compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        self.query = sa.text(str(compiled))
        self.initial = self._now()

    def _now(self) -> dict[str, int]:
        return dict(self.connection.execute(self.query).one()._mapping)

    def changes(self) -> dict[str, int]:
        now = self._now()
        return {table: now[table] - count for table, count in self.initial.items() if now[table] != count}


def _logged_errors(caplog: Any) -> str:
    errors = [_summary(*record.exc_info) for record in caplog.records if record.exc_info]
    return "; ".join(errors) or "(nothing logged)"


def _summary(kind: type[BaseException], error: BaseException, tb: Any) -> str:
    """The exception and the deepest line of our own code it passed through."""
    frames = traceback.extract_tb(tb)
    ours = [frame for frame in frames if "/skillpath/" in frame.filename] or frames
    if not ours:
        return f"{kind.__name__}: {str(error)[:160]}"
    where = ours[-1]
    filename = (
        "skillpath/" + where.filename.rsplit("/skillpath/", 1)[-1]
        if "/skillpath/" in where.filename
        else where.filename
    )
    return f"{kind.__name__}: {str(error)[:160]} at {filename}:{where.lineno} in {where.name}"


# --- Defects this test found, each pinned by a plain test ---------------------------------------------------


def test_a_json_body_sent_to_a_page_is_a_bad_request_not_a_crash(learner_client):
    """Flask-WTF reads a JSON body as the form; a list there, or a number where a form has text, was a 500."""
    token = csrf_token(learner_client, "/learner/goals/new")
    for body in (b"[1, 2]", b'{"title": {"x": 1}, "step_1": 5}'):
        response = learner_client.post(
            "/learner/goals/new", data=body, content_type="application/json", headers={"X-CSRFToken": token}
        )
        assert response.status_code == 400


def test_a_credential_with_a_lone_surrogate_is_refused_plainly(client):
    """JSON can carry a lone surrogate that no bytes can; it was a 500 when the token was read."""
    response = client.post("/api/verify", data=b'{"credential": "\\ud800.e30.x"}', content_type="application/json")
    assert response.status_code == 400
    assert response.is_json
