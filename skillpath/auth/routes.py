"""Signing in and out, first-time activation, and changing a password."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from skillpath.auth.forms import ActivateForm, ChangePasswordForm, ChoosePasswordForm, SignInForm
from skillpath.auth.passwords import password_problem
from skillpath.auth.policy import public, signed_in
from skillpath.extensions import db, limiter
from skillpath.models import User
from skillpath.models._types import utcnow
from skillpath.services import accounts
from skillpath.services.accounts import SignInOutcome

bp = Blueprint("auth", __name__)

_ACTIVATION_KEY = "activating"
_ACTIVATION_WINDOW = timedelta(minutes=15)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _address_limit() -> str:
    return str(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])


def _address_and_username() -> str:
    # A whole prison may share one address, so the tight limit is per address *and* username;
    # a looser one per address stops one machine guessing across many accounts.
    return f"{request.remote_addr}|{(request.form.get('username') or '').strip().lower()[:40]}"


def home_for(user: User) -> str:
    if user.is_learner:
        return url_for("learners.home")
    if user.is_mentor:
        return url_for("mentors.home")
    return url_for("admin.home")


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: never an open redirect. Browsers drop tabs and newlines
    # from URLs, so "/\t/evil.example" would become "//evil.example": refuse any such character.
    if not target or any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_address_and_username)
@limiter.limit(_address_limit, methods=["POST"])
@public
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        result = accounts.sign_in(
            form.username.data or "",
            form.password.data or "",
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            ip=request.remote_addr,
        )
        db.session.commit()
        if result.outcome == SignInOutcome.OK and result.user is not None:
            session.clear()
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or home_for(result.user))
        if result.outcome == SignInOutcome.NEEDS_ACTIVATION:
            flash("This account is not set up yet. Enter the activation code your mentor gave you.", "info")
            return redirect(url_for("auth.activate"))
        if result.outcome == SignInOutcome.LOCKED:
            form.password.errors = [
                f"Too many wrong passwords. Wait {current_app.config['LOGIN_LOCK_MINUTES']} minutes, then try again, "
                "or ask your mentor for a new activation code"
            ]
        elif result.outcome == SignInOutcome.DISABLED:
            form.username.errors = ["This account has been closed. Ask your mentor or administrator for help"]
        else:
            form.password.errors = ["The username or password is wrong. Check them and try again"]
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_address_and_username)
@limiter.limit(_address_limit, methods=["POST"])
@public
def activate() -> str | Response:
    form = ActivateForm()
    if form.validate_on_submit():
        user = accounts.check_activation_code(
            form.username.data or "", form.activation_code.data or "", ip=request.remote_addr
        )
        db.session.commit()
        if user is not None:
            session[_ACTIVATION_KEY] = {"user": str(user.public_id), "at": utcnow().isoformat()}
            return redirect(url_for("auth.choose_password"))
        form.activation_code.errors = [
            "The username or activation code is wrong, or the code has run out. "
            "Check them and try again, or ask your mentor for a new code"
        ]
    return render_template("auth/activate.html", form=form)


def _user_being_activated() -> User | None:
    state = session.get(_ACTIVATION_KEY)
    if not isinstance(state, dict):
        return None
    try:
        started = datetime.fromisoformat(state["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow() - started > _ACTIVATION_WINDOW:
        return None
    user = accounts.find_user_by_public_id(state.get("user"))
    if user is None or user.activation_code_hash is None:
        return None
    return user


@bp.route("/activate/choose-password", methods=["GET", "POST"])
@public
def choose_password() -> str | Response:
    user = _user_being_activated()
    if user is None:
        session.pop(_ACTIVATION_KEY, None)
        flash("Enter your username and activation code first.", "info")
        return redirect(url_for("auth.activate"))
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        problem = password_problem(
            form.password.data or "", username=user.username, min_length=current_app.config["PASSWORD_MIN_LENGTH"]
        )
        if problem:
            form.password.errors = [problem]
        else:
            accounts.complete_activation(user, form.password.data or "")
            db.session.commit()
            session.clear()
            login_user(user)
            flash("Your password is saved. You are now signed in.", "success")
            return redirect(home_for(user))
    return render_template("auth/choose_password.html", form=form, user=user)


@bp.route("/account/change-password", methods=["GET", "POST"])
@signed_in
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = password_problem(
            form.password.data or "",
            username=current_user.username,
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
        if problem:
            form.password.errors = [problem]
        else:
            try:
                accounts.change_password(current_user, form.current_password.data or "", form.password.data or "")
            except accounts.AccountError as error:
                form.current_password.errors = [str(error)]
            else:
                db.session.commit()
                user = current_user._get_current_object()
                session.clear()
                login_user(user)  # this session carries the new token; all others end
                flash("Your password has been changed. You have been signed out everywhere else.", "success")
                return redirect(home_for(user))
    return render_template("auth/change_password.html", form=form)
