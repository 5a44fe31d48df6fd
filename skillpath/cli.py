"""Flask commands: catalogue import and loading, demo data."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from skillpath.extensions import db

catalogue_cli = AppGroup("catalogue", help="Load and import the skills catalogue.")


@catalogue_cli.command("import-ddat")
@click.argument("roles_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("skills_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ddat_command(roles_csv: Path, skills_csv: Path) -> None:
    """Import the framework's official roles and skills CSV downloads. Safe to run again."""
    from skillpath.services.catalogue_import import CatalogueImportError, import_ddat_csv

    try:
        report = import_ddat_csv(roles_csv, skills_csv)
    except CatalogueImportError as error:
        db.session.rollback()
        click.echo("Nothing was imported. Fix these problems and run the command again:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(report.summary())


@catalogue_cli.command("load")
def load_command() -> None:
    """Load SkillPath's own catalogue: entry-level roles, skills and the starter modules. Safe to run again."""
    from skillpath.services.catalogue_data import CatalogueDataError, load_catalogue

    try:
        report = load_catalogue()
    except CatalogueDataError as error:
        db.session.rollback()
        click.echo("Nothing was loaded. Fix these problems in the catalogue files and run the command again:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(report.summary())


@click.command("seed-demo")
@click.option("--password", default="skillpath-demo", show_default=True, help="Password for every demo account.")
def seed_demo_command(password: str) -> None:
    """Create demo establishments, cohorts, staff and learners with varied progress, and print the logins."""
    from skillpath.services.demo import seed_demo

    logins = seed_demo(password=password)
    db.session.commit()
    click.echo("Demo data is ready. Sign in at http://127.0.0.1:5000 with any of these:")
    for login in logins:
        click.echo(f"  {login.role:<8} {login.username:<18} {password}   ({login.description})")


def register_commands(app: Flask) -> None:
    from skillpath.certificates.cli import keys_cli

    app.cli.add_command(catalogue_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(keys_cli)
