"""The certificate and share-link use cases as the pages and the staff API call them: each one's effect, its
audit event, and the domain error that refuses it (and how a page shows that error)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Certificate, ShareLinkView, User
from skillpath.models.audit import AuditAction
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import sharing
from skillpath.services.certificates.downloads import FileFormat, download_certificate
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.certificates.sharing import new_token
from skillpath.services.certificates.urls import PublicUrls
from skillpath.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests import factories
from tests.helpers import error_summary, page, post_form
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate


@pytest.fixture
def issuer(app, tmp_path, monkeypatch) -> Issuer:
    """The issuer of these tests: its own key folder, a public address and a name."""
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    return Issuer.from_settings(app.config, app.instance_path)


@pytest.fixture
def fonts(app) -> Path:
    return Path(app.static_folder or "static") / "dist" / "fonts"


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _stranger() -> User:
    """A mentor of another cohort: staff, but not this learner's."""
    return factories.make_mentor(cohorts=[factories.make_cohort()])


# --- The issuer and its addresses -------------------------------------------------------------------


def test_the_issuer_is_built_from_plain_settings_without_flask(tmp_path):
    settings = {"ISSUER_NAME": "Northbridge", "PUBLIC_BASE_URL": "https://x.example/", "KEYS_AUTO_GENERATE": True}
    issuer = Issuer.from_settings(settings, tmp_path)

    assert issuer.name == "Northbridge" and issuer.urls.base_url == "https://x.example"
    assert issuer.keys_folder == tmp_path / "keys"  # KEYS_FOLDER unset: the instance folder's keys
    assert issuer.signing_key().kid == issuer.keys.current_kid()  # made on first use, as auto-generation allows
    assert issuer.es256_signing_key().kid == issuer.es256_keys.current_kid()


def test_the_public_addresses_are_the_apps_own_routes(app):
    urls = PublicUrls("https://skills.example.org/")
    adapter = app.url_map.bind("skills.example.org", url_scheme="https")
    list_id = uuid.uuid4()
    kid = "A" * 43
    expected = {
        urls.home(): adapter.build("main.index", force_external=True),
        urls.verify_home(): adapter.build("verify.index", force_external=True),
        urls.verify_code("SP-7Q4K-29XD-M3HW"): adapter.build(
            "verify.certificate", {"code": "SP-7Q4K-29XD-M3HW"}, force_external=True
        ),
        urls.printable("SP-7Q4K-29XD-M3HW"): adapter.build(
            "verify.printable", {"code": "SP-7Q4K-29XD-M3HW"}, force_external=True
        ),
        urls.issuer_profile(): adapter.build("verify.issuer_profile", force_external=True),
        urls.issuer_key(kid): adapter.build("verify.issuer_key", {"kid": kid}, force_external=True),
        urls.jwks(): adapter.build("verify.jwks", force_external=True),
        urls.status_list(list_id, kid): adapter.build(
            "credentials.status_list", {"list_id": list_id, "key_id": kid}, force_external=True
        ),
        urls.problem_type("invalid-code"): adapter.build(
            "verify.problem_type", {"slug": "invalid-code"}, force_external=True
        ),
        urls.share("abc_DEF-123"): adapter.build("sharing.shared", {"token": "abc_DEF-123"}, force_external=True),
    }
    for ours, routed in expected.items():
        assert ours == routed


# --- Withdrawing -------------------------------------------------------------------------------------


def test_withdrawing_a_certificate_records_who_and_why_and_its_audit_event(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    service.withdraw_certificate(certificate, by=mentor, reason="  Signed off by mistake ")

    assert certificate.is_revoked and certificate.revocation_reason == "Signed off by mistake"
    assert certificate.revoked_by_id == mentor.id
    [event] = _events(AuditAction.CERTIFICATE_REVOKED)
    assert (event.actor_id, event.subject_id, event.object_id) == (mentor.id, learner.id, str(certificate.public_id))


def test_withdrawing_twice_is_a_conflict_and_changes_nothing(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    service.withdraw_certificate(certificate, by=mentor, reason="First")
    first_at = certificate.revoked_at

    with pytest.raises(Conflict) as refused:
        service.withdraw_certificate(certificate, by=mentor, reason="Second")

    assert refused.value.message == "This certificate has already been withdrawn"
    assert certificate.revoked_at == first_at and certificate.revocation_reason == "First"
    assert len(_events(AuditAction.CERTIFICATE_REVOKED)) == 1


def test_withdrawing_needs_a_reason(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    with pytest.raises(InvalidInput) as refused:
        service.withdraw_certificate(certificate, by=mentor, reason="   ")

    assert refused.value.field == "reason" and not certificate.is_revoked


def test_staff_who_do_not_manage_the_learner_cannot_withdraw(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    with pytest.raises(NotAllowed):
        service.withdraw_certificate(certificate, by=_stranger(), reason="Not mine to withdraw")

    assert not certificate.is_revoked and _events(AuditAction.CERTIFICATE_REVOKED) == []


def test_a_reason_of_only_spaces_is_refused_on_the_page_beside_the_field(mentor_client, learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()

    response = post_form(mentor_client, f"/mentor/certificates/{certificate.public_id}/withdraw", {"reason": "   "})

    assert response.status_code == 200
    assert error_summary(response) == {"#reason": "Enter why you are withdrawing the certificate"}
    db.session.refresh(certificate)
    assert not certificate.is_revoked
    viewed = [event.detail for event in _events(AuditAction.LEARNER_RECORD_VIEWED)]
    assert {"page": "withdraw-certificate"}.items() <= viewed[-1].items()


# --- Hiding and showing ------------------------------------------------------------------------------


def test_hiding_and_showing_are_audited_once_each(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    assert service.hide_certificate(certificate, by=learner) is True
    assert service.hide_certificate(certificate, by=learner) is False  # already hidden: nothing recorded
    assert service.get_checkable_certificate(certificate.code) is None
    assert service.show_certificate(certificate, by=learner) is True

    assert len(_events(AuditAction.CERTIFICATE_HIDDEN)) == 1 and len(_events(AuditAction.CERTIFICATE_SHOWN)) == 1


def test_only_the_learner_hides_their_certificate(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    with pytest.raises(NotAllowed):
        service.hide_certificate(certificate, by=mentor)

    assert not certificate.is_hidden


# --- Downloading -------------------------------------------------------------------------------------


def test_staff_downloads_are_audited_and_the_learners_own_are_not(learner, mentor, issuer, fonts):
    certificate = issue_module_certificate(learner, mentor)

    own = download_certificate(certificate, FileFormat.JSONLD, issuer, by=learner, fonts_folder=fonts)
    assert own.filename == f"skillpath-certificate-{certificate.display_code}.json"
    assert _events(AuditAction.CERTIFICATE_DOWNLOADED) == []

    printed = download_certificate(
        certificate, FileFormat.PDF, issuer, by=mentor, fonts_folder=fonts, ip_address="10.0.0.7"
    )
    assert printed.mimetype == "application/pdf" and printed.data.startswith(b"%PDF")
    [event] = _events(AuditAction.CERTIFICATE_DOWNLOADED)
    assert (event.actor_id, event.subject_id, event.ip_address) == (mentor.id, learner.id, "10.0.0.7")


def test_a_withdrawn_certificate_has_no_files_and_strangers_get_none(learner, mentor, issuer, fonts):
    certificate = issue_module_certificate(learner, mentor)

    with pytest.raises(NotAllowed):
        download_certificate(certificate, FileFormat.PDF, issuer, by=_stranger(), fonts_folder=fonts)
    service.withdraw_certificate(certificate, by=mentor, reason="Issued in error")
    with pytest.raises(NotFound):
        download_certificate(certificate, FileFormat.JWT, issuer, by=learner, fonts_folder=fonts)

    assert _events(AuditAction.CERTIFICATE_DOWNLOADED) == []


# --- Staff reading a learner's certificates, and the status the staff API reports -------------------


def test_staff_reading_the_certificates_is_audited(learner, mentor, issuer):
    issue_module_certificate(learner, mentor)

    seen = service.view_learner_certificates(mentor, learner, readiness_settings={}, ip_address="10.0.0.8")

    assert len(seen.certificates) == 1 and seen.can_confirm is False
    [event] = _events(AuditAction.LEARNER_RECORD_VIEWED)
    assert event.actor_id == mentor.id and event.subject_id == learner.id and event.detail["page"] == "certificates"
    with pytest.raises(NotAllowed):
        service.view_learner_certificates(_stranger(), learner, readiness_settings={})


def test_certificate_statuses_say_active_hidden_or_withdrawn(learner, mentor, issuer):
    kept, hidden, withdrawn = (
        issue_module_certificate(learner, mentor, factories.make_module(title=title)) for title in ("A", "B", "C")
    )
    service.hide_certificate(hidden, by=learner)
    service.withdraw_certificate(withdrawn, by=mentor, reason="Issued in error")

    statuses = {item.code: item for item in service.list_certificate_statuses_for(learner)}

    assert statuses[kept.display_code].status == service.CertificateStatus.ACTIVE
    assert statuses[hidden.display_code].status == service.CertificateStatus.HIDDEN
    assert statuses[withdrawn.display_code].status == service.CertificateStatus.WITHDRAWN
    assert statuses[withdrawn.display_code].withdrawn_at == withdrawn.revoked_at
    assert statuses[kept.display_code].title == kept.achievement_name


def test_finding_a_certificate_applies_the_need_to_know_rule(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    other = factories.make_learner(cohort=factories.make_cohort())

    assert service.find_certificate_for_staff(mentor, certificate.public_id) is certificate
    assert service.find_certificate_for_staff(_stranger(), certificate.public_id) is None
    assert service.find_certificate_for_learner(learner, certificate.public_id) is certificate
    assert service.find_certificate_for_learner(other, certificate.public_id) is None


# --- Share links -------------------------------------------------------------------------------------


def _link(learner: User, certificates: list[Certificate], **kwargs):
    token = new_token()
    link, created = sharing.create_share_link(
        learner,
        token=token,
        certificate_ids=[item.public_id for item in certificates],
        label=kwargs.get("label"),
        last_day=kwargs.get("last_day"),
        actor=kwargs.get("actor", learner),
    )
    assert created
    return link, token


def test_making_and_withdrawing_a_link_are_audited(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    link, _token = _link(learner, [certificate], label="for the warehouse job")

    [made] = _events(AuditAction.SHARE_LINK_CREATED)
    assert made.detail["certificates"] == [certificate.display_code] and made.object_id == str(link.public_id)
    assert "for the warehouse job" not in str(made.detail)  # the label is the learner's own note

    assert sharing.withdraw_share_link(link, actor=learner) is True
    assert sharing.withdraw_share_link(link, actor=learner) is False
    assert len(_events(AuditAction.SHARE_LINK_WITHDRAWN)) == 1


def test_only_the_learner_makes_or_withdraws_their_links(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    with pytest.raises(NotAllowed):
        _link(learner, [certificate], actor=mentor)
    link, _token = _link(learner, [certificate])
    with pytest.raises(NotAllowed):
        sharing.withdraw_share_link(link, actor=mentor)

    assert not link.is_withdrawn


def test_a_link_that_ended_yesterday_is_refused_as_invalid_input_on_its_field(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date()

    with pytest.raises(InvalidInput) as refused:
        _link(learner, [certificate], last_day=yesterday)

    assert refused.value.field == "last_day"


def test_opening_a_link_counts_everyone_but_its_learner(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    link, _token = _link(learner, [certificate])

    shown = sharing.open_share_link(link, issuer, viewer=None)
    sharing.open_share_link(link, issuer, viewer=learner)  # the learner looking at their own link
    sharing.open_share_link(link, issuer, viewer=None, counted=False)  # a HEAD request
    db.session.flush()

    assert [item.code for item in shown.items] == [certificate.display_code]
    assert shown.items[0].verification.is_valid and shown.items[0].verify_url == issuer.urls.verify(certificate)
    assert db.session.scalar(select(db.func.count()).select_from(ShareLinkView)) == 1


def test_a_withdrawn_link_shows_only_its_state_and_is_not_counted(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    link, token = _link(learner, [certificate])
    sharing.withdraw_share_link(link, actor=learner)

    shown = sharing.open_share_link(link, issuer, viewer=None)

    assert shown.state == sharing.LinkState.WITHDRAWN and shown.items == () and shown.last_day is None
    assert db.session.scalar(select(db.func.count()).select_from(ShareLinkView)) == 0
    assert sharing.find_shared_certificate(token, certificate.display_code, issuer) is None


# --- The public check page in two languages ----------------------------------------------------------


def test_the_check_pages_kept_for_reuse_are_kept_one_per_language(app, client, learner, mentor, issuer, monkeypatch):
    """A page rendered in English is never served to someone who chose Welsh (and the other way round)."""
    from skillpath.verify.routes import rendered_pages

    monkeypatch.setitem(app.config, "VERIFY_PAGE_CACHE_SIZE", 16)
    rendered_pages.clear()
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()
    url = f"/verify/{certificate.display_code}"

    english = client.get(url)
    client.set_cookie("lang", "cy")
    welsh = client.get(url)
    client.delete_cookie("lang")
    english_again = client.get(url)

    assert [page(response).html["lang"] for response in (english, welsh, english_again)] == ["en-GB", "cy", "en-GB"]
    rendered_pages.clear()
