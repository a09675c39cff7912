"""The web application: ``create_app`` reads like a table of contents."""

from pathlib import Path

from flask import Flask

from app import config as app_config

# static/ sits beside app/ at the top of the checkout (run from the checkout, or an
# editable install of it).
STATIC_FOLDER = Path(__file__).resolve().parent.parent / "static"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(Path.cwd() / "instance"),
        instance_relative_config=True,
        static_folder=str(STATIC_FOLDER),
    )
    app.config.update(app_config.DEFAULTS)
    if config is None or "SQLALCHEMY_DATABASE_URI" not in config or "SECRET_KEY" not in config:
        app.config.update(app_config.from_environment(Path(app.instance_path)))
    app.config.update(config or {})
    app.config.setdefault("UPLOAD_FOLDER", str(Path(app.instance_path) / "uploads"))

    register_logging(app)
    register_extensions(app)
    register_database(app)
    register_security(app)
    register_inputs(app)
    register_i18n(app)
    register_blueprints(app)
    register_boundary(app)
    register_errors(app)
    register_templates(app)
    register_cli(app)
    register_background(app)
    return app


def register_logging(app: Flask) -> None:
    from app import logs

    logs.init_app(app)


def register_extensions(app: Flask) -> None:
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app.services import files, month_guard

    month_guard.install()  # rule 5: no session may change a closed month's figures
    files.install()  # files written in a transaction go with it when it rolls back
    from app.services.quality import summary as quality_summary

    quality_summary.install()  # the quality summary changes in the transaction that changes a piece


def register_database(app: Flask) -> None:
    from app import database

    database.init_app(app)


def register_security(app: Flask) -> None:
    from app import health, security_headers, session_guard

    session_guard.init_app(app)
    security_headers.init_app(app)
    health.init_app(app)


def register_inputs(app: Flask) -> None:
    from app import inputs

    inputs.init_app(app)


def register_i18n(app: Flask) -> None:
    from app import i18n

    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.bench.routes import bp as bench_bp
    from app.finance.routes import bp as finance_bp
    from app.main.routes import bp as main_bp
    from app.notices.routes import bp as notices_bp
    from app.pieces.routes import bp as pieces_bp
    from app.quality.routes import bp as quality_bp
    from app.store.routes import bp as store_bp
    from app.work.routes import bp as work_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(pieces_bp)
    app.register_blueprint(quality_bp)
    app.register_blueprint(store_bp)
    app.register_blueprint(bench_bp)
    app.register_blueprint(finance_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(work_bp)


def register_boundary(app: Flask) -> None:
    from app import boundary

    boundary.init_app(app)  # every view: one commit, or nothing kept and a clear refusal


def register_errors(app: Flask) -> None:
    from app import errors

    errors.init_app(app)


def register_templates(app: Flask) -> None:
    from app import templating

    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from app import cli

    cli.init_app(app)


def register_background(app: Flask) -> None:
    from app import background

    background.init_app(app)
