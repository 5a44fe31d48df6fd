"""The learner's CV: one page that shows it all, small pages to change each part, and the downloads.

A learner only ever sees their own CV: another learner's entry id is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required
from skillpath.cv.forms import ENTRY_FORMS, MARK_DONE, AboutYouForm, FinishCvForm, ModuleWordsForm
from skillpath.extensions import db
from skillpath.forms_common import ConfirmForm
from skillpath.models._types import utcnow
from skillpath.services.plans import cv, cv_documents
from skillpath.verify.urls import public_url, verify_url

bp = Blueprint("cv", __name__, url_prefix="/learner/cv")


@bp.context_processor
def _limits() -> dict[str, object]:
    # The character counts show these; the forms refuse anything longer.
    return {
        "max_lengths": {
            "contact": cv.CONTACT_MAX,
            "statement": cv.STATEMENT_MAX,
            "description": cv.DESCRIPTION_MAX,
            "module_words": cv.MODULE_WORDS_MAX,
        }
    }


def _fonts_folder() -> Path:
    return Path(current_app.static_folder or "static") / "dist" / "fonts"


def _built(content: cv.CvContent | None = None) -> cv.Cv:
    return cv.build_cv(
        current_user,
        content or cv.get_cv_content(current_user),
        verify_url=verify_url,
        verify_home=public_url("verify.index"),
        issuer_name=str(current_app.config["ISSUER_NAME"]),
    )


def _section_or_404(slug: str) -> cv.Section:
    return cv.section_from_slug(slug) or abort(404)


def _saved() -> None:
    current_user.learner_profile.last_activity_at = utcnow()
    db.session.commit()


def _back_to(anchor: str) -> Response:
    return redirect(url_for("cv.index", _anchor=anchor))


@bp.route("")
@learner_required
def index() -> str:
    content = cv.get_cv_content(current_user)
    built = _built(content)
    return render_template(
        "cv/index.html",
        cv=built,
        finished=content.finished_at is not None,
        pdf_problem=cv_documents.pdf_problem(built, _fonts_folder()),
        custody_mentions=cv.custody_mentions(current_user, content),
        sections=list(cv.Section),
        max_entries=cv.MAX_ENTRIES,
    )


@bp.route("/about-you", methods=["GET", "POST"])
@learner_required
def about_you() -> str | Response:
    saved = cv.get_cv_content(current_user)
    form = AboutYouForm(
        data=None
        if request.method == "POST"
        else {"name": saved.name, "contact": saved.contact, "statement": saved.statement}
    )
    if form.validate_on_submit():
        cv.save_about_you(
            current_user,
            name=form.name.data or "",
            contact=form.contact.data or "",
            statement=form.statement.data or "",
        )
        _saved()
        flash("Your details have been saved.", "success")
        return _back_to("about-you")
    return render_template("cv/about_you.html", form=form)


def _entry_page(section: cv.Section, entry: cv.Entry | None) -> str | Response:
    form = ENTRY_FORMS[section](data=None if request.method == "POST" or entry is None else vars(entry))
    entry_id = entry.id if entry else form.entry_id.data
    if not cv.is_entry_id(entry_id):
        entry_id = form.entry_id.data = cv.new_entry_id()
    if form.validate_on_submit():
        try:
            added = cv.save_entry(current_user, section, form.entry(entry_id))
        except cv.CvError as error:
            form.title.errors = [str(error)]
        else:
            _saved()
            flash(f"“{form.title.data}” has been {'added to' if added else 'changed on'} your CV.", "success")
            return _back_to(section.value)
    return render_template("cv/entry.html", form=form, section=section, entry=entry)


@bp.route("/<section>/add", methods=["GET", "POST"])
@learner_required
def add_entry(section: str) -> str | Response:
    return _entry_page(_section_or_404(section), None)


def _my_entry_or_404(section: cv.Section, entry_id: uuid.UUID) -> cv.Entry:
    return cv.get_cv_content(current_user).find(section, str(entry_id)) or abort(404)


@bp.route("/<section>/<uuid:entry_id>", methods=["GET", "POST"])
@learner_required
def edit_entry(section: str, entry_id: uuid.UUID) -> str | Response:
    chosen = _section_or_404(section)
    return _entry_page(chosen, _my_entry_or_404(chosen, entry_id))


@bp.route("/<section>/<uuid:entry_id>/remove", methods=["GET", "POST"])
@learner_required
def remove_entry(section: str, entry_id: uuid.UUID) -> str | Response:
    chosen = _section_or_404(section)
    entry = _my_entry_or_404(chosen, entry_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if cv.remove_entry(current_user, chosen, entry.id):
            _saved()
            flash(f"“{entry.title}” has been removed from your CV.", "success")
        return _back_to(chosen.value)
    return render_template("cv/remove_entry.html", form=form, section=chosen, entry=entry)


@bp.route("/modules/<code>", methods=["GET", "POST"])
@learner_required
def module_words(code: str) -> str | Response:
    module = _built().module(code) or abort(404)
    form = ModuleWordsForm(data=None if request.method == "POST" else {"words": module.words})
    if form.validate_on_submit():
        cv.save_module_words(current_user, module.code, form.words.data or "")
        _saved()
        flash(f"Your words about “{module.title}” have been saved.", "success")
        return _back_to("training")
    return render_template("cv/module_words.html", form=form, module=module)


@bp.route("/finish", methods=["GET", "POST"])
@learner_required
def finish() -> str | Response:
    ask = not cv.cv_barrier(current_user).is_resolved
    form = FinishCvForm(ask=ask)
    if form.validate_on_submit():
        marked = cv.finish_cv(current_user, mark_barrier_done=ask and form.mark_barrier.data == MARK_DONE)
        _saved()
        flash(
            "Your CV is finished. You can still change it at any time."
            + (" ‘CV and covering letter’ is now marked as done." if marked else ""),
            "success",
        )
        return redirect(url_for("cv.index"))
    return render_template("cv/finish.html", form=form, ask=ask)


# --- Downloads ---------------------------------------------------------------------------------------------------


def _file_name(extension: str) -> str:
    """'Nguyễn Thị Minh CV.pdf': the learner's name, without anything a file name cannot hold."""
    name = " ".join(re.sub(r"[^\w\s.'-]", " ", cv.get_cv_content(current_user).name).split())[:80].strip(" .")
    return f"{name} CV.{extension}" if name else f"CV.{extension}"


def _attachment(data: bytes, mimetype: str, extension: str) -> Response:
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=_file_name(extension), max_age=0
    )


@bp.route("/download/pdf")
@learner_required
def download_pdf() -> Response:
    try:
        pdf = cv_documents.render_pdf(_built(), _fonts_folder())
    except cv.CvError as error:
        flash(str(error))
        return _back_to("download")
    return _attachment(pdf, "application/pdf", "pdf")


@bp.route("/download/word")
@learner_required
def download_word() -> Response:
    word = cv_documents.render_docx(_built())
    return _attachment(word, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")


@bp.route("/download/text")
@learner_required
def download_text() -> Response:
    text = cv_documents.render_text(_built())
    return _attachment(text.encode("utf-8"), "text/plain; charset=utf-8", "txt")
