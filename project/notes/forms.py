from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..models import NOTE_BODY_MAX, NOTE_TITLE_MAX, NUL_FREE, is_blank

# Refused as a form error instead of failing on save (see NUL_FREE in models.py).
NO_NUL = Regexp(NUL_FREE, message=_l("Must not contain NUL characters."))


def not_blank(form, field) -> None:
    if is_blank(field.data or ""):
        raise ValidationError(_l("Must not be blank."))


TITLE_VALIDATORS = [DataRequired(), Length(max=NOTE_TITLE_MAX), not_blank, NO_NUL]


class NoteForm(FlaskForm):
    title = StringField(_l("Title"), validators=TITLE_VALIDATORS)
    body = TextAreaField(
        _l("Note"), validators=[Length(max=NOTE_BODY_MAX), NO_NUL], render_kw={"rows": 4}
    )
