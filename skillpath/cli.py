"""Flask commands: catalogue import and loading, demo data, backups, custody details fading, read models."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from skillpath.extensions import db, dispose_engines
from skillpath.logs import security_event
from skillpath.services.catalogue.catalogue_store import UpsertCounts

catalogue_cli = AppGroup("catalogue", help="Load and import the skills catalogue.")


@catalogue_cli.command("import-ddat")
@click.argument("roles_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("skills_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ddat_command(roles_csv: Path, skills_csv: Path) -> None:
    """Import the framework's official roles and skills CSV downloads. Safe to run again."""
    from skillpath.services.catalogue.catalogue_import import CatalogueImportError, import_ddat_csv

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
    _rebuild_if_catalogue_changed(report.counts)


@catalogue_cli.command("load")
def load_command() -> None:
    """Load SkillPath's own catalogue: entry-level roles, skills and the starter modules. Safe to run again."""
    from skillpath.services.catalogue.catalogue_data import CatalogueDataError, load_catalogue

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
    _rebuild_if_catalogue_changed(report.counts)


def _rebuild_if_catalogue_changed(counts: UpsertCounts) -> None:
    """A job's required skills (or a module's units) count in every learner's readiness week by week and in
    each module's state: after a change, the read models are worked out again so dashboards agree with the rule."""
    if counts.created or counts.updated:
        click.echo("The catalogue changed: working the dashboards' read models out again.")
        click.get_current_context().invoke(read_models_rebuild_command)


@click.command("seed-demo")
@click.option("--password", default="skillpath-demo", show_default=True, help="Password for every demo account.")
def seed_demo_command(password: str) -> None:
    """Create demo establishments, cohorts, staff and learners with varied progress, and print the logins."""
    from skillpath.services.demo import seed_demo
    from skillpath.settings import app_issuer

    logins = seed_demo(password=password, issuer=app_issuer())
    db.session.commit()
    click.echo(f"Demo data is ready. Sign in at {current_app.config['PUBLIC_BASE_URL']} with any of these:")
    for login in logins:
        # An account not set up yet has no password: it signs in with its activation code instead.
        secret = "(no password)" if "activation code" in login.description else password
        click.echo(f"  {login.role:<8} {login.username:<18} {secret:<15}  ({login.description})")


backup_cli = AppGroup("backup", help="Back up and restore the database, evidence files and signing keys.")


@backup_cli.command("create")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="File or folder to write the archive to.  [default: instance/backups/]",
)
def backup_create_command(output: Path | None) -> None:
    """Write one archive of the database, the evidence files and the signing keys. Safe while the app runs."""
    from skillpath import backups

    try:
        report = backups.create_backup(backups.locations_from_app(current_app), output)
    except backups.BackupError as error:
        click.echo(f"No backup was made. {error}", err=True)
        raise SystemExit(1) from None
    click.echo(report.summary())


@backup_cli.command("check")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_check_command(archive: Path) -> None:
    """Check that an archive is whole, unchanged and fits this installation, without restoring anything."""
    import tempfile

    from skillpath import backups

    locations = backups.locations_from_app(current_app)
    try:
        with tempfile.TemporaryDirectory(prefix="skillpath-check-") as staging:
            manifest = backups.check_archive(archive, Path(staging))
        kind = backups.database_kind(locations.database_url)
        warnings = backups.check_fits(manifest, kind, locations.migrations_folder)
    except backups.BackupError as error:
        click.echo(f"This archive cannot be restored here. {error}", err=True)
        raise SystemExit(1) from None
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(
        f"{archive} is whole: every file matches its checksum. It was made at {manifest.created_at} by SkillPath "
        f"{manifest.app_version} and holds {len(manifest.files)} files "
        f"(the {manifest.database_name} database at schema revision {manifest.alembic_revision or 'unknown'})."
    )


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database and files that already hold data.")
def backup_restore_command(archive: Path, yes: bool) -> None:
    """Restore an archive made by `flask backup create`. Stop the app first."""
    from skillpath import backups

    locations = backups.locations_from_app(current_app)
    # Let go of this process's own connections, so that nothing holds a lock the restore needs.
    db.session.remove()
    dispose_engines()
    try:
        report = backups.restore_backup(locations, archive, overwrite=yes)
    except backups.BackupError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(report.summary())


custody_cli = AppGroup("custody", help="Let custody details fade a set time after release.")


@custody_cli.command("remove-expired")
@click.option("--dry-run", is_flag=True, help="Count the learners who are due, and change nothing.")
def custody_remove_expired_command(dry_run: bool) -> None:
    """Remove custody details of learners released CUSTODY_REMOVAL_MONTHS ago or more. Safe to run daily."""
    from skillpath.services.learners import custody

    months = int(current_app.config["CUSTODY_REMOVAL_MONTHS"])
    if months < 0:
        click.echo(f"CUSTODY_REMOVAL_MONTHS must be 0 or more, not {months}. Nothing was removed.", err=True)
        raise SystemExit(1)
    due = custody.list_due(months=months)
    if dry_run:
        click.echo(f"{len(due)} learner{'s are' if len(due) != 1 else ' is'} due. This was a dry run: nothing changed.")
        return
    total = custody.Removal()
    for learner_id in due:
        # One transaction a learner: each holds only that record, and a stop part-way keeps what was done.
        total += custody.remove_custody_details(learner_id, months=months)
        db.session.commit()
    security_event("custody.removed", logging.INFO, months=months, **total.counts())
    click.echo(total.summary())


evidence_cli = AppGroup("evidence", help="Move evidence files between a folder and the database.")


@evidence_cli.command("copy-files")
@click.option("--to", "target_kind", type=click.Choice(["database", "local"]), required=True)
def evidence_copy_files_command(target_kind: str) -> None:
    """Copy every evidence file into the database (or into UPLOAD_FOLDER), before changing EVIDENCE_STORAGE.

    Safe to run again: files already there are skipped. The source is never changed.
    """
    from skillpath.services.progress import evidence_storage as storage
    from skillpath.settings import upload_folder

    source_kind = "local" if target_kind == "database" else "database"
    source = storage.storage_for(source_kind, folder=upload_folder())
    target = storage.storage_for(target_kind, folder=upload_folder())
    total, after = storage.CopyReport(), ""
    while names := storage.evidence_file_names(after=after):
        # One transaction a batch: a stop part-way keeps what was copied, and a second run carries on.
        total += storage.copy_files(names, source=source, target=target)
        db.session.commit()
        after = names[-1]
    files = "file" if total.copied == 1 else "files"
    click.echo(f"Copied {total.copied} evidence {files} to {target!r}; {total.already_there} were already there.")
    for name in total.missing:
        click.echo(f"Not found in {source!r}: {name}", err=True)
    if total.missing:
        raise SystemExit(1)


read_models_cli = AppGroup(
    "read-models", help="Work the dashboards' read models out again from the logs, or check them."
)


def _progress_printer(verb: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        click.echo(f"{verb} {done:,} of {total:,} learners")

    return show


@read_models_cli.command("rebuild")
@click.option("--batch-size", default=500, show_default=True, help="Learners worked out and committed together.")
def read_models_rebuild_command(batch_size: int) -> None:
    """Delete every read-model row and work them all out from the logs. Safe to run again at any time."""
    from skillpath.services.readiness import read_models
    from skillpath.services.readiness.readiness import ReadinessRules

    rules = ReadinessRules.from_config(current_app.config)
    done = read_models.rebuild_all(
        rules, batch_size=batch_size, progress=_progress_printer("Rebuilt"), after_batch=db.session.commit
    )
    db.session.commit()
    click.echo(f"The read models are up to date for {done:,} learners.")


@read_models_cli.command("check")
def read_models_check_command() -> None:
    """List the learners whose read-model rows differ from the logs (exit code 1 if any)."""
    from skillpath.services.readiness import read_models
    from skillpath.services.readiness.readiness import ReadinessRules

    differ = read_models.check_all(
        ReadinessRules.from_config(current_app.config), progress=_progress_printer("Checked")
    )
    db.session.rollback()
    if differ:
        shown = ", ".join(str(learner_id) for learner_id in differ[:50])
        more = f" and {len(differ) - 50:,} more" if len(differ) > 50 else ""
        click.echo(f"{len(differ):,} learners' read models differ from the logs: {shown}{more}.", err=True)
        click.echo("Run `flask read-models rebuild` to work them out again.", err=True)
        raise SystemExit(1)
    click.echo("The read models match the logs.")


@read_models_cli.command("rebuild-if-empty")
def read_models_rebuild_if_empty_command() -> None:
    """Rebuild only when learners exist but the read models hold nothing (a database just upgraded)."""
    from skillpath.services.readiness import read_models

    if read_models.needs_filling():
        click.get_current_context().invoke(read_models_rebuild_command)
    else:
        click.echo("The read models are already filled.")


def register_commands(app: Flask) -> None:
    from skillpath.certificates.cli import keys_cli

    app.cli.add_command(catalogue_cli)
    app.cli.add_command(custody_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(keys_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(read_models_cli)
