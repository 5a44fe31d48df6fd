"""The public addresses that certificates, credentials and share links carry, built from the public base URL.

They are printed on paper, inside signed credentials and in QR codes, so they must never depend on the
request that builds them (a learner on the prison network downloading a PDF) and must never change: they
are written out here as the contract they are, and a test checks each against the app's own routes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

from skillpath.models import Certificate

_SAFE = "-_.~"


def _segment(value: object) -> str:
    return quote(str(value), safe=_SAFE)


def _display_code(body: str) -> str:
    # The same form as certificates.format_code, which this module cannot import (that module imports it).
    return "SP-" + "-".join(body[i : i + 4] for i in range(0, len(body), 4))


@dataclass(frozen=True)
class PublicUrls:
    """Absolute public addresses under one base URL (PUBLIC_BASE_URL), such as https://skillpath.example."""

    base_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def _at(self, path: str) -> str:
        return self.base_url + path

    def home(self) -> str:
        return self._at("/")

    def verify_home(self) -> str:
        """Where anyone can type a certificate's code."""
        return self._at("/verify")

    def verify_code(self, code: str) -> str:
        """A certificate's check page, by its display code (SP-7Q4K-29XD-M3HW)."""
        return self._at(f"/verify/{_segment(code)}")

    def verify(self, certificate: Certificate) -> str:
        return self.verify_code(_display_code(certificate.code))

    def printable(self, code: str) -> str:
        return self._at(f"/verify/{_segment(code)}/printable")

    def issuer_profile(self) -> str:
        return self._at("/issuer")

    def issuer_key(self, kid: str) -> str:
        return self._at(f"/issuer/keys/{_segment(kid)}")

    def jwks(self) -> str:
        return self._at("/.well-known/jwks.json")

    def status_list(self, list_id: uuid.UUID, kid: str) -> str:
        return self._at(f"/credentials/status/{list_id}/{_segment(kid)}")

    def problem_type(self, slug: str) -> str:
        return self._at(f"/api/problems/{_segment(slug)}")

    def share(self, token: str) -> str:
        """A share link's public page (the token is the only secret in it)."""
        return self._at(f"/share/{_segment(token)}")
