from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import session_guard
from app.access import role_required
from app.auth.forms import EndSessionForm, LanguageForm, LoginForm, RevokeTokenForm, TokenForm
from app.boundary import on_refusal
from app.extensions import db, limiter, login_manager
from app.models import User
from app.services import sessions, tokens
from workshop.roles import Role

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.login"
login_manager.login_message = None


def safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a person to another host after log-in.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = session_guard.attempt(form.username.data, form.password.data)
        if user is None:
            flash(_("Wrong user name or password."), "error")
        else:
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    session_guard.log_out()
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
            login_sessions=sessions.active_sessions(current_user, session_guard.lifetimes(), at=session_guard.now()),
            this_session=session_guard.current_session_id(),
            attempts=sessions.recent_attempts(current_user),
            end_form=EndSessionForm(),
            lifetime_idle=format_timedelta(session_guard.lifetimes().idle, threshold=2),
            lifetime_absolute=format_timedelta(session_guard.lifetimes().absolute, threshold=2),
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


@bp.route("/profile/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    if not EndSessionForm().validate_on_submit():
        abort(400)
    if sessions.end_one(current_user, session_id, at=session_guard.now()) is None:
        abort(404)
    flash(_("That log-in has ended: the browser that used it must log in again."), "ok")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    if not EndSessionForm().validate_on_submit():
        abort(400)
    sessions.end_all(current_user, sessions.EVERYWHERE, at=session_guard.now())
    session_guard.log_out()
    flash(_("You are logged out everywhere. Your API tokens still work: revoke them on this page."), "ok")
    return redirect(url_for("auth.login"))


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@role_required(Role.ADMIN)
def sign_out_user(user_id: int):
    """An administrator ends every log-in session of a user (a lost phone, a leaver)."""
    if not EndSessionForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id) if user_id <= 2**31 - 1 else None
    if user is None:
        abort(404)
    sessions.end_all(user, sessions.ADMIN, at=session_guard.now())
    flash(_("%(name)s is logged out everywhere.", name=user.display_name), "ok")
    return redirect(safe_next(request.form.get("next")))
