from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from ..models import NOTE_BODY_MAX, NOTE_TITLE_MAX, NUL_FREE

# Refused as a form error instead of failing on save (see NUL_FREE in models.py).
NO_NUL = Regexp(NUL_FREE, message="Must not contain NUL characters.")


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=NOTE_TITLE_MAX), NO_NUL])
    body = TextAreaField("Note", validators=[Length(max=NOTE_BODY_MAX), NO_NUL])
