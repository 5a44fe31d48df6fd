"""An A4 PDF of a certificate, with a QR code of its verification page.

Drawn straight onto a reportlab canvas (no layout engine) in DejaVu Sans, a
TrueType font built into static/dist/fonts at set-up, so names in any Latin,
Greek or Cyrillic script, and Vietnamese, print as written. A name with letters
the font lacks (Chinese, say) or that it cannot lay out (right-to-left scripts) is
refused when the learner sets it (`unprintable_characters`). The QR code holds
only the short verification URL and is drawn as vector squares.

The PDF shows exactly the certificate's signed content: nothing about custody.

It is not a tagged PDF. reportlab's open-source canvas writes no marked content
and no structure tree, so a screen reader gets no headings, reading order or
alternative text for the QR code; hand-writing them into reportlab's internals
would be fragile and could not be checked here. So the PDF carries what reportlab
does support (a title shown in place of the file name, the language en-GB, author,
subject and keywords, and XMP metadata saying the same), and the accessible form
of every certificate is its printable web page (verify/printable.html), offered
beside the PDF.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import XMP
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from skillpath.i18n import _, _l, format_date
from skillpath.models.certificates import CertificateKind
from skillpath.services.certificates.certificates import CertificateContent

# The heading of each kind of certificate, on the PDF and its printable web page.
CERTIFICATE_TITLES = {
    CertificateKind.MODULE: _l("Certificate of achievement"),
    CertificateKind.ROLE_READINESS: _l("Certificate of readiness for work"),
}
LANGUAGE = "en-GB"

REGULAR = "SkillPathSans"
BOLD = "SkillPathSans-Bold"
_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_registered: set[str] = set()
_lock = threading.Lock()

INK = HexColor("#0b0c0c")
MUTED = HexColor("#505a5f")
ACCENT = HexColor("#1d70b8")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56.0


class CertificateFontsMissing(RuntimeError):
    """The TrueType fonts for certificates have not been built."""


def register_fonts(fonts_folder: Path) -> None:
    """Register DejaVu Sans with reportlab, once per process."""
    if len(_registered) == len(_FONT_FILES):
        return
    with _lock:
        for name, filename in _FONT_FILES.items():
            if name in _registered:
                continue
            path = fonts_folder / filename
            if not path.is_file():
                raise CertificateFontsMissing(
                    f"The certificate font {filename} is missing from {fonts_folder}. "
                    "Run `make setup` (or `npm ci && npm run build`) to build the front-end assets, fonts included."
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered.add(name)


def unprintable_characters(text: str, fonts_folder: Path) -> list[str]:
    """The characters of `text` that the certificate cannot print as written, each once, in order.

    A character is printable when both DejaVu Sans faces have a glyph for it.
    Right-to-left letters (Arabic, Hebrew) have glyphs but the canvas draws text
    left to right without joining letters, so they would print scrambled: they
    count as unprintable too.
    """
    register_fonts(fonts_folder)
    covered = _covered_code_points()
    missing: list[str] = []
    for character in text:
        if character.isspace() or character in missing:
            continue
        if ord(character) not in covered or unicodedata.bidirectional(character) in {"R", "AL"}:
            missing.append(character)
    return missing


@cache
def _covered_code_points() -> frozenset[int]:
    faces = [pdfmetrics.getFont(name).face for name in _FONT_FILES]
    return frozenset.intersection(*(frozenset(face.charToGlyph) for face in faces))


def _centred_lines(canvas: Canvas, text: str, font: str, size: float, y: float, width: float, leading: float) -> float:
    """Draw wrapped, centred text from y downwards; return the y below it."""
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        canvas.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= leading
    return y


def _fitted_size(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (runs of dark modules merged per row), quiet zone included."""
    qr = segno.make(url, error="m", micro=False)
    rows = [bytes(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    canvas.setFillColor(INK)
    for row_number, row in enumerate(rows):
        top = y + size - (row_number + 1) * module
        column = 0
        while column < len(row):
            if row[column] & 1:
                start = column
                while column < len(row) and row[column] & 1:
                    column += 1
                # A hair of overlap so that no white seams show between squares when rasterised.
                canvas.rect(x + start * module, top, (column - start) * module + 0.05, module + 0.05, stroke=0, fill=1)
            else:
                column += 1


def render_certificate_pdf(
    content: CertificateContent, *, verify_url: str, verify_home: str, fonts_folder: Path, title: str
) -> bytes:
    """The certificate as PDF bytes."""
    register_fonts(fonts_folder)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0, initialFontName=REGULAR, initialFontSize=12, lang=LANGUAGE)
    _describe(canvas, content, title)
    width = PAGE_WIDTH - 2 * MARGIN

    # A frame, and a band of colour at the top.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2)
    canvas.rect(MARGIN / 2, MARGIN / 2, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN, stroke=1, fill=0)
    canvas.setFillColor(ACCENT)
    canvas.rect(MARGIN / 2, PAGE_HEIGHT - MARGIN / 2 - 10, PAGE_WIDTH - MARGIN, 10, stroke=0, fill=1)

    y = PAGE_HEIGHT - MARGIN - 40
    canvas.setFillColor(MUTED)
    y = _centred_lines(canvas, content.issuer_name, BOLD, 13, y, width, 18)
    canvas.setFillColor(INK)
    y = _centred_lines(canvas, title, BOLD, 26, y - 22, width, 32)
    canvas.setFillColor(MUTED)
    y = _centred_lines(canvas, _("This is to certify that"), REGULAR, 13, y - 20, width, 18)

    canvas.setFillColor(INK)
    name_size = _fitted_size(content.recipient_name, BOLD, 30, 16, width)
    y = _centred_lines(canvas, content.recipient_name, BOLD, name_size, y - 30, width, name_size + 6)
    canvas.setFillColor(MUTED)
    y = _centred_lines(canvas, _("has achieved"), REGULAR, 13, y - 8, width, 18)
    canvas.setFillColor(INK)
    y = _centred_lines(canvas, content.achievement_name, BOLD, 19, y - 14, width, 24)
    y = _centred_lines(canvas, content.achievement_description, REGULAR, 11, y - 4, width - 40, 15)

    y = _draw_skills(canvas, content, y, width)
    y = _draw_areas(canvas, content, y, width)

    y -= 26
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 12)
    issued = _("Issued on %(date)s by %(issuer)s", date=format_date(content.issued_at), issuer=content.issuer_name)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, issued)
    _draw_check(canvas, content, verify_url=verify_url, verify_home=verify_home)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _describe(canvas: Canvas, content: CertificateContent, title: str) -> None:
    """What a PDF reader shows about the file: its title (instead of the file name), author, subject and language."""
    document_title = f"{title}: {content.achievement_name} – {content.recipient_name}"
    subject = _(
        "%(issuer)s certificate %(code)s. %(description)s",
        issuer=content.issuer_name,
        code=content.code,
        description=content.achievement_description,
    )
    canvas.setTitle(document_title)
    canvas.setAuthor(content.issuer_name)
    canvas.setSubject(subject)
    canvas.setKeywords([_("certificate"), content.code, *(s.skill for s in content.skills), *content.areas])
    canvas.setCreator("SkillPath")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    canvas.setCatalogEntry("Metadata", XMP(creator=lambda _document: _xmp(document_title, content, subject)))


def _xmp(title: str, content: CertificateContent, subject: str) -> bytes:
    """XMP metadata with the same title, author, description and language as the document information.

    As UTF-8 bytes: reportlab would write a str in PDFDocEncoding, which has no "ễ" (nor the packet's BOM).
    """
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(content.issuer_name)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{LANGUAGE}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def _draw_skills(canvas: Canvas, content: CertificateContent, y: float, width: float) -> float:
    """The DDaT skills and levels as a ruled table; return the y below it."""
    if content.skills:
        y -= 18
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN + 20, y, _("Skills and levels"))
        canvas.setFont(REGULAR, 9)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN - 20, y, _("Government Digital and Data capability framework"))
        y -= 6
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.5)
        for skill in content.skills:
            canvas.line(MARGIN + 20, y, PAGE_WIDTH - MARGIN - 20, y)
            y -= 16
            canvas.setFillColor(INK)
            canvas.setFont(REGULAR, 11)
            for number, line in enumerate(simpleSplit(skill.skill, REGULAR, 11, width - 180)):
                canvas.drawString(MARGIN + 20, y - number * 14, line)
            canvas.setFont(BOLD, 11)
            canvas.drawRightString(PAGE_WIDTH - MARGIN - 20, y, skill.level_label)
            y -= 14 * (len(simpleSplit(skill.skill, REGULAR, 11, width - 180)) - 1) + 6
        canvas.line(MARGIN + 20, y, PAGE_WIDTH - MARGIN - 20, y)
    return y


def _draw_areas(canvas: Canvas, content: CertificateContent, y: float, width: float) -> float:
    """The Essential Digital Skills areas, one a line; return the y below them."""
    if not content.areas:
        return y
    y -= 18
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN + 20, y, _("Essential digital skills"))
    canvas.setFont(REGULAR, 9)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(PAGE_WIDTH - MARGIN - 20, y, _("Essential Digital Skills framework"))
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 11)
    for area in content.areas:
        for line in simpleSplit(area, REGULAR, 11, width - 40):
            y -= 16
            canvas.drawString(MARGIN + 20, y, line)
    return y


def _draw_check(canvas: Canvas, content: CertificateContent, *, verify_url: str, verify_home: str) -> None:
    """The way to check it, at the foot of the page: QR code, address and code."""
    qr_size = 120.0
    qr_x, qr_y = MARGIN + 4, MARGIN + 4
    _draw_qr(canvas, verify_url, qr_x, qr_y, qr_size)
    text_x = qr_x + qr_size + 18
    text_width = PAGE_WIDTH - MARGIN - text_x
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 13)
    canvas.drawString(text_x, qr_y + qr_size - 22, _("Check this certificate"))
    canvas.setFont(REGULAR, 10)
    canvas.setFillColor(MUTED)
    lines = simpleSplit(
        _(
            "Scan the QR code, or go to %(address)s and type the code. It is free and needs no account.",
            address=verify_home,
        ),
        REGULAR,
        10,
        text_width,
    )
    line_y = qr_y + qr_size - 38
    for line in lines:
        canvas.drawString(text_x, line_y, line)
        line_y -= 13
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 20)
    canvas.drawString(text_x, line_y - 14, content.code)
