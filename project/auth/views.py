"""Accounts: register, log in, log out (POST only), log out everywhere."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from . import service
from .forms import LoginForm, RegisterForm
from .redirects import safe_next
from .service import AccountError, InvalidCredentials, Throttled
from .sessions import end_session, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


def landing() -> str:
    """Where to go after logging in: a safe `next`, else the account page."""
    return safe_next(request.args.get("next")) or url_for("account.index")


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.password.data)
        except AccountError:  # the form checked everything else: the address is taken
            form.email.errors.append("An account with this email already exists; log in instead.")
        else:
            start_session(user, remember=False)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("account.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data, request.remote_addr)
        except Throttled as exc:
            return throttled(form, exc)
        except InvalidCredentials as exc:
            form.form_errors.append(str(exc).capitalize() + ".")
        else:
            start_session(user, remember=form.remember.data)
            return redirect(landing())
    return render_template("auth/login.html", form=form, next=safe_next(request.args.get("next")))


def throttled(form: LoginForm, exc: Throttled):
    form.form_errors.append(f"Too many failed logins. Try again in {exc.retry_after} seconds.")
    page = render_template("auth/login.html", form=form, next=safe_next(request.args.get("next")))
    return page, 429, {"Retry-After": str(exc.retry_after)}


@bp.post("/logout")
def logout():
    end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    service.end_all_sessions(current_user)
    end_session()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("auth.login"))
