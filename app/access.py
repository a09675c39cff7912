"""Who may open a page: a role check for views (what they may see is app.services.scope)."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from workshop.roles import Role


def role_required(*roles: Role):
    """Log-in required, then 403 unless the user has one of these roles (admin always may)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles and current_user.role != Role.ADMIN:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate
