"""The people-and-accounts use cases, called as the pages and the staff API call them: each does the whole action,
audits it, and refuses with a DomainError that says what to do (and, for a form, which field it is about)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Cohort,
    Establishment,
    EstablishmentKind,
    SessionEndReason,
    User,
    UserRole,
    UserSession,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.errors import InvalidInput, NotAllowed, NotFound
from skillpath.services.learners import account_closure, accounts, organisations, recovery, sessions, transfers
from skillpath.services.learners.account_closure import CertificateChoice
from skillpath.services.learners.accounts import AccountError, SignInOutcome, Throttle
from skillpath.services.progress.evidence_storage import LocalFolderStorage
from tests import factories
from tests.conftest import sign_in
from tests.helpers import field_errors, location_path, page, post_form

NEW_PASSWORD = "lantern meadow kettle orbit"
MIN_LENGTH = 10
LIMITS = sessions.SessionLimits(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


def _actions(**where: object) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return [str(action) for action in db.session.scalars(query)]


def _live_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None)))
    )


# --- Establishments, cohorts and mentors ----------------------------------------------------------------


def test_creating_an_establishment_adds_it_and_audits_it(admin):
    made = organisations.create_establishment(
        name=" HMP Northfield ", code="nfd", kind=EstablishmentKind.PRISON, by=admin
    )

    assert (made.name, made.code) == ("HMP Northfield", "NFD")
    assert _actions(actor_id=admin.id, object_id=str(made.public_id)) == [AuditAction.ESTABLISHMENT_CREATED]


def test_an_establishment_code_that_is_taken_is_refused_on_the_code_field(admin):
    factories.make_establishment(code="ABC")

    with pytest.raises(AccountError) as refused:
        organisations.create_establishment(name="Another", code="abc", kind=EstablishmentKind.PRISON, by=admin)

    assert refused.value.field == "code"
    assert refused.value.message == "An establishment already has that code. Enter a different code"
    assert isinstance(refused.value, InvalidInput)


def test_only_an_administrator_creates_establishments_and_cohorts(mentor, establishment):
    with pytest.raises(NotAllowed):
        organisations.create_establishment(name="Mine", code="MNE", kind=EstablishmentKind.PRISON, by=mentor)
    with pytest.raises(NotAllowed):
        organisations.create_cohort(establishment=establishment, name="Mine", by=mentor)
    assert db.session.scalar(select(Establishment).where(Establishment.code == "MNE")) is None


def test_creating_a_cohort_audits_it_and_a_second_of_the_same_name_is_refused(admin, establishment):
    cohort = organisations.create_cohort(establishment=establishment, name="Digital skills", by=admin)

    assert _actions(object_type="cohort", object_id=str(cohort.public_id)) == [AuditAction.COHORT_CREATED]
    with pytest.raises(AccountError) as refused:
        organisations.create_cohort(establishment=establishment, name="digital SKILLS", by=admin)
    assert refused.value.field == "name"


def test_assigning_and_removing_a_mentor_is_audited_once_each(admin, cohort):
    mentor = factories.make_mentor(establishment=cohort.establishment)

    assert organisations.assign_mentor_by_id(cohort, str(mentor.public_id), by=admin) == mentor
    assert organisations.assign_mentor(cohort, mentor, by=admin) is False  # a second click changes nothing
    assert organisations.remove_mentor(cohort, mentor, by=admin) is True
    assert organisations.remove_mentor(cohort, mentor, by=admin) is False

    assert _actions(subject_id=mentor.id) == [AuditAction.COHORT_MENTOR_ASSIGNED, AuditAction.COHORT_MENTOR_REMOVED]
    assert organisations.was_removed_lately(cohort, mentor)


@pytest.mark.parametrize("who", ["unknown", "learner", "elsewhere"])
def test_a_mentor_not_on_the_list_is_refused_on_the_mentor_field(admin, cohort, who):
    chosen = {
        "unknown": lambda: str(uuid.uuid4()),
        "learner": lambda: str(factories.make_learner(cohort=cohort).public_id),
        "elsewhere": lambda: str(factories.make_mentor(establishment=factories.make_establishment()).public_id),
    }[who]()

    with pytest.raises(AccountError) as refused:
        organisations.assign_mentor_by_id(cohort, chosen, by=admin)

    assert (refused.value.field, refused.value.message) == ("mentor", "Select a mentor from the list")
    assert AuditAction.COHORT_MENTOR_ASSIGNED not in _actions()


def test_admin_finders_answer_nothing_to_anyone_else(admin, mentor, cohort):
    assert organisations.find_cohort_for_admin(admin, cohort.public_id) == cohort
    assert organisations.find_cohort_for_admin(mentor, cohort.public_id) is None
    assert organisations.find_establishment_for_admin(mentor, cohort.establishment.public_id) is None
    assert organisations.find_staff_for_admin(admin, mentor.public_id) == mentor
    assert organisations.find_staff_for_admin(admin, factories.make_learner(cohort=cohort).public_id) is None


# --- Staff accounts and activation ------------------------------------------------------------------------


def test_creating_a_staff_account_gives_a_code_that_activates_it(admin, establishment):
    account = accounts.create_staff(
        username="New.Mentor",
        display_name="Nia Mentor",
        role=UserRole.MENTOR,
        establishment=establishment,
        email=None,
        is_establishment_lead=False,
        created_by=admin,
        activation_days=7,
    )

    assert account.user.username == "new.mentor" and account.user.needs_activation
    assert _actions(subject_id=account.user.id) == [AuditAction.ACCOUNT_STAFF_CREATED]
    assert accounts.check_activation_code("new.mentor", account.activation_code, ip=None) == account.user


def test_only_an_administrator_creates_staff_accounts(mentor, establishment):
    with pytest.raises(NotAllowed):
        accounts.create_staff(
            username="sneaky",
            display_name="Sneaky",
            role=UserRole.ADMIN,
            establishment=None,
            email=None,
            is_establishment_lead=False,
            created_by=mentor,
            activation_days=7,
        )
    assert accounts.find_user_by_username("sneaky") is None


def test_activating_sets_the_password_starts_a_session_and_is_audited(app, establishment):
    user = factories.make_mentor(establishment=establishment, password=None)
    code = accounts.reissue_activation_code(user, by=factories.make_admin(), activation_days=7)

    accounts.activate_account(user, NEW_PASSWORD, min_length=MIN_LENGTH, user_agent="Firefox/1 (Windows)")

    assert not user.needs_activation and user.activation_code_hash is None
    assert [row.device for row in _live_sessions(user)] == ["Firefox on Windows"]
    assert accounts.check_activation_code(user.username, code, ip=None) is None  # used up
    assert AuditAction.AUTH_ACTIVATION_COMPLETED in _actions(subject_id=user.id)


def test_a_weak_first_password_is_refused_on_the_password_field_and_changes_nothing(establishment):
    user = factories.make_mentor(establishment=establishment, password=None)
    accounts.reissue_activation_code(user, by=factories.make_admin(), activation_days=7)

    with pytest.raises(AccountError) as refused:
        accounts.activate_account(user, "short", min_length=MIN_LENGTH)

    assert refused.value.field == "password"
    assert user.needs_activation and _live_sessions(user) == []


def test_a_mentor_cannot_reissue_a_code_for_a_learner_they_do_not_mentor(mentor):
    stranger = factories.make_learner()

    with pytest.raises(NotAllowed):
        accounts.reissue_activation_code(stranger, by=mentor, activation_days=7)
    assert _actions(subject_id=stranger.id) == []


# --- Signing in and out, and sessions ---------------------------------------------------------------------


def test_signing_in_starts_a_session_and_is_audited(learner):
    result = accounts.sign_in(learner.username, factories.PASSWORD, throttle=Throttle(), ip="10.0.0.1")

    assert result.outcome == SignInOutcome.OK and result.user == learner
    assert len(_live_sessions(learner)) == 1
    assert _actions(subject_id=learner.id) == [AuditAction.AUTH_SIGNIN_SUCCEEDED]


def test_a_wrong_password_is_counted_and_audited_and_starts_no_session(learner):
    result = accounts.sign_in(learner.username, "wrong", throttle=Throttle(), ip=None)

    assert result.outcome == SignInOutcome.BAD_CREDENTIALS and not result.trusted_browser
    assert learner.failed_logins == 1 and _live_sessions(learner) == []
    assert _actions(subject_id=learner.id) == [AuditAction.AUTH_SIGNIN_FAILED]


def test_a_wrong_password_from_a_trusted_browser_is_not_counted(learner):
    result = accounts.sign_in(learner.username, "wrong", throttle=Throttle(), is_trusted=lambda user: True, ip=None)

    assert result.trusted_browser and learner.failed_logins == 0


def test_signing_out_and_ending_other_sessions_are_audited(learner):
    here = sessions.start_session(learner)
    elsewhere = sessions.start_session(learner)
    third = sessions.start_session(learner)

    assert sessions.end_other_session(learner, elsewhere.public_id, current=here) == elsewhere
    assert sessions.end_other_session(learner, elsewhere.public_id, current=here) is None  # already ended
    assert sessions.end_other_sessions(learner, keep=here) == 1
    sessions.sign_out(learner, here)

    db.session.refresh(third)
    assert _live_sessions(learner) == [] and third.ended_reason == SessionEndReason.ENDED_ELSEWHERE
    assert _actions(subject_id=learner.id) == [
        AuditAction.AUTH_SESSION_ENDED_ELSEWHERE,
        AuditAction.AUTH_SESSION_ENDED_OTHERS,
        AuditAction.AUTH_SESSION_SIGNED_OUT,
    ]


def test_ending_this_session_or_someone_elses_is_not_found(learner, mentor):
    here = sessions.start_session(learner)
    theirs = sessions.start_session(mentor)

    for session_id in (here.public_id, theirs.public_id, uuid.uuid4()):
        with pytest.raises(NotFound):
            sessions.end_other_session(learner, session_id, current=here)
    assert theirs.ended_at is None


def test_resuming_marks_a_session_in_use_at_most_once_a_minute(learner):
    row = sessions.start_session(learner)
    cookie = learner.get_id()
    now = utcnow()

    assert sessions.resume_session(cookie, LIMITS, now + timedelta(seconds=10)).changed is False
    later = sessions.resume_session(cookie, LIMITS, now + timedelta(minutes=2))
    assert later.user == learner and later.changed and row.last_seen_at == now + timedelta(minutes=2)


def test_resuming_an_idle_session_ends_it_once(learner):
    row = sessions.start_session(learner)
    cookie = learner.get_id()
    idle = utcnow() + timedelta(minutes=31)

    first = sessions.resume_session(cookie, LIMITS, idle)
    second = sessions.resume_session(cookie, LIMITS, idle)

    assert (first.user, first.ended, first.changed) == (None, SessionEndReason.IDLE, True)
    assert (second.user, second.ended, second.changed) == (None, SessionEndReason.IDLE, False)
    assert row.ended_reason == SessionEndReason.IDLE


def test_changing_a_password_ends_the_other_sessions_and_is_audited(learner):
    here = sessions.start_session(learner)
    sessions.start_session(learner)
    learner.current_session = here

    accounts.change_password(learner, factories.PASSWORD, NEW_PASSWORD, min_length=MIN_LENGTH)

    assert _live_sessions(learner) == [here]
    assert AuditAction.AUTH_PASSWORD_CHANGED in _actions(subject_id=learner.id)


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [("wrong password", NEW_PASSWORD, "current_password"), (factories.PASSWORD, "short", "password")],
)
def test_a_password_change_is_refused_on_the_field_that_is_wrong(learner, current, new, field):
    before = learner.password_hash

    with pytest.raises(AccountError) as refused:
        accounts.change_password(learner, current, new, min_length=MIN_LENGTH)

    assert refused.value.field == field
    assert learner.password_hash == before and AuditAction.AUTH_PASSWORD_CHANGED not in _actions()


# --- Recovery after release, contact details and closing ------------------------------------------------------


def test_a_learner_makes_their_own_recovery_code_and_it_is_audited(learner):
    code = recovery.issue_recovery_code(learner, by=learner)

    assert len(code) == 19 and learner.recovery_code_hash is not None
    assert _actions(subject_id=learner.id) == [AuditAction.ACCOUNT_RECOVERY_CODE_ISSUED]


def test_nobody_else_makes_a_recovery_code_for_a_learner(learner):
    with pytest.raises(NotAllowed):
        recovery.issue_recovery_code(learner, by=factories.make_learner())
    with pytest.raises(NotAllowed):
        recovery.issue_recovery_code(learner, by=factories.make_mentor(establishment=factories.make_establishment()))


def test_an_administrator_gives_a_code_only_to_a_released_learner(admin, mentor, learner):
    with pytest.raises(AccountError) as refused:
        recovery.give_recovery_code(learner.username, by=admin)
    assert (
        refused.value.message == "This learner has not been released. Their mentor can give them a new activation code"
    )

    transfers.record_release(learner, by=mentor)
    given, code = recovery.give_recovery_code(learner.username, by=admin)

    assert given == learner and code
    assert AuditAction.ACCOUNT_RECOVERY_CODE_ISSUED in _actions(actor_id=admin.id, subject_id=learner.id)
    with pytest.raises(NotAllowed):
        recovery.give_recovery_code(learner.username, by=mentor)


def test_recovering_with_a_weak_password_is_refused_before_anything_is_counted(learner):
    recovery.set_date_of_birth(learner, date(1990, 3, 27), by=learner)
    code = recovery.issue_recovery_code(learner, by=learner)

    with pytest.raises(AccountError) as refused:
        recovery.recover(
            learner.username, code, date(1990, 3, 27), "short", throttle=Throttle(), ip=None, min_length=10
        )

    assert refused.value.field == "password" and learner.recovery_failures == 0
    assert AuditAction.AUTH_RECOVERY_FAILED not in _actions()


def test_recovering_sets_the_password_uses_up_the_code_and_starts_a_session(learner):
    recovery.set_date_of_birth(learner, date(1990, 3, 27), by=learner)
    code = recovery.issue_recovery_code(learner, by=learner)

    result = recovery.recover(
        learner.username, code, date(1990, 3, 27), NEW_PASSWORD, throttle=Throttle(), ip=None, min_length=10
    )

    assert result.outcome == recovery.RecoveryOutcome.OK and learner.recovery_code_hash is None
    assert len(_live_sessions(learner)) == 1
    assert AuditAction.AUTH_RECOVERY_COMPLETED in _actions(subject_id=learner.id)


def test_changing_contact_details_is_audited_without_the_values(learner):
    assert recovery.set_contact(learner, email="me@example.com", phone=" 07700  900982 ", by=learner) is True
    assert recovery.set_contact(learner, email="me@example.com", phone="07700 900982", by=learner) is False

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.ACCOUNT_CONTACT_CHANGED))
    assert event is not None and event.detail is None
    assert (learner.email, learner.phone) == ("me@example.com", "07700 900982")


def test_closing_needs_the_password_and_then_closes_and_audits(app, learner, tmp_path):
    with pytest.raises(AccountError) as refused:
        account_closure.close_own_account(
            learner,
            password="not mine",
            certificates=CertificateChoice.KEEP,
            evidence_storage=LocalFolderStorage(tmp_path),
        )
    assert refused.value.field == "password" and learner.is_enabled

    closure = account_closure.close_own_account(
        learner,
        password=factories.PASSWORD,
        certificates=CertificateChoice.KEEP,
        evidence_storage=LocalFolderStorage(tmp_path),
    )

    assert closure.certificates_kept == 0 and not learner.is_enabled
    assert AuditAction.ACCOUNT_CLOSED in _actions(subject_id=learner.id)


def test_staff_cannot_close_their_account_as_a_learner_does(mentor, tmp_path):
    with pytest.raises(NotAllowed):
        account_closure.close_own_account(
            mentor,
            password=factories.PASSWORD,
            certificates=CertificateChoice.KEEP,
            evidence_storage=LocalFolderStorage(tmp_path),
        )


# --- On the pages: refusals become messages, and what must be kept is kept ---------------------------------------


def test_a_weak_new_password_is_shown_beside_the_new_password_field(learner, learner_client):
    before = learner.password_hash
    response = post_form(
        learner_client,
        "/account/change-password",
        {"current_password": factories.PASSWORD, "password": "short", "confirm": "short"},
    )

    assert response.status_code == 200
    error = page(response).select_one("#password-error")
    assert error is not None and "characters" in error.get_text()
    assert db.session.get(User, learner.id).password_hash == before


def test_a_session_that_types_too_many_wrong_passwords_is_signed_out(app, learner, learner_client):
    before = learner.password_hash
    session_row = learner.current_session
    new = "a brand new passphrase"
    answers = {"current_password": "a wrong guess", "password": new, "confirm": new}
    most = app.config["PASSWORD_RECHECK_LIMIT"]
    for _ in range(most - 1):
        response = post_form(learner_client, "/account/change-password", answers)
        assert response.status_code == 200
        assert field_errors(response) == ["Your current password is wrong. Check it and try again"]

    # The last wrong one ends this session: the browser is signed out and told why.
    response = post_form(learner_client, "/account/change-password", answers)
    assert location_path(response) == "/sign-in"
    signed_out = learner_client.get("/sign-in")
    assert "we signed you out to keep your account safe" in signed_out.get_data(as_text=True)
    assert location_path(learner_client.get("/account/change-password")).startswith("/sign-in")
    db.session.expire_all()
    assert db.session.get(User, learner.id).password_hash == before
    assert db.session.get(UserSession, session_row.id).ended_reason == SessionEndReason.WRONG_PASSWORDS
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == learner.id)).all()
    assert actions.count("auth.password.recheck_failed") == most
    assert actions.count("auth.session.ended_wrong_passwords") == 1


def test_a_session_at_its_limit_is_signed_out_without_its_password_being_checked(app, learner, learner_client):
    # As when requests sent at once have used up the session's tries: each try is claimed before the check.
    session_row = learner.current_session
    session_row.wrong_passwords = app.config["PASSWORD_RECHECK_LIMIT"]
    db.session.flush()
    new = "a brand new passphrase"
    answers = {"current_password": factories.PASSWORD, "password": new, "confirm": new}
    before = learner.password_hash

    assert location_path(post_form(learner_client, "/account/change-password", answers)) == "/sign-in"
    db.session.expire_all()
    assert db.session.get(User, learner.id).password_hash == before


def test_a_strangers_wrong_guesses_at_sign_in_never_stop_the_owner_changing_their_password(learner, learner_client):
    learner.failed_logins, learner.throttled_until = 50, utcnow() + timedelta(minutes=1)  # sign-in is waiting
    db.session.flush()
    new = "a brand new passphrase"
    answers = {"current_password": "a wrong guess", "password": new, "confirm": new}
    post_form(learner_client, "/account/change-password", answers)  # one slip by the owner: the count is per session

    response = post_form(learner_client, "/account/change-password", answers | {"current_password": factories.PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert accounts.verify_secret(db.session.get(User, learner.id).password_hash, new)
    assert db.session.get(UserSession, learner.current_session.id).wrong_passwords == 0  # a right one clears it


def test_a_cohort_name_in_use_is_shown_beside_the_name_field(admin_client, cohort):
    response = post_form(
        admin_client, f"/admin/establishments/{cohort.establishment.public_id}/cohorts/new", {"name": cohort.name}
    )

    assert response.status_code == 200
    assert field_errors(response) == ["This establishment already has a cohort with that name. Enter a different name"]
    assert db.session.scalar(select(Cohort).where(Cohort.name == cohort.name).where(Cohort.id != cohort.id)) is None


def test_the_session_is_marked_in_use_even_on_a_page_that_is_not_found(app, learner):
    client = sign_in(app.test_client(), learner)
    row = learner.current_session
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.flush()

    assert client.get(f"/admin/cohorts/{uuid.uuid4()}").status_code in (403, 404)

    db.session.expire_all()
    assert db.session.get(UserSession, row.id).last_seen_at > utcnow() - timedelta(minutes=1)
