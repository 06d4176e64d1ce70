from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

# PostgreSQL text cannot hold NUL: refuse it as a form error instead of failing on save.
NO_NUL = Regexp(r"^[^\x00]*$", message="Must not contain NUL characters.")


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), NO_NUL])
    body = TextAreaField("Note", validators=[Length(max=10_000), NO_NUL])
