"""QR codes as inline SVG, for a certificate's check page and for a share link."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, label: str) -> Markup:
    """The QR code for `url` as inline SVG with an accessible name. No style attributes, so the strict CSP allows it."""
    svg = segno.make(url, error="m").svg_inline(scale=4, svgclass="sp-qr", lineclass=None, omitsize=False)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S704 (our own SVG)
