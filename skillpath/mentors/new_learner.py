"""Adding a learner: the form, then "Check your answers", then the account and its activation code.

Nothing is written until the mentor confirms on the check page (the GOV.UK check answers pattern).
Between the two, the answers wait in the session, so a Change link brings back the form as it was
typed. Session cookies are signed, not encrypted, and the answers hold a prison number, so they are
encrypted with a key derived from SECRET_KEY (as auth/handover.py does for activation codes).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth import handover
from skillpath.auth.loaders import cohort_for_adding_or_404
from skillpath.auth.policy import mentor_required
from skillpath.forms_common import ConfirmForm
from skillpath.mentors.forms import CreateLearnerForm
from skillpath.mentors.routes import bp
from skillpath.models import Cohort, User
from skillpath.models._types import utcnow
from skillpath.services.learners import accounts
from skillpath.services.learners.accounts import AccountError

_KEY = "new_learner_answers"
_MAX_AGE_SECONDS = 3600
# How recently an account must have been added by this mentor for a second "Add learner" to be its double click.
_DOUBLE_CLICK = timedelta(minutes=2)


@dataclass(frozen=True)
class Answers:
    preferred_name: str
    username: str
    prison_number: str | None
    release_date: date | None

    def as_form_data(self) -> dict[str, object]:
        return asdict(self)


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"skillpath-new-learner-answers:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _remember(cohort: Cohort, answers: Answers) -> None:
    plain = {**asdict(answers), "release_date": answers.release_date.isoformat() if answers.release_date else None}
    token = _fernet().encrypt(json.dumps(plain).encode()).decode()
    session[_KEY] = {"cohort": str(cohort.public_id), "answers": token}


def _recall(cohort: Cohort) -> Answers | None:
    """The answers typed for this cohort in the last hour, or None."""
    state = session.get(_KEY)
    if not (isinstance(state, dict) and state.get("cohort") == str(cohort.public_id)):
        return None
    try:
        plain = json.loads(_fernet().decrypt(str(state.get("answers", "")).encode(), ttl=_MAX_AGE_SECONDS))
        released = plain["release_date"]
        return Answers(
            preferred_name=str(plain["preferred_name"]),
            username=str(plain["username"]),
            prison_number=plain["prison_number"],
            release_date=date.fromisoformat(released) if released else None,
        )
    except (InvalidToken, ValueError, KeyError, TypeError):
        return None


@bp.route("/cohorts/<uuid:cohort_id>/add-learner", methods=["GET", "POST"])
@mentor_required
def learner_new(cohort_id: uuid.UUID) -> str | Response:
    cohort = cohort_for_adding_or_404(cohort_id)
    # A Change link (or the back link) from the check page brings back what was typed; "Add a learner" starts afresh.
    kept = _recall(cohort) if request.args.get("change") else None
    form = CreateLearnerForm(data=kept.as_form_data() if kept else None)
    if form.validate_on_submit():
        try:
            details = accounts.check_learner_details(
                preferred_name=form.preferred_name.data or "",
                username=form.username.data or "",
                prison_number=form.prison_number.data,
            )
        except AccountError as error:
            getattr(form, error.field or "username").errors = [str(error)]
        else:
            answers = Answers(details.preferred_name, details.username, details.prison_number, form.release_date.data)
            _remember(cohort, answers)
            return redirect(url_for("mentors.learner_new_check", cohort_id=cohort.public_id))
    return render_template("mentors/learner_new.html", form=form, cohort=cohort)


@bp.route("/cohorts/<uuid:cohort_id>/add-learner/check", methods=["GET", "POST"])
@mentor_required
def learner_new_check(cohort_id: uuid.UUID) -> str | Response:
    cohort = cohort_for_adding_or_404(cohort_id)
    answers = _recall(cohort)
    if answers is None:
        return redirect(url_for("mentors.learner_new", cohort_id=cohort.public_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        return _add(cohort, answers)
    return render_template("mentors/learner_new_check.html", cohort=cohort, answers=answers, form=form)


def _add(cohort: Cohort, answers: Answers) -> str | Response:
    try:
        account = accounts.create_learner(
            username=answers.username,
            preferred_name=answers.preferred_name,
            cohort=cohort,
            created_by=current_user,
            activation_days=current_app.config["ACTIVATION_CODE_DAYS"],
            prison_number=answers.prison_number,
            release_date=answers.release_date,
        )
    except AccountError as error:
        # Nothing was added: the account went in a savepoint that the clash undid.
        added = _just_added_by_me(answers.username)
        if added is not None:
            # The second click of a double click. The session is left alone: the first click's answer
            # holds the activation code, and the page it redirects to shows it.
            return redirect(url_for("mentors.activation_code", learner_id=added.public_id))
        # Someone else took the username since the form was sent: back to the form, as typed, to choose another.
        form = CreateLearnerForm(formdata=None, data=answers.as_form_data())
        getattr(form, error.field or "username").errors = [str(error)]
        return render_template("mentors/learner_new.html", form=form, cohort=cohort)
    session.pop(_KEY, None)
    handover.remember_code(account.user, account.activation_code)
    return redirect(url_for("mentors.activation_code", learner_id=account.user.public_id))


def _just_added_by_me(username: str) -> User | None:
    user = accounts.find_user_by_username(username)
    if user is None or user.created_by_id != current_user.id or user.created_at < utcnow() - _DOUBLE_CLICK:
        return None
    return user
