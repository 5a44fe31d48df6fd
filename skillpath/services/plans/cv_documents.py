"""The CV as files the learner takes away: a PDF, an editable Word document and plain text for online forms.

All three draw the same built `Cv`, in the same order: about me, skills, training and certificates, then
work history, education and interests. Nothing is added here that the CV does not hold, and nothing in the
files' properties names SkillPath or where the learner has been: the author is the learner.

The PDF uses the certificates' DejaVu Sans (`certificate_pdf.register_fonts`), so Latin, Greek and
Cyrillic scripts, and Vietnamese, print as written. Text the font cannot print (Chinese, say) or that the
PDF cannot lay out (right-to-left scripts) is refused with a message that points to the Word document and
the plain text, which keep every script.

The words SkillPath writes into the files (headings, notes, the page footer) are in the learner's language;
what the learner and the record hold is printed as it is. `download_cv` is the use case: the file, and the
audit event that says which kind of file left.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from skillpath.i18n import _, html_lang
from skillpath.models import User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates.certificate_pdf import BOLD, REGULAR, register_fonts, unprintable_characters
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.plans.cv import Cv, CvError, CvModule, Entry, Section, build_cv

INK = HexColor("#0b0c0c")
MUTED = HexColor("#505a5f")
ACCENT = HexColor("#1d70b8")
MARGIN = 50.0


def skills_note() -> str:
    return _(
        "Each skill was checked and signed off when I completed training. Levels follow the UK government’s "
        "Digital and Data capability framework."
    )


def certificates_note(cv: Cv) -> str:
    return _(
        "Certificates are issued by %(issuer)s. Anyone can check one, free, at %(address)s",
        issuer=cv.issuer_name,
        address=cv.verify_home,
    )


def certificate_line(code: str) -> str:
    return _("Certificate %(code)s", code=code)


def _about_me() -> str:
    return _("About me")


def _skills() -> str:
    return _("Skills")


def _training() -> str:
    return _("Training and certificates")


def entry_details(entry: Entry) -> str:
    """'Employer, 2019 to 2021': whichever of the two the learner gave."""
    return ", ".join(part for part in (entry.organisation, entry.dates) if part)


def _quoted(characters: list[str]) -> str:
    quoted = [f"“{character}”" for character in characters]
    if len(quoted) == 1:
        return quoted[0]
    return _("%(first)s and %(last)s", first=", ".join(quoted[:-1]), last=quoted[-1])


def pdf_problem(cv: Cv, fonts_folder: Path) -> str | None:
    """Why the PDF cannot be made, in plain words, or None if it can."""
    missing = unprintable_characters("".join(cv.texts()), fonts_folder)
    if not missing:
        return None
    if len(missing) > 5:
        return _(
            "The PDF cannot show %(letters)s and other letters. Download the Word document or the plain text "
            "instead: they keep every letter as you wrote it",
            letters=_quoted(missing[:5]),
        )
    return _(
        "The PDF cannot show %(letters)s. Download the Word document or the plain text instead: they keep every "
        "letter as you wrote it",
        letters=_quoted(missing),
    )


# --- PDF ------------------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10.5, leading=14.5, textColor=INK, spaceAfter=4)
    return {
        "name": ParagraphStyle("name", parent=body, fontName=BOLD, fontSize=22, leading=27, spaceAfter=6),
        "contact": ParagraphStyle("contact", parent=body, textColor=MUTED, spaceAfter=2),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=13.5, leading=17, textColor=ACCENT, spaceBefore=12
        ),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, spaceBefore=4, spaceAfter=1),
        "details": ParagraphStyle("details", parent=body, textColor=MUTED, spaceAfter=2),
        "body": body,
        "note": ParagraphStyle("note", parent=body, fontSize=9, leading=12, textColor=MUTED),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=2, bulletFontName=REGULAR),
    }


def _markup(text: str) -> str:
    """Text as reportlab paragraph markup: escaped, with its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _link(url: str) -> str:
    return f'<link href="{escape(url, {chr(34): "&quot;"})}" color="#1d70b8">{escape(url)}</link>'


def _pdf_entries(entries: tuple[Entry, ...], styles: dict[str, ParagraphStyle]) -> Iterator[Flowable]:
    for entry in entries:
        parts: list[Flowable] = [Paragraph(_markup(entry.title), styles["title"])]
        if details := entry_details(entry):
            parts.append(Paragraph(_markup(details), styles["details"]))
        if entry.description:
            parts.append(Paragraph(_markup(entry.description), styles["body"]))
        yield KeepTogether(parts)


def _pdf_module(module: CvModule, styles: dict[str, ParagraphStyle]) -> Flowable:
    parts: list[Flowable] = [
        Paragraph(_markup(module.title), styles["title"]),
        Paragraph(_markup(module.can_do), styles["body"]),
    ]
    if module.words:
        parts.append(Paragraph(_markup(module.words), styles["body"]))
    if module.certificate:
        line = f"{escape(certificate_line(module.certificate.code))}: {_link(module.certificate.url)}"
        parts.append(Paragraph(line, styles["details"]))
    return KeepTogether(parts)


def _pdf_training(cv: Cv, styles: dict[str, ParagraphStyle]) -> Iterator[Flowable]:
    yield Paragraph(escape(_training()), styles["heading"])
    for module in cv.modules:
        yield _pdf_module(module, styles)
    for certificate in cv.certificates:
        yield Paragraph(_markup(certificate.title), styles["title"])
        yield Paragraph(f"{escape(certificate_line(certificate.code))}: {_link(certificate.url)}", styles["details"])
    if cv.has_certificates:
        yield Paragraph(escape(certificates_note(cv)), styles["note"])


def _pdf_section(section: Section, entries: tuple[Entry, ...], styles: dict[str, ParagraphStyle]) -> Iterator[Flowable]:
    yield Paragraph(escape(section.heading), styles["heading"])
    if section is Section.INTERESTS:
        yield from (Paragraph(_markup(entry.title), styles["bullet"], bulletText="•") for entry in entries)
    else:
        yield from _pdf_entries(entries, styles)


def _pdf_story(cv: Cv, styles: dict[str, ParagraphStyle]) -> Iterator[Flowable]:
    yield Paragraph(_markup(cv.name), styles["name"])
    if cv.contact:
        yield Paragraph(_markup(cv.contact), styles["contact"])
    if cv.statement:
        yield Paragraph(escape(_about_me()), styles["heading"])
        yield Paragraph(_markup(cv.statement), styles["body"])
    if cv.skills:
        yield Paragraph(escape(_skills()), styles["heading"])
        for skill in cv.skills:
            yield Paragraph(f"{escape(skill.name)}: {escape(skill.level)}", styles["bullet"], bulletText="•")
        yield Paragraph(escape(skills_note()), styles["note"])
    if cv.modules or cv.certificates:
        yield from _pdf_training(cv, styles)
    for section in Section:
        if entries := cv.entries(section):
            yield from _pdf_section(section, entries, styles)


def _document_title(cv: Cv) -> str:
    return _("CV – %(name)s", name=cv.name)


def render_pdf(cv: Cv, fonts_folder: Path) -> bytes:
    """The CV as an A4 PDF. Raises CvError if it holds letters the PDF cannot print."""
    register_fonts(fonts_folder)
    if problem := pdf_problem(cv, fonts_folder):
        raise CvError(problem)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_document_title(cv),
        author=cv.name,
        subject=_("CV"),
        creator=cv.name,
        lang=html_lang(),
    )

    def footer(canvas: Canvas, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8.5)
        canvas.setFillColor(MUTED)
        line = _("%(name)s – CV – page %(page)s", name=cv.name, page=canvas.getPageNumber())
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, line)
        canvas.restoreState()

    styles = _styles()
    document.build([*_pdf_story(cv, styles), Spacer(1, 1)], onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- Word ------------------------------------------------------------------------------------------------------


def _is_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(character) in {"R", "AL"} for character in text)


def _run(paragraph: DocxParagraph, text: str, *, bold: bool = False, colour: RGBColor | None = None) -> None:
    run = paragraph.add_run(text)
    run.bold = bold or None
    if colour is not None:
        run.font.color.rgb = colour
    if _is_right_to_left(text):
        # Word then lays out Arabic or Hebrew right to left, with its letters joined.
        run.font.rtl = True


def _lines(document: Any, text: str, style: str | None = None, *, colour: RGBColor | None = None) -> None:
    """One paragraph per line the learner wrote, so an address keeps its shape."""
    for line in text.split("\n"):
        _run(document.add_paragraph(style=style), line, colour=colour)


def _hyperlink(paragraph: DocxParagraph, url: str) -> None:
    """A link Word opens with a click (python-docx has no call for it, so it is built from WordprocessingML)."""
    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1D70B8")
    properties.append(colour)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


MUTED_RGB = RGBColor(0x50, 0x5A, 0x5F)


def _docx_certificate(document: Any, title: str | None, code: str, url: str) -> None:
    if title:
        _run(document.add_paragraph(), title, bold=True)
    paragraph = document.add_paragraph()
    _run(paragraph, f"{certificate_line(code)}: ")
    _hyperlink(paragraph, url)


def _docx_module(document: Any, module: CvModule) -> None:
    _run(document.add_paragraph(), module.title, bold=True)
    _lines(document, module.can_do)
    if module.words:
        _lines(document, module.words)
    if module.certificate:
        _docx_certificate(document, None, module.certificate.code, module.certificate.url)


def _docx_sections(document: Any, cv: Cv) -> None:
    for section in Section:
        if not (entries := cv.entries(section)):
            continue
        document.add_heading(section.heading, level=1)
        for entry in entries:
            if section is Section.INTERESTS:
                _run(document.add_paragraph(style="List Bullet"), entry.title)
                continue
            _run(document.add_paragraph(), entry.title, bold=True)
            if details := entry_details(entry):
                _lines(document, details, colour=MUTED_RGB)
            if entry.description:
                _lines(document, entry.description)


def render_docx(cv: Cv) -> bytes:
    """The CV as a Word document the learner can change. Every script is kept as written."""
    document = docx.Document()
    properties = document.core_properties
    properties.author = properties.last_modified_by = cv.name
    properties.title = _document_title(cv)
    properties.subject = _("CV")
    properties.comments = properties.keywords = properties.category = ""
    # The blank template's own dates (2013) would be the document's; it is made now.
    properties.created = properties.modified = utcnow()
    document.styles["Normal"].font.size = Pt(11)

    _run(document.add_paragraph(style="Title"), cv.name)
    if cv.contact:
        _lines(document, cv.contact)
    if cv.statement:
        document.add_heading(_about_me(), level=1)
        _lines(document, cv.statement)
    if cv.skills:
        document.add_heading(_skills(), level=1)
        for skill in cv.skills:
            _run(document.add_paragraph(style="List Bullet"), f"{skill.name}: {skill.level}")
        _run(document.add_paragraph(), skills_note(), colour=MUTED_RGB)
    if cv.modules or cv.certificates:
        document.add_heading(_training(), level=1)
        for module in cv.modules:
            _docx_module(document, module)
        for certificate in cv.certificates:
            _docx_certificate(document, certificate.title, certificate.code, certificate.url)
        if cv.has_certificates:
            _run(document.add_paragraph(), certificates_note(cv), colour=MUTED_RGB)
    _docx_sections(document, cv)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- Plain text -------------------------------------------------------------------------------------------------


def _text_training(cv: Cv) -> list[str]:
    lines: list[str] = []
    for module in cv.modules:
        lines += [module.title, module.can_do, *([module.words] if module.words else [])]
        if module.certificate:
            lines.append(f"{certificate_line(module.certificate.code)}: {module.certificate.url}")
        lines.append("")
    for certificate in cv.certificates:
        lines += [certificate.title, f"{certificate_line(certificate.code)}: {certificate.url}", ""]
    if cv.has_certificates:
        lines.append(certificates_note(cv))
    return lines


def _text_entries(section: Section, entries: tuple[Entry, ...]) -> list[str]:
    if section is Section.INTERESTS:
        return [f"- {entry.title}" for entry in entries]
    lines: list[str] = []
    for entry in entries:
        details = entry_details(entry)
        lines += [entry.title, *([details] if details else []), *([entry.description] if entry.description else []), ""]
    return lines


def _text_sections(cv: Cv) -> Iterator[tuple[str, list[str]]]:
    if cv.statement:
        yield _about_me(), [cv.statement]
    if cv.skills:
        yield _skills(), [*(f"- {skill.name}: {skill.level}" for skill in cv.skills), "", skills_note()]
    if cv.modules or cv.certificates:
        yield _training(), _text_training(cv)
    for section in Section:
        if entries := cv.entries(section):
            yield section.heading, _text_entries(section, entries)


def render_text(cv: Cv) -> str:
    """The CV as plain text, a section at a time, to copy into an online application form."""
    lines = [cv.name, *([cv.contact] if cv.contact else []), ""]
    for heading, body in _text_sections(cv):
        lines += [heading, "-" * len(heading), *body]
        if lines[-1] != "":
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- The download, as a use case -----------------------------------------------------------------------------------


class CvFormat(StrEnum):
    """The kinds of file a learner can take their CV away as, by the address of their downloads."""

    PDF = "pdf"
    WORD = "word"
    TEXT = "text"


_MEDIA_TYPES = {
    CvFormat.PDF: ("application/pdf", "pdf"),
    CvFormat.WORD: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    CvFormat.TEXT: ("text/plain; charset=utf-8", "txt"),
}


@dataclass(frozen=True)
class CvFile:
    data: bytes
    mimetype: str
    file_name: str


def cv_file_name(name: str, extension: str) -> str:
    """'Nguyễn Thị Minh CV.pdf': the learner's name, without anything a file name cannot hold."""
    cleaned = " ".join(re.sub(r"[^\w\s.'-]", " ", name).split())[:80].strip(" .")
    return f"{_('%(name)s CV', name=cleaned)}.{extension}" if cleaned else f"{_('CV')}.{extension}"


def download_cv(learner: User, file_format: CvFormat, *, issuer: Issuer, fonts_folder: Path) -> CvFile:
    """The learner's CV as a file, and the audit event that says which kind of file they took (not what it says).

    Raises CvError if the CV holds letters the PDF cannot print (the Word document and the text keep them)."""
    built = build_cv(learner, issuer=issuer)
    if file_format is CvFormat.PDF:
        data = render_pdf(built, fonts_folder)
    elif file_format is CvFormat.WORD:
        data = render_docx(built)
    else:
        data = render_text(built).encode("utf-8")
    record_event(
        AuditAction.LEARNER_CV_DOWNLOADED, actor=learner, subject=learner, object_type="cv", kind=file_format.value
    )
    mimetype, extension = _MEDIA_TYPES[file_format]
    return CvFile(data, mimetype, cv_file_name(built.name, extension))
