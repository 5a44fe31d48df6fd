"""SkillPath: a digital-skills tracker for people in prison and after release."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, session
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Undefined
from sqlalchemy import create_engine

from config import Config, ConfigError, get_config
from skillpath.extensions import PUBLIC_READS, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | str | None = None, **overrides: Any) -> Flask:
    """Build the application. `config` is a Config class or the name of one."""
    config_class = config if isinstance(config, type) else get_config(config)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/assets",
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    _configure_database_url(app)
    _register_extensions(app)
    _register_templates(app)
    _register_language(app)
    _register_issuer(app)
    _register_read_models(app)
    _register_blueprints(app)
    _limit_at_views_only(app)
    _register_security_headers(app)
    _register_errorhandlers(app)
    _register_commands(app)
    _register_request_hooks(app)
    _trust_proxies(app)
    _check_shared_state(app)
    from skillpath import transactions

    transactions.init_app(app)  # last, so that its hook runs first
    return app


def _trust_proxies(app: Flask) -> None:
    hops = int(app.config.get("TRUST_PROXY_HOPS", 0))
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a load balancer every client would otherwise share its address for rate limits.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _check_shared_state(app: Flask) -> None:
    """Refuse an evidence storage SkillPath does not know; say so when rate limits are counted per process."""
    from skillpath.logs import log_event, security_log
    from skillpath.services.progress.evidence_storage import BACKENDS

    storage = app.config.get("EVIDENCE_STORAGE") or "local"
    if storage not in BACKENDS:
        raise ConfigError(f"EVIDENCE_STORAGE must be one of {', '.join(BACKENDS)}, not {storage!r}")
    per_process = str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory")
    if app.config.get("SKILLPATH_ENV") == "production" and per_process:
        # Each worker and each host would count sign-in and verification attempts on its own: set REDIS_URL.
        log_event(security_log, "rate_limits_per_process", logging.WARNING, setting="RATELIMIT_STORAGE_URI")


def _configure_database_url(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'skillpath.sqlite'}"
    url: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):  # the form some hosts hand out
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        # SQLite has no pool to ping; foreign keys are switched on per connection (see models).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True}


def _limit_at_views_only(app: Flask) -> None:
    """Take out Flask-Limiter's own check before every request when it has nothing to count.

    Every SkillPath limit is either a decorator on its view (sign-in, share links, API tokens), counted when the
    view is called, or counted by the limiter's strategy directly (certificate checks, API clients). The
    extension's before-request hook exists for default, application, meta and blueprint limits, and SkillPath
    sets none; it cost each request a walk through the limiter. Should any of those ever be set, it stays in.
    """
    manager = limiter.limit_manager
    others = (
        manager.default_limits,
        manager.application_limits,
        getattr(limiter, "_meta_limits", True),  # unknown in another version of the extension: keep the hook
        getattr(manager, "_blueprint_limits", True),
    )
    if any(others):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def _register_extensions(app: Flask) -> None:
    import skillpath.models  # noqa: F401  (registers every table before migrate sees the metadata)
    from skillpath.auth.loader import configure_login

    db.init_app(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        # Public certificate checks read through a small pool of their own, in autocommit and without the ping
        # before each use: one statement that only reads, sent again once if its connection was dropped
        # (services/certificates/certificates.py). Otherwise as the app's engine (SQLALCHEMY_ENGINE_OPTIONS). A
        # worker keeps one connection in it for each thread that checks.
        options = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "isolation_level": "AUTOCOMMIT"}
        app.extensions[PUBLIC_READS] = create_engine(url, **{**options, "pool_pre_ping": False})
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    configure_login(app, login_manager)
    with app.app_context():
        _enable_sqlite_foreign_keys(app)


def _enable_sqlite_foreign_keys(app: Flask) -> None:
    from sqlalchemy import event

    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from skillpath import template_helpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    if app.testing:
        app.jinja_env.undefined = _RenderStrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    template_helpers.register(app)


def _register_language(app: Flask) -> None:
    from skillpath import i18n

    i18n.init_app(app)


def _register_issuer(app: Flask) -> None:
    from skillpath import settings

    settings.init_app(app)


def _register_read_models(app: Flask) -> None:
    """Every flush that changes a learner's logs refreshes their read-model rows, scored by the running app's
    READINESS_* settings (services cannot read them themselves)."""
    from flask import current_app

    from skillpath.services.readiness import read_models
    from skillpath.services.readiness.readiness import ReadinessRules

    del app
    read_models.keep_up_to_date(lambda: ReadinessRules.from_config(current_app.config))


class _RenderStrictUndefined(Undefined):
    """In tests, printing an undefined variable fails loudly.

    Jinja's StrictUndefined also fails on `if x` tests, which the GOV.UK
    component templates rely on, so only rendering is made strict.
    """

    def __str__(self) -> str:
        self._fail_with_undefined_error()
        return ""


def _register_blueprints(app: Flask) -> None:
    from skillpath.account.routes import bp as account_bp
    from skillpath.admin.routes import bp as admin_bp
    from skillpath.api.routes import bp as api_bp
    from skillpath.api_clients.routes import bp as api_clients_bp
    from skillpath.auth.routes import bp as auth_bp
    from skillpath.catalogue.routes import bp as catalogue_bp
    from skillpath.certificates.routes import bp as certificates_bp
    from skillpath.credentials.routes import bp as credentials_bp
    from skillpath.cv.routes import bp as cv_bp
    from skillpath.dashboards.routes import bp as dashboards_bp
    from skillpath.disclosure.routes import bp as disclosure_bp
    from skillpath.goals.routes import bp as goals_bp
    from skillpath.learners.routes import bp as learners_bp
    from skillpath.main.routes import bp as main_bp
    from skillpath.mentors.routes import bp as mentors_bp
    from skillpath.my_data.routes import bp as my_data_bp
    from skillpath.plan.routes import bp as plan_bp
    from skillpath.self_assessment.routes import bp as self_assessment_bp
    from skillpath.sharing.routes import bp as sharing_bp
    from skillpath.verify.routes import bp as verify_bp

    for blueprint in (
        main_bp,
        auth_bp,
        catalogue_bp,
        learners_bp,
        goals_bp,
        cv_bp,
        self_assessment_bp,
        my_data_bp,
        account_bp,
        disclosure_bp,
        plan_bp,
        mentors_bp,
        dashboards_bp,
        admin_bp,
        certificates_bp,
        credentials_bp,
        sharing_bp,
        verify_bp,
        api_clients_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    # The staff API authenticates each call with a bearer token, not a session cookie: no CSRF to forge.
    csrf.exempt(api_bp)


def _register_security_headers(app: Flask) -> None:
    from skillpath.security import apply_security_headers, reject_json_on_pages, reject_nul_bytes

    app.before_request(reject_nul_bytes)
    app.before_request(reject_json_on_pages)
    app.after_request(apply_security_headers)


def _register_errorhandlers(app: Flask) -> None:
    from skillpath.errors import register_error_handlers

    register_error_handlers(app)


def _register_commands(app: Flask) -> None:
    from skillpath.cli import register_commands

    register_commands(app)


def _show_the_success_banner(response: Response) -> Response:
    """A redirect to a place further down a page would scroll past its green banner: go to the top instead.

    The banner says what happened and what is next, and it must be seen (with or without JavaScript).
    """
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "#" in location:
        flashes = session.get("_flashes") or []
        if any(category == "success" for category, _ in flashes):
            response.headers["Location"] = location.split("#", 1)[0]
    return response


def _register_request_hooks(app: Flask) -> None:
    def _make_csp_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    # First of all hooks: the CSRF check runs before the others, and its error page needs the nonce too.
    app.before_request_funcs.setdefault(None, []).insert(0, _make_csp_nonce)
    app.after_request(_show_the_success_banner)

    from skillpath import logs

    logs.init_app(app)
