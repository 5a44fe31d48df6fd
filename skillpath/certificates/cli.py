"""`flask keys …`: the issuer's signing keys, Ed25519 (certificates, JSON-LD credentials) and ES256 (VC-JWTs)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from skillpath.services.certificates.es256_keys import Es256KeyStore
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.certificates.signing import KeyStore

keys_cli = AppGroup("keys", help="The issuer's signing keys (Ed25519 and ES256).")


def _issuer() -> Issuer:
    return Issuer.from_settings(current_app.config, current_app.instance_path)


def _stores() -> list[tuple[str, KeyStore | Es256KeyStore]]:
    issuer = _issuer()
    return [("Ed25519", issuer.keys), ("ES256", issuer.es256_keys)]


@keys_cli.command("generate")
def generate_command() -> None:
    """Make the issuer's signing keys, those it lacks. Safe to run again: existing keys are never changed."""
    for algorithm, store in _stores():
        current = store.current_kid()
        if current is not None:
            click.echo(
                f"An {algorithm} signing key already exists in {store.folder} (key id {current}). Nothing was changed."
            )
            continue
        key = store.generate()
        click.echo(f"Made a new {algorithm} signing key in {store.folder} (key id {key.kid}).")
    click.echo("Keep this folder private and back it up: certificates are checked against these keys.")


@keys_cli.command("rotate")
def rotate_command() -> None:
    """Make new signing keys for new certificates and credentials. Old keys stay, so what they signed still checks."""
    for algorithm, store in _stores():
        previous = store.current_kid()
        key = store.generate()
        if previous:
            click.echo(f"New {algorithm} signatures use key {key.kid}. Key {previous} still checks what it signed.")
        else:
            click.echo(f"Made the first {algorithm} signing key in {store.folder} (key id {key.kid}).")


@keys_cli.command("list")
def list_command() -> None:
    """List the signing keys, oldest first: Ed25519 keys, then ES256 keys."""
    listed = [(algorithm, info) for algorithm, store in _stores() for info in store.list_keys()]
    if not listed:
        click.echo(f"There are no signing keys in {_issuer().keys_folder}. Run `flask keys generate`.")
        return
    for algorithm, info in listed:
        marker = "current" if info.is_current else "older  "
        click.echo(f"{marker}  {info.kid}  {algorithm:<7}  made {info.created_at:%Y-%m-%d %H:%M} UTC")
