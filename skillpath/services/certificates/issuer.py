"""The issuer: its name, its public address and its signing keys, which issuing, signing and checking need.

Services take an `Issuer` as an argument; the caller builds it from the app's settings with
`Issuer.from_settings(config, instance_path)` (views and commands do). Nothing here knows about Flask.

A few callers outside the certificates pages have none to hand yet: other services that issue or re-sign
a certificate (a mentor's sign-off, closing an account, the demo data) and tests. They ask
`current_issuer()`, which the web layer binds once (skillpath/credentials/routes.py) to "the running app's
settings". New code passes an issuer instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillpath.services.certificates.es256_keys import Es256Key, Es256KeyStore
from skillpath.services.certificates.signing import IssuerKey, KeyStore
from skillpath.services.certificates.urls import PublicUrls


@dataclass(frozen=True)
class Issuer:
    """Who issues SkillPath certificates, where they are checked, and the folder of the keys that sign them."""

    name: str
    urls: PublicUrls
    keys_folder: Path
    # Make a key on first use when there is none (development and tests); in production `flask keys generate`.
    auto_generate_keys: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], instance_path: str | Path) -> Issuer:
        """From settings: ISSUER_NAME, PUBLIC_BASE_URL, KEYS_FOLDER (or instance/keys), KEYS_AUTO_GENERATE."""
        folder = settings.get("KEYS_FOLDER") or Path(instance_path) / "keys"
        return cls(
            name=str(settings["ISSUER_NAME"]),
            urls=PublicUrls(str(settings["PUBLIC_BASE_URL"])),
            keys_folder=Path(folder),
            auto_generate_keys=bool(settings.get("KEYS_AUTO_GENERATE")),
        )

    @property
    def keys(self) -> KeyStore:
        """The Ed25519 keys: certificates, JSON-LD credentials and status lists."""
        return KeyStore(self.keys_folder)

    @property
    def es256_keys(self) -> Es256KeyStore:
        """The ES256 keys, in the same folder: VC-JWTs."""
        return Es256KeyStore(self.keys_folder)

    def signing_key(self) -> IssuerKey:
        """The current Ed25519 key for new signatures; made on first use only where auto-generation is allowed."""
        store = self.keys
        return store.ensure()[0] if self.auto_generate_keys else store.current()

    def es256_signing_key(self) -> Es256Key:
        """The current ES256 key for new JWTs; made on first use only where auto-generation is allowed."""
        store = self.es256_keys
        return store.ensure()[0] if self.auto_generate_keys else store.current()


_provider: Callable[[], Issuer] | None = None


def bind_issuer(provider: Callable[[], Issuer]) -> None:
    """Say where `current_issuer()` finds the issuer (the web layer binds the running app's settings)."""
    global _provider
    _provider = provider


def current_issuer() -> Issuer:
    """The issuer of the running app, for callers that were not given one."""
    if _provider is None:
        raise RuntimeError("No issuer is bound: pass an Issuer, or build the app first")
    return _provider()
