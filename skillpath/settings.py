"""The running app's settings as the plain objects services take: the certificate issuer, its public
addresses, and where evidence files are kept.

Pages of every feature (and the staff API, and the commands) need these, and features do not import each
other, so they live here. Services never read the app's settings themselves: they are handed these objects.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from skillpath.services.certificates.issuer import Issuer, bind_issuer
from skillpath.services.certificates.urls import PublicUrls
from skillpath.services.progress.evidence_storage import EvidenceStorage, storage_for


def app_issuer() -> Issuer:
    """The issuer as the running app's settings describe it (ISSUER_NAME, PUBLIC_BASE_URL, KEYS_FOLDER)."""
    return Issuer.from_settings(current_app.config, current_app.instance_path)


def app_urls() -> PublicUrls:
    """Every public address a certificate carries, built from PUBLIC_BASE_URL alone (never the request)."""
    return PublicUrls(str(current_app.config["PUBLIC_BASE_URL"]))


def upload_folder() -> Path:
    """Where evidence files are kept: UPLOAD_FOLDER, or ``uploads`` in the instance folder."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def evidence_storage() -> EvidenceStorage:
    """Where evidence files are kept, as EVIDENCE_STORAGE says: the upload folder ("local") or the database."""
    return storage_for(str(current_app.config.get("EVIDENCE_STORAGE") or "local"), folder=upload_folder())


def init_app(app: Flask) -> None:
    """Every page, API call and command passes `app_issuer()` to the services that sign; code that does not
    (tests and benchmark scripts that call a service directly) gets the running app's issuer through this."""
    del app
    bind_issuer(app_issuer)
