"""Command-line tasks: build the database, load the demo, add stores, users, products."""

import getpass
import subprocess
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from flask import Flask
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import select

from app.database import write_intent
from app.extensions import db
from app.i18n import error_text
from app.models import Product, Region, Store, Supplier
from app.services import users
from workshop.errors import DomainError
from workshop.roles import Role


def _commit_or_fail(message: str) -> None:
    try:
        db.session.commit()
    except Exception as exc:  # any failure: nothing half-written, a clear message
        db.session.rollback()
        raise click.ClickException(f"{message}: {exc.__class__.__name__}: {exc}") from exc


def _why(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return (exc.stderr or b"").decode(errors="replace").strip() or str(exc)
    return str(exc)


def init_app(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Archive to write.")
    def backup_command(output: Path | None) -> None:
        """Back up the database and the photos into one archive with a manifest and checksums."""
        from app import backup

        try:
            path = backup.backup(output)
        except (backup.BackupError, subprocess.CalledProcessError, OSError) as exc:
            raise click.ClickException(f"Backup failed: {_why(exc)}") from exc
        manifest = backup.read_manifest(path)
        click.echo(
            f"Backed up {sum(manifest['rows'].values())} rows and {len(manifest['files']) - 1} photo files "
            f"to {path} ({path.stat().st_size / 1e6:.1f} MB)."
        )

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Confirm: the database is replaced by the archive's.")
    def restore_command(archive: Path, yes: bool) -> None:
        """Replace the database with a backup's and write its photos back (needs --yes)."""
        from app import backup

        if not yes:
            raise click.UsageError(
                "Restoring replaces the whole database with the archive's: run again with --yes to confirm."
            )
        try:
            manifest = backup.restore(archive)
        except (backup.BackupError, subprocess.CalledProcessError, OSError) as exc:
            raise click.ClickException(f"Restore failed: {_why(exc)}") from exc
        click.echo(
            f"Restored {sum(manifest['rows'].values())} rows and {len(manifest['files']) - 1} photo files "
            f"from the backup of {manifest['created_at']}."
        )

    @app.cli.command("quality-recount")
    def quality_recount() -> None:
        """Rebuild the supplier quality summary from the pieces (it is kept as pieces change;
        this is for after a bulk import or a repair of the database)."""
        from app.services.quality import summary

        rows = summary.recount(db.session)
        _commit_or_fail("The quality summary was not rebuilt")
        click.echo(f"Quality summary rebuilt: {rows} rows.")

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema (same as `flask db upgrade`)."""
        upgrade()
        click.echo("Database is up to date.")

    @app.cli.command("load-demo")
    @click.option("--force", is_flag=True, help="Load even if the database already has stores.")
    def load_demo(force: bool) -> None:
        """Load the demo chain (once): stores, products, defects, users and a few weeks of history."""
        from app import demo

        write_intent.set(True)
        if db.session.scalar(select(Store.id).limit(1)) is not None and not force:
            click.echo("Demo data is already there (the database has stores); nothing loaded.")
            return
        accounts = demo.load()
        _commit_or_fail("Could not load the demo data")
        click.echo("Demo data loaded.")
        for username, role, password in accounts:
            click.echo(f"  {role:<11} {username:<12} password: {password}")

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--name", "display_name", required=True, help="The name people see.")
    @click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
    @click.option("--store", "store_code", help="Store code (for store staff).")
    @click.option("--region", "region_code", help="Region code (for region managers).")
    @click.option("--locale", type=click.Choice(["zh_Hans", "en"]), default=None)
    @click.option("--password", help="Omit to be asked (recommended).")
    def create_user(username, display_name, role, store_code, region_code, locale, password) -> None:
        """Create a user."""
        write_intent.set(True)
        role = Role(role)
        store = db.session.scalars(select(Store).where(Store.code == (store_code or ""))).one_or_none()
        region = db.session.scalars(select(Region).where(Region.code == (region_code or ""))).one_or_none()
        if role == Role.STORE and store is None:
            raise click.UsageError("Store staff need --store with an existing store code.")
        if role == Role.REGION and region is None:
            raise click.UsageError("A region manager needs --region with an existing region code.")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Repeat: "):
                raise click.UsageError("The passwords differ.")
        try:
            users.create_user(
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                store=store,
                region=region,
                locale=locale,
            )
        except DomainError as e:
            db.session.rollback()
            with force_locale("en"):
                raise click.UsageError(error_text(e)) from None
        _commit_or_fail("Could not create the user")
        click.echo(f"User {username} ({role.value}) created.")

    @app.cli.command("add-region")
    @click.option("--code", required=True)
    @click.option("--name", required=True)
    def add_region(code, name) -> None:
        """Add a region."""
        write_intent.set(True)
        db.session.add(Region(code=code, name=name))
        _commit_or_fail("Could not add the region (is the code taken?)")
        click.echo(f"Region {code} added.")

    @app.cli.command("add-store")
    @click.option("--code", required=True)
    @click.option("--name", required=True)
    @click.option("--region", "region_code", required=True)
    @click.option("--address", default="")
    @click.option("--contact", default="")
    @click.option("--phone", default="")
    @click.option("--quota", type=click.IntRange(1, 20), default=1, help="Outbound batches per ISO week.")
    def add_store(code, name, region_code, address, contact, phone, quota) -> None:
        """Add a store."""
        write_intent.set(True)
        region = db.session.scalars(select(Region).where(Region.code == region_code)).one_or_none()
        if region is None:
            raise click.UsageError(f"No region with code {region_code}.")
        db.session.add(
            Store(
                code=code,
                name=name,
                region=region,
                address=address,
                contact_name=contact,
                contact_phone=phone,
                weekly_quota=quota,
            )
        )
        _commit_or_fail("Could not add the store (is the code taken?)")
        click.echo(f"Store {code} added.")

    @app.cli.command("add-supplier")
    @click.option("--code", required=True)
    @click.option("--name", required=True)
    @click.option("--contact", default="")
    @click.option("--phone", default="")
    def add_supplier(code, name, contact, phone) -> None:
        """Add a supplier."""
        write_intent.set(True)
        db.session.add(Supplier(code=code, name=name, contact_name=contact, contact_phone=phone))
        _commit_or_fail("Could not add the supplier (is the code taken?)")
        click.echo(f"Supplier {code} added.")

    @app.cli.command("add-product")
    @click.option("--style", "style_code", required=True, help="Style code / SKU.")
    @click.option("--name", required=True)
    @click.option("--category", required=True)
    @click.option("--supplier", "supplier_code", required=True)
    @click.option("--cost", required=True, help="Unit cost, e.g. 120.50")
    @click.option("--price", required=True, help="Retail price, e.g. 399")
    def add_product(style_code, name, category, supplier_code, cost, price) -> None:
        """Add a product."""
        write_intent.set(True)
        supplier = db.session.scalars(select(Supplier).where(Supplier.code == supplier_code)).one_or_none()
        if supplier is None:
            raise click.UsageError(f"No supplier with code {supplier_code}.")
        try:
            unit_cost, retail = Decimal(cost), Decimal(price)
        except InvalidOperation as exc:
            raise click.UsageError("Cost and price must be numbers like 120.50.") from exc
        if unit_cost < 0 or retail < 0:
            raise click.UsageError("Cost and price cannot be negative.")
        db.session.add(
            Product(
                style_code=style_code,
                name=name,
                category=category,
                supplier=supplier,
                unit_cost=unit_cost,
                retail_price=retail,
            )
        )
        _commit_or_fail("Could not add the product (is the style code taken?)")
        click.echo(f"Product {style_code} added.")
