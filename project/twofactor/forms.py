"""Forms of the two-factor pages (CSRF through FlaskForm, like every form of the site)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..auth.forms import password_field, readable_text


def code_field(label=None):
    return StringField(
        label or _l("Code from your app or a recovery code"),
        validators=[DataRequired(), Length(max=32), readable_text],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "maxlength": 32},
    )


class CodeForm(FlaskForm):
    code = code_field()


class EnrolForm(FlaskForm):
    code = code_field(_l("6-digit code from your app"))


class DisableForm(FlaskForm):
    password: PasswordField = password_field(_l("Your password"), "current-password")
    code = code_field()
