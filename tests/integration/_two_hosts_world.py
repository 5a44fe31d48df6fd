"""A small world for the two-host test, built in its own database by a separate process.

Run as ``python -m tests.integration._two_hosts_world`` with the same environment the two servers get
(SKILLPATH_ENV=production, DATABASE_URL, KEYS_FOLDER, ...). It brings the empty database up to date with
the real migrations, makes the issuer's signing keys in the shared key folder, adds one mentor and one
learner in the mentor's cohort (with a module started and a module signed off with its certificate), and
prints what the test needs as one JSON object. A process of its own keeps the test run's app, database
session and logging untouched.
"""

from __future__ import annotations

import json
import sys

from flask_migrate import upgrade

from skillpath import create_app
from skillpath.extensions import db
from skillpath.services.certificates import certificates
from skillpath.services.progress import progress
from skillpath.settings import app_issuer
from tests import factories


def build() -> dict[str, str]:
    cohort = factories.make_cohort()
    mentor = factories.make_mentor(cohorts=[cohort], username="hosts-mentor")
    job = factories.make_role_level()
    learner = factories.make_learner(cohort=cohort, username="hosts-learner", target_role_level=job)
    started = factories.make_module(units=1)
    progress.enrol(learner, started, actor=learner)
    finished = factories.make_module(units=1)
    done = progress.enrol(learner, finished, actor=learner)
    progress.sign_off(done, mentor=mentor)
    issuer = app_issuer()
    issuer.keys.generate()
    issuer.es256_keys.generate()
    certificate = certificates.issue_module_certificate(done, mentor=mentor, issuer=issuer)
    db.session.commit()
    return {
        "password": factories.PASSWORD,
        "mentor": mentor.username,
        "learner": learner.username,
        "learner_id": str(learner.public_id),
        "module_code": started.code,
        "certificate_id": str(certificate.public_id),
        "certificate_code": certificate.display_code,
    }


def main() -> None:
    # Hashing at full strength takes long on a busy machine; the servers check these hashes all the same.
    app = create_app("production", ARGON2_FAST=True)
    with app.app_context():
        upgrade()
        world = build()
    sys.stdout.write(json.dumps(world) + "\n")


if __name__ == "__main__":
    main()
