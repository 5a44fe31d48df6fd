"""The learner's disclosure statement: guidance, the four sections, a check page, downloads and a private draft.

The statement is criminal-offence data, so by default nothing of it is kept: the words travel in each form
post and come back as a page or a file, and every button posts them to one address, so that not even the
request log says which the learner chose. Only "Save a draft" stores anything, encrypted for this learner
(see skillpath/services/plans/disclosure.py). Each view here is a learner's own page; no staff page links here.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required
from skillpath.disclosure.forms import LETTER_DONE, Action, DisclosureStatementForm, MarkLetterDoneForm
from skillpath.forms_common import ConfirmForm
from skillpath.i18n import _
from skillpath.services.plans import disclosure
from skillpath.services.plans.disclosure import DraftUnreadable

bp = Blueprint("disclosure", __name__, url_prefix="/learner/disclosure-statement")

_TEXT_TYPE = "text/plain; charset=utf-8"
_WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _secret() -> str:
    return str(current_app.config.get("SECRET_KEY") or "")


def _write_page(form: DisclosureStatementForm) -> str:
    """The four sections, with whatever the learner wrote kept in them (and any errors beside it)."""
    return render_template(
        "disclosure/write.html",
        form=form,
        max_length=disclosure.SECTION_MAX,
        has_draft=disclosure.draft_saved_at(current_user) is not None,
        actions=Action,
    )


def _with_saved_draft(form: DisclosureStatementForm) -> DisclosureStatementForm:
    try:
        draft = disclosure.read_draft(current_user, _secret())
    except DraftUnreadable as error:
        flash(error.message)
        draft = None
    if draft is not None:
        form.fill(draft)
    return form


def _download(body: bytes, mimetype: str, extension: str) -> Response:
    # The file name is the same in every language: it goes into the learner's own folders, not onto a page.
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="disclosure-statement.{extension}"'
    return response


@bp.route("")
@learner_required
def index() -> str:
    return render_template(
        "disclosure/index.html",
        saved_at=disclosure.draft_saved_at(current_user),
        letter_done=disclosure.is_letter_done(current_user),
    )


@bp.route("/when-to-tell-an-employer")
@learner_required
def guidance() -> str:
    return render_template("disclosure/guidance.html")


@bp.route("/write", methods=["GET", "POST"])
@learner_required
def write() -> str | Response:
    """Every button of the statement posts here with the words: check, download, save, or change them."""
    form = DisclosureStatementForm()
    if request.method == "GET":
        return _write_page(_with_saved_draft(form))
    if not form.validate_on_submit():
        return _write_page(form)
    action = form.action.data
    if action == Action.CHECK:
        return render_template("disclosure/check.html", form=form, statement=form.statement(), actions=Action)
    if action == Action.TEXT:
        return _download(disclosure.as_text(form.statement()).encode("utf-8"), _TEXT_TYPE, "txt")
    if action == Action.WORD:
        return _download(disclosure.as_docx(form.statement()), _WORD_TYPE, "docx")
    if action == Action.SAVE:
        disclosure.save_draft(current_user, form.statement(), _secret())
        flash(_("Your draft is saved. Only you can read it."), "success")
        return redirect(url_for("disclosure.write"))
    return _write_page(form)  # "Change my statement": the words come back into the boxes


@bp.route("/draft/delete", methods=["GET", "POST"])
@learner_required
def delete_draft() -> str | Response:
    saved_at = disclosure.draft_saved_at(current_user)
    if saved_at is None:
        flash(_("You do not have a saved draft."))
        return redirect(url_for("disclosure.index"))
    form = ConfirmForm()
    if form.validate_on_submit():
        disclosure.delete_draft(current_user)
        flash(_("Your saved draft has been deleted. SkillPath no longer has it."), "success")
        return redirect(url_for("disclosure.index"))
    return render_template("disclosure/delete_draft.html", form=form, saved_at=saved_at)


@bp.route("/finished", methods=["GET", "POST"])
@learner_required
def finished() -> str | Response:
    if disclosure.is_letter_done(current_user):
        return render_template("disclosure/finished.html", form=None, letter_done=True)
    form = MarkLetterDoneForm()
    if form.validate_on_submit():
        if form.answer.data == LETTER_DONE and disclosure.mark_letter_done(current_user):
            flash(_("Your disclosure letter is marked as done."), "success")
        return redirect(url_for("disclosure.index"))
    return render_template("disclosure/finished.html", form=form, letter_done=False)
