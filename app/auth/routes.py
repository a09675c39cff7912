from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth.forms import LanguageForm, LoginForm
from app.extensions import db, limiter, login_manager
from app.models import User

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a person to another host after log-in.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalars(select(User).where(User.username == form.username.data.strip())).one_or_none()
        if user is None or not user.active or not user.check_password(form.password.data):
            flash(_("Wrong user name or password."), "error")
        else:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are logged out."), "ok")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


@bp.route("/profile")
@login_required
def profile():
    return render_template("auth/profile.html")
