from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth.forms import LanguageForm, LoginForm, RevokeTokenForm, TokenForm
from app.boundary import on_refusal
from app.extensions import db, limiter, login_manager
from app.models import User
from app.services import tokens

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
    return redirect(safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


@bp.route("/profile")
@login_required
def profile():
    return render_profile()


def render_profile(status: int = 200, token_form: TokenForm | None = None, new_token: str | None = None):
    response = make_response(
        render_template(
            "auth/profile.html",
            api_tokens=tokens.active_tokens(current_user),
            token_form=token_form or TokenForm(formdata=None),
            revoke_form=RevokeTokenForm(),
            new_token=new_token,
        ),
        status,
    )
    # A new token is shown once: never keep the page in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/tokens", methods=["POST"])
@login_required
@on_refusal(lambda error: render_profile(422, TokenForm()))
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return render_profile(422, form)
    token, clear = tokens.create_token(current_user, form.name.data)
    flash(_("Token “%(name)s” created. Copy it now: it is shown only once.", name=token.name), "ok")
    return render_profile(201, new_token=clear)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    token = tokens.revoke_token(current_user, token_id)
    if token is None:
        abort(404)
    flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "ok")
    return redirect(url_for("auth.profile"))
