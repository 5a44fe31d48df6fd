"""An expired form gives back what the person typed, and lets them send it again only when that is safe."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup, Tag
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from skillpath.extensions import db
from skillpath.models import Evidence
from skillpath.services.progress import progress
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, location_path, page

ADD_EVIDENCE = "/learner/modules/EXP-01/add-evidence"
OUR_ORIGIN = {"Origin": "http://localhost"}
REFLECTION = (
    "I spent the morning helping Sam reset the password on the shared laptop.\r\n\r\n"
    "First I checked who they were, then I used the admin tool to send a new code. "
    "I learned to write down each step so the next person can follow it. " * 3
).strip()


@pytest.fixture
def module(learner):
    module = factories.make_module(code="EXP-01", title="Expiring forms")
    progress.enrol(learner, module, actor=learner)
    db.session.flush()
    return module


def _main(response) -> Tag:
    main = page(response).select_one("main#main-content")
    assert main is not None
    return main


def _expired_form(response) -> Tag | None:
    """The form that sends again what was typed (the page may hold others, such as "Stay signed in")."""
    return _main(response).select_one("form#sp-expired-form")


def _textarea_value(textarea: Tag) -> str:
    # As a browser reads it: the one newline straight after <textarea> is not part of the value.
    return textarea.get_text().removeprefix("\n")


def _form_data(form: Tag) -> list[tuple[str, str]]:
    """What a browser would send from this form, in order, when its button is pressed."""
    data = []
    for field in form.select("input[name], textarea[name]"):
        if field.name == "textarea":
            data.append((field["name"], _textarea_value(field)))
        elif field.get("type") != "file":
            data.append((field["name"], field.get("value", "")))
    return data


def _evidence(learner) -> list[Evidence]:
    return list(db.session.scalars(select(Evidence).where(Evidence.learner_id == learner.id)))


@pytest.mark.parametrize("token", ["not-the-right-token", None])
def test_an_expired_evidence_form_keeps_the_reflection_and_can_be_sent_again(learner_client, learner, module, token):
    data = {"reflection": REFLECTION, "submit": "y"}
    if token is not None:
        data["csrf_token"] = token
    response = learner_client.post(ADD_EVIDENCE, data=data, headers=OUR_ORIGIN)

    assert response.status_code == 400
    assert heading(response) == "Your page has expired"
    assert len(page(response).find_all("h1")) == 1
    assert _evidence(learner) == []
    form = _expired_form(response)
    assert form is not None
    assert form["method"] == "post"
    assert form["action"] == ADD_EVIDENCE
    fresh = form.select_one("input[name=csrf_token]")["value"]
    assert fresh and fresh != token
    textarea = form.select_one("textarea[name=reflection]")
    assert "govuk-textarea" in textarea["class"]
    assert textarea.get("readonly") is None
    assert _textarea_value(textarea) == REFLECTION
    assert form.select_one("input[type=hidden][name=submit]")["value"] == "y"
    assert form.select_one("button.govuk-button").get_text(strip=True) == "Send again"

    sent = learner_client.post(form["action"], data=MultiDict(_form_data(form)), headers=OUR_ORIGIN)

    assert sent.status_code == 302
    assert location_path(sent) == "/learner/modules/EXP-01"
    [saved] = _evidence(learner)
    assert saved.reflection.replace("\r\n", "\n") == REFLECTION.replace("\r\n", "\n")


def test_an_attached_file_must_be_chosen_again(learner_client, module):
    data = {"reflection": REFLECTION, "file": (io.BytesIO(b"%PDF-1.4\n"), "my-cv.pdf"), "csrf_token": "old"}
    response = learner_client.post(ADD_EVIDENCE, data=data, content_type="multipart/form-data", headers=OUR_ORIGIN)

    main = _main(response)
    notes = " ".join(inset.get_text(" ", strip=True) for inset in main.select(".govuk-inset-text"))
    assert "The file you attached was not kept: my-cv.pdf" in notes
    assert "Choose it again" in notes
    form = _expired_form(response)
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("input[type=file][name=file]") is not None
    assert _textarea_value(form.select_one("textarea[name=reflection]")) == REFLECTION


def test_someone_no_longer_signed_in_can_copy_their_text_but_not_send_it(client, module):
    response = client.post(ADD_EVIDENCE, data={"reflection": REFLECTION, "csrf_token": "old"}, headers=OUR_ORIGIN)

    assert response.status_code == 400
    main = _main(response)
    assert _expired_form(response) is None
    [textarea] = main.select("textarea")
    assert textarea.has_attr("readonly")
    assert _textarea_value(textarea) == REFLECTION
    assert "You have been signed out, so this was not saved" in main.get_text(" ", strip=True)
    sign_in_link = main.find("a", string="Sign in")
    assert sign_in_link["href"] == "/sign-in?next=/learner/modules/EXP-01/add-evidence"


def test_a_form_from_another_site_is_not_given_back(learner_client, module):
    response = learner_client.post(
        ADD_EVIDENCE,
        data={"reflection": "Text someone else wrote for you to send", "csrf_token": "forged"},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 400
    assert _expired_form(response) is None
    assert _main(response).select("textarea") == []
    assert "someone else wrote" not in response.get_data(as_text=True)


def test_a_form_without_origin_or_referer_is_not_given_back(learner_client, module):
    response = learner_client.post(ADD_EVIDENCE, data={"reflection": REFLECTION, "csrf_token": "old"})
    assert _expired_form(response) is None
    assert _main(response).select("textarea") == []


def test_a_referer_from_our_own_pages_is_enough(learner_client, module):
    response = learner_client.post(
        ADD_EVIDENCE,
        data={"reflection": REFLECTION, "csrf_token": "old"},
        headers={"Referer": "http://localhost/learner/modules/EXP-01/add-evidence"},
    )
    assert _expired_form(response).select_one("textarea[name=reflection]") is not None


def test_passwords_and_codes_are_never_written_back(learner_client):
    secrets = {
        "current_password": "Old-Secret-Pass-1",
        "password": "New-Secret-Pass-2",
        "password_confirm": "New-Secret-Pass-2",
        "activation_code": "ABCD-EFGH",
        "code": "SP-1234-5678",
    }
    response = learner_client.post(
        "/account/change-password", data={**secrets, "csrf_token": "old", "note": "kept"}, headers=OUR_ORIGIN
    )

    html = response.get_data(as_text=True)
    for value in secrets.values():
        assert value not in html
    names = {field["name"] for field in _expired_form(response).select("input[name]")}
    assert names == {"csrf_token", "note"}
    assert "passwords and codes are not kept" in _main(response).select_one(".govuk-inset-text").get_text()


def test_repeated_fields_stay_repeated_and_in_order(learner_client, module):
    data = MultiDict(
        [("reflection", REFLECTION), ("tag", "one"), ("tag", "two"), ("tag", "two"), ("csrf_token", "old")]
    )
    response = learner_client.post(ADD_EVIDENCE, data=data, headers=OUR_ORIGIN)

    form = _expired_form(response)
    assert [field["value"] for field in form.select("input[name=tag]")] == ["one", "two", "two"]


def test_a_huge_form_is_shown_to_copy_but_not_sent_again(learner_client, module):
    data = MultiDict([(f"answer_{n}", f"words for answer {n}") for n in range(150)] + [("csrf_token", "old")])
    response = learner_client.post(ADD_EVIDENCE, data=data, headers=OUR_ORIGIN)

    main = _main(response)
    assert _expired_form(response) is None
    textareas = main.select("textarea[readonly]")
    assert len(textareas) == 100
    assert _textarea_value(textareas[-1]) == "words for answer 99"
    assert "too long to send again" in main.get_text(" ", strip=True)


def test_every_label_belongs_to_its_field(learner_client, module):
    data = {"reflection": REFLECTION, "preferred_name": "Sam Smith", "csrf_token": "old"}
    response = learner_client.post(ADD_EVIDENCE, data=data, headers=OUR_ORIGIN)

    html: BeautifulSoup = page(response)
    for label in _main(response).select("label"):
        assert html.find(id=label["for"]) is not None
    assert html.select_one("input.govuk-input[name=preferred_name]")["value"] == "Sam Smith"


def test_an_expired_sign_out_can_be_sent_again(app, learner):
    client = sign_in(app.test_client(), learner)
    response = client.post("/sign-out", data={"csrf_token": "old"}, headers=OUR_ORIGIN)

    form = _expired_form(response)
    assert form["action"] == "/sign-out"
    assert client.post("/sign-out", data=MultiDict(_form_data(form)), headers=OUR_ORIGIN).status_code == 302
