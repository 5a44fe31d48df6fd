"""Signing in and out, first-time activation, passwords, sessions, and getting back in after release."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from skillpath import transactions
from skillpath.auth import devices, handover, rechecks
from skillpath.auth.forms import (
    ActivateForm,
    AdminRecoveryForm,
    ChangePasswordForm,
    ChoosePasswordForm,
    ContactForm,
    DateOfBirthForm,
    RecoverForm,
    SignInForm,
)
from skillpath.auth.policy import admin_required, learner_required, public, signed_in
from skillpath.forms_common import ConfirmForm
from skillpath.i18n import _, ngettext
from skillpath.models import User
from skillpath.models._types import utcnow
from skillpath.services.errors import DomainError, NotFound
from skillpath.services.learners import accounts, recovery, sessions
from skillpath.services.learners.accounts import SignInOutcome
from skillpath.web import limiter

bp = Blueprint("auth", __name__)

_ACTIVATION_KEY = "activating"
_RECOVERY = "recovery"
_ACTIVATION_WINDOW = timedelta(minutes=15)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _address_limit() -> str:
    return str(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])


def _address_and_username() -> str:
    # A whole prison may share one address, so the tight limit is per address *and* username;
    # a looser one per address stops one machine guessing across many accounts. A browser the
    # account has signed in on before has a bucket of its own, so a stranger cannot use it up.
    username = (request.form.get("username") or "").strip().lower()[:40]
    return f"{request.remote_addr}|{username}|{devices.browser_key(request)}"


def _throttle() -> accounts.Throttle:
    return accounts.Throttle.from_config(current_app.config)


def _user_agent() -> str | None:
    return request.headers.get("User-Agent")


def _log_in(user: User) -> None:
    """Give this browser a fresh cookie naming the server-side session the use case just started."""
    session.clear()
    login_user(user)
    after_this_request(lambda response: _remember_browser(response, user))


def _wait_message_for_recovery(wait: timedelta | None) -> str:
    return ngettext(
        "Too many wrong tries for this account. Wait %(num)d second, then try again. "
        "If you have forgotten your password, ask your mentor for a new activation code",
        "Too many wrong tries for this account. Wait %(num)d seconds, then try again. "
        "If you have forgotten your password, ask your mentor for a new activation code",
        accounts.wait_seconds(wait),
    )


def _show_error(form: FlaskForm, error: DomainError, default_field: str) -> None:
    """Put a use case's refusal beside the field it is about (or the form's main field)."""
    getattr(form, error.field or default_field).errors = [error.message]


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
            throttle=_throttle(),
            is_trusted=lambda user: devices.is_trusted(request, user),
            ip=request.remote_addr,
            user_agent=_user_agent(),
        )
        transactions.keep_on_error()  # a refusal is counted and audited, whatever the page answers
        if result.outcome == SignInOutcome.OK and result.user is not None:
            _log_in(result.user)
            return redirect(_safe_next(request.args.get("next")) or home_for(result.user))
        if result.trusted_browser and result.outcome == SignInOutcome.BAD_CREDENTIALS and result.user is not None:
            wrong_user = result.user
            after_this_request(lambda response: _forget_browser(response, wrong_user))
        if result.outcome == SignInOutcome.NEEDS_ACTIVATION:
            flash(_("This account is not set up yet. Enter the activation code your mentor gave you."), "info")
            return redirect(url_for("auth.activate"))
        _explain_refusal(form, result)
    return render_template("auth/sign_in.html", form=form)


def _explain_refusal(form: SignInForm, result: accounts.SignInResult) -> None:
    if result.outcome == SignInOutcome.THROTTLED:
        form.password.errors = [accounts.wait_message(result.wait)]
    elif result.outcome == SignInOutcome.DISABLED:
        form.username.errors = [_("This account has been closed. Ask your mentor or administrator for help")]
    else:
        form.password.errors = [_("The username or password is wrong. Check them and try again")]


def _remember_browser(response: Response, user: User) -> Response:
    devices.remember(request, response, user)
    return response


def _forget_browser(response: Response, user: User) -> Response:
    devices.forget(request, response, user)
    return response


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    sessions.sign_out(current_user, current_user.current_session)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/sessions")
@signed_in
def list_sessions() -> str:
    rows = sessions.list_live_sessions(current_user, sessions.SessionLimits.from_config(current_app.config))
    return render_template(
        "auth/sessions.html", rows=rows, this_session=current_user.current_session, form=ConfirmForm()
    )


@bp.route("/account/sessions/<uuid:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id: uuid.UUID) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ended = sessions.end_other_session(current_user, session_id, current=current_user.current_session)
    except NotFound:
        abort(404)
    if ended is not None:
        if ended.device:
            flash(_("You have signed out of %(device)s.", device=ended.device), "success")
        else:
            flash(_("You have signed out of that browser."), "success")
    return redirect(url_for("auth.list_sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@signed_in
def end_other_sessions() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = sessions.end_other_sessions(current_user, keep=current_user.current_session)
    if ended:
        flash(_("You are now signed out everywhere else."), "success")
    else:
        flash(_("You were not signed in anywhere else."), "success")
    return redirect(url_for("auth.list_sessions"))


@bp.route("/account/keep-signed-in", methods=["POST"])
@signed_in
def keep_signed_in() -> Response | tuple[dict[str, object], int]:
    """The 'Stay signed in' button of the inactivity warning: counts as using SkillPath."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sessions.keep_alive(current_user.current_session)
    if request.accept_mimetypes.best == "application/json":
        return {"status": "ok"}, 200
    return redirect(_safe_next(request.form.get("next")) or home_for(current_user))


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
        transactions.keep_on_error()  # a wrong code is audited, whatever the page answers
        if user is not None:
            session[_ACTIVATION_KEY] = {"user": str(user.public_id), "at": utcnow().isoformat()}
            return redirect(url_for("auth.choose_password"))
        form.activation_code.errors = [
            _(
                "The username or activation code is wrong, or the code has run out. "
                "Check them and try again, or ask your mentor for a new code"
            )
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
        flash(_("Enter your username and activation code first."), "info")
        return redirect(url_for("auth.activate"))
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.activate_account(
                user,
                form.password.data or "",
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                user_agent=_user_agent(),
            )
        except DomainError as error:
            _show_error(form, error, "password")
        else:
            _log_in(user)
            flash(_("Your password is saved. You are now signed in."), "success")
            return redirect(home_for(user))
    return render_template("auth/choose_password.html", form=form, user=user)


@bp.route("/account/change-password", methods=["GET", "POST"])
@signed_in
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user,
                form.current_password.data or "",
                form.password.data or "",
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                most_wrong=rechecks.most_wrong(),
                ip=request.remote_addr,
            )
        except accounts.SignedOutForWrongPasswords:
            return rechecks.signed_out_for_wrong_passwords()
        except DomainError as error:
            transactions.keep_on_error()  # a wrong password is counted and audited, whatever the page answers
            _show_error(form, error, "current_password")
        else:
            flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
            return redirect(home_for(current_user))
    return render_template("auth/change_password.html", form=form)


# --- Getting back in after release -----------------------------------------------------------------


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_address_and_username)
@limiter.limit(_address_limit, methods=["POST"])
@public
def recover() -> str | Response:
    """A learner who has forgotten their password gets back in with their recovery code and date of birth."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RecoverForm()
    if form.validate_on_submit():
        try:
            result = recovery.recover(
                form.username.data or "",
                form.recovery_code.data or "",
                form.date_of_birth.data,
                form.password.data or "",
                throttle=_throttle(),
                ip=request.remote_addr,
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                user_agent=_user_agent(),
            )
        except DomainError as error:
            _show_error(form, error, "password")
            return render_template("auth/recover.html", form=form)
        transactions.keep_on_error()  # a wrong try is counted and audited, whatever the page answers
        if result.outcome == recovery.RecoveryOutcome.OK and result.user is not None:
            _log_in(result.user)
            flash(
                _("Your new password is saved and you are signed in. Your recovery code has been used up."), "success"
            )
            return redirect(url_for("auth.getting_back_in"))
        if result.outcome == recovery.RecoveryOutcome.THROTTLED:
            form.recovery_code.errors = [_wait_message_for_recovery(result.wait)]
        else:
            # One message whatever was wrong: it must not tell a stranger which part they got right.
            form.recovery_code.errors = [
                _("The details do not match. Check your username, recovery code and date of birth, then try again")
            ]
    return render_template("auth/recover.html", form=form)


def _getting_back_in_page(**forms: object) -> str:
    """The page, with any form that was just sent (and its errors, as `form`, for the error summary)."""
    return render_template(
        "auth/getting_back_in.html",
        has_check=current_user.recovery_check_hash is not None,
        has_code=current_user.recovery_code_hash is not None,
        date_form=forms.get("date_form") or DateOfBirthForm(),
        code_form=ConfirmForm(),
        contact_form=forms.get("contact_form")
        or ContactForm(data={"email": current_user.email, "phone": current_user.phone}),
        **({"form": forms["form"]} if "form" in forms else {}),
    )


@bp.route("/account/getting-back-in")
@learner_required
def getting_back_in() -> str:
    return _getting_back_in_page()


@bp.route("/account/getting-back-in/contact", methods=["POST"])
@learner_required
def save_contact() -> str | Response:
    form = ContactForm()
    if not form.validate_on_submit():
        return _getting_back_in_page(contact_form=form, form=form)
    if recovery.set_contact(current_user, email=form.email.data, phone=form.phone.data, by=current_user):
        flash(_("Your contact details are saved."), "success")
    return redirect(url_for("auth.getting_back_in"))


@bp.route("/account/getting-back-in/date-of-birth", methods=["POST"])
@learner_required
def save_date_of_birth() -> str | Response:
    form = DateOfBirthForm()
    if not form.validate_on_submit():
        return _getting_back_in_page(date_form=form, form=form)
    born_on = form.date_of_birth.data
    assert born_on is not None  # the form requires it
    recovery.set_date_of_birth(current_user, born_on, by=current_user)
    flash(_("Your date of birth is saved. It is only used to check it is you."), "success")
    return redirect(url_for("auth.getting_back_in"))


@bp.route("/account/getting-back-in/new-code", methods=["POST"])
@learner_required
def new_recovery_code() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = recovery.issue_recovery_code(current_user, by=current_user)
    handover.remember_code(current_user, code, kind=_RECOVERY)
    return redirect(url_for("auth.show_recovery_code"))


@bp.route("/account/getting-back-in/your-code")
@learner_required
def show_recovery_code() -> str | Response:
    code = handover.take_code(current_user, kind=_RECOVERY)
    if code is None:
        flash(_("A recovery code is shown only once. If you did not keep it, make a new one."), "info")
        return redirect(url_for("auth.getting_back_in"))
    return render_template("auth/recovery_code.html", code=code, learner=current_user, for_staff=False)


@bp.route("/staff/recovery-code", methods=["GET", "POST"])
@admin_required
def staff_recovery_code() -> str | Response:
    """An administrator gives a released learner a fresh recovery code (mentors in prisons cannot)."""
    form = AdminRecoveryForm()
    if form.validate_on_submit():
        try:
            learner, code = recovery.give_recovery_code(form.username.data or "", by=current_user)
        except DomainError as error:
            _show_error(form, error, "username")
        else:
            handover.remember_code(learner, code, kind=_RECOVERY)
            return redirect(url_for("auth.staff_show_recovery_code", learner_id=learner.public_id))
    return render_template("auth/staff_recovery_code.html", form=form)


@bp.route("/staff/recovery-code/<uuid:learner_id>")
@admin_required
def staff_show_recovery_code(learner_id: uuid.UUID) -> str | Response:
    learner = accounts.find_user_by_public_id(learner_id)
    code = handover.take_code(learner, kind=_RECOVERY) if learner is not None else None
    if learner is None or code is None:
        flash(_("A recovery code is shown only once. Give a new one if it was not passed on."), "info")
        return redirect(url_for("auth.staff_recovery_code"))
    return render_template("auth/recovery_code.html", code=code, learner=learner, for_staff=True)
