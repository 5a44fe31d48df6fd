"""Choosing settings from the environment, and refusing to start production without secrets."""

from __future__ import annotations

import pytest

from config import ConfigError, DevelopmentConfig, ProductionConfig, TestConfig, get_config
from skillpath import create_app


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://skillpath@db/skillpath")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://skillpath.example")
    return monkeypatch


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL"])
def test_production_refuses_to_start_without_its_secrets(production_env, missing):
    production_env.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        get_config("production")


def test_production_refuses_empty_secrets(production_env):
    production_env.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        get_config("production")


def test_production_starts_with_its_secrets(production_env):
    assert get_config("production") is ProductionConfig
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_the_environment_variable_chooses_the_settings(monkeypatch):
    monkeypatch.setenv("SKILLPATH_ENV", "test")
    assert get_config() is TestConfig
    monkeypatch.delenv("SKILLPATH_ENV")
    assert get_config() is DevelopmentConfig


@pytest.mark.parametrize("name", ["staging", "Production", "prod"])
def test_an_unknown_environment_is_refused(monkeypatch, name):
    monkeypatch.setenv("SKILLPATH_ENV", name)
    with pytest.raises(ConfigError, match="SKILLPATH_ENV must be one of"):
        get_config()
    with pytest.raises(ConfigError):
        get_config(name)


def test_tests_run_with_csrf_protection_on():
    assert getattr(TestConfig, "WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/skillpath", "postgresql+psycopg://u:p@db.example:5432/skillpath"),
        ("postgresql://u:p@db.example/skillpath", "postgresql+psycopg://u:p@db.example/skillpath"),
        ("postgresql+psycopg://u@db.example/skillpath", "postgresql+psycopg://u@db.example/skillpath"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_create_app_uses_the_psycopg_driver_for_postgres_urls(given, expected):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=given)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
