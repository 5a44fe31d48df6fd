"""The learner's CV: one page that shows it all, small pages to change each part, and the downloads.

A learner only ever sees their own CV: another learner's entry id is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required
from skillpath.cv.forms import ENTRY_FORMS, MARK_DONE, AboutYouForm, FinishCvForm, ModuleWordsForm
from skillpath.forms_common import ConfirmForm
from skillpath.i18n import _
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.plans import cv, cv_documents
from skillpath.services.plans.cv_documents import CvFormat

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


def _issuer() -> Issuer:
    return Issuer.from_settings(current_app.config, current_app.instance_path)


def _section_or_404(slug: str) -> cv.Section:
    return cv.section_from_slug(slug) or abort(404)


def _back_to(anchor: str) -> Response:
    return redirect(url_for("cv.index", _anchor=anchor))


@bp.route("")
@learner_required
def index() -> str:
    content = cv.get_cv_content(current_user)
    built = cv.build_cv(current_user, content, issuer=_issuer())
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
        flash(_("Your details have been saved."), "success")
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
            form.title.errors = [error.message]
        else:
            title = form.title.data or ""
            if added:
                flash(_("“%(title)s” has been added to your CV.", title=title), "success")
            else:
                flash(_("“%(title)s” has been changed on your CV.", title=title), "success")
            return _back_to(section.value)
    return render_template("cv/entry.html", form=form, section=section, entry=entry)


@bp.route("/<section>/add", methods=["GET", "POST"])
@learner_required
def add_entry(section: str) -> str | Response:
    return _entry_page(_section_or_404(section), None)


def _my_entry_or_404(section: cv.Section, entry_id: uuid.UUID) -> cv.Entry:
    # Only the signed-in learner's own CV is ever looked in, so there is no one else's entry to find.
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
            flash(_("“%(title)s” has been removed from your CV.", title=entry.title), "success")
        return _back_to(chosen.value)
    return render_template("cv/remove_entry.html", form=form, section=chosen, entry=entry)


@bp.route("/modules/<code>", methods=["GET", "POST"])
@learner_required
def module_words(code: str) -> str | Response:
    module = cv.build_cv(current_user, issuer=_issuer()).module(code) or abort(404)
    form = ModuleWordsForm(data=None if request.method == "POST" else {"words": module.words})
    if form.validate_on_submit():
        cv.save_module_words(current_user, module.code, form.words.data or "")
        flash(_("Your words about “%(title)s” have been saved.", title=module.title), "success")
        return _back_to("training")
    return render_template("cv/module_words.html", form=form, module=module)


@bp.route("/finish", methods=["GET", "POST"])
@learner_required
def finish() -> str | Response:
    ask = not cv.cv_barrier(current_user).is_resolved
    form = FinishCvForm(ask=ask)
    if form.validate_on_submit():
        marked = cv.finish_cv(current_user, mark_barrier_done=ask and form.mark_barrier.data == MARK_DONE)
        if marked:
            flash(
                _(
                    "Your CV is finished. You can still change it at any time. "
                    "‘CV and covering letter’ is now marked as done."
                ),
                "success",
            )
        else:
            flash(_("Your CV is finished. You can still change it at any time."), "success")
        return redirect(url_for("cv.index"))
    return render_template("cv/finish.html", form=form, ask=ask)


# --- Downloads ---------------------------------------------------------------------------------------------------


def _download(file_format: CvFormat) -> Response:
    try:
        file = cv_documents.download_cv(current_user, file_format, issuer=_issuer(), fonts_folder=_fonts_folder())
    except cv.CvError as error:
        flash(error.message)
        return _back_to("download")
    return send_file(
        io.BytesIO(file.data), mimetype=file.mimetype, as_attachment=True, download_name=file.file_name, max_age=0
    )


@bp.route("/download/pdf")
@learner_required
def download_pdf() -> Response:
    return _download(CvFormat.PDF)


@bp.route("/download/word")
@learner_required
def download_word() -> Response:
    return _download(CvFormat.WORD)


@bp.route("/download/text")
@learner_required
def download_text() -> Response:
    return _download(CvFormat.TEXT)
