"""Account forms. Password fields never render their value back (WTForms' PasswordField)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .. import i18n
from ..models import EMAIL_MAX, has_nul
from .service import MAX_PASSWORD_LENGTH, AccountError, check_password_rules, normalize_email

MISMATCH = _l("The passwords do not match.")


def readable_text(form, field) -> None:
    """Reject what bytes that were not UTF-8 turn into (U+FFFD) and NUL characters."""
    if field.data and ("\ufffd" in field.data or has_nul(field.data)):
        raise ValidationError(_l("Contains characters that could not be read; use plain text."))


def valid_email(form, field) -> None:
    if field.errors:  # one message at a time: the earlier check already said what is wrong
        return
    try:
        normalize_email(field.data)
    except AccountError:
        raise ValidationError(_l("Enter a valid email address.")) from None


def strong_password(form, field) -> None:
    if field.errors:
        return
    try:
        check_password_rules(field.data)
    except AccountError as exc:
        raise ValidationError(i18n.sentence(exc)) from None


def email_field():
    return EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=EMAIL_MAX), readable_text, valid_email],
        render_kw={"autocomplete": "username"},
    )


def password_field(label: str, autocomplete: str, check=None):
    """A password input; `check` defaults to the length cap (the full rules check it too)."""
    return PasswordField(
        label,
        validators=[DataRequired(), readable_text, check or Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": autocomplete, "maxlength": MAX_PASSWORD_LENGTH},
    )


class RegisterForm(FlaskForm):
    email = email_field()
    password = password_field(_l("Password"), "new-password", strong_password)
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=MISMATCH)],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = password_field(_l("Password"), "current-password")
    remember = BooleanField(_l("Remember me on this device"))


class PasswordChangeForm(FlaskForm):
    current_password = password_field(_l("Current password"), "current-password")
    new_password = password_field(_l("New password"), "new-password", strong_password)
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=MISMATCH)],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = password_field(_l("New password"), "new-password", strong_password)
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=MISMATCH)],
        render_kw={"autocomplete": "new-password"},
    )


class EmailChangeForm(FlaskForm):
    # Labels differ from the password-change form's: both are on the settings page.
    new_email = EmailField(
        _l("New email address"),
        validators=[DataRequired(), Length(max=EMAIL_MAX), readable_text, valid_email],
        render_kw={"autocomplete": "email"},
    )
    password = password_field(_l("Your password"), "current-password")
