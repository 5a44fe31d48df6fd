"""`flask keys …`: the issuer's signing keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skillpath.services.signing import app_key_store

keys_cli = AppGroup("keys", help="The issuer's certificate signing keys (Ed25519).")


@keys_cli.command("generate")
def generate_command() -> None:
    """Make the issuer's signing key, unless there is one already. Safe to run again."""
    store = app_key_store()
    current = store.current_kid()
    if current is not None:
        click.echo(f"A signing key already exists in {store.folder} (key id {current}). Nothing was changed.")
        return
    key = store.generate()
    click.echo(f"Made a new signing key in {store.folder} (key id {key.kid}).")
    click.echo("Keep this folder private and back it up: certificates are checked against these keys.")


@keys_cli.command("rotate")
def rotate_command() -> None:
    """Make a new signing key for new certificates. Old keys stay, so what they signed still checks."""
    store = app_key_store()
    previous = store.current_kid()
    key = store.generate()
    if previous:
        click.echo(f"New certificates are signed with key {key.kid}. Key {previous} still checks what it signed.")
    else:
        click.echo(f"Made the first signing key in {store.folder} (key id {key.kid}).")


@keys_cli.command("list")
def list_command() -> None:
    """List the signing keys, oldest first."""
    store = app_key_store()
    keys = store.list_keys()
    if not keys:
        click.echo(f"There are no signing keys in {store.folder}. Run `flask keys generate`.")
        return
    for info in keys:
        marker = "current" if info.is_current else "older  "
        click.echo(f"{marker}  {info.kid}  made {info.created_at:%Y-%m-%d %H:%M} UTC")
