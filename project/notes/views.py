"""The server-rendered notes page: works without JavaScript; a script may enhance it via the API."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import service
from .forms import NoteForm

bp = Blueprint("notes", __name__, url_prefix="/notes")

PAGE_SIZE = 100


@bp.get("/")
@login_required
def index():
    return render_page(NoteForm())


@bp.post("/")
@login_required
def create():
    form = NoteForm()
    if not form.validate_on_submit():
        return render_page(form), 422
    service.create_note(current_user, form.title.data, form.body.data or "")
    flash(_("Note saved."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/<id:note_id>/delete")
@login_required
def delete(note_id: int):
    """A POST form per note (never GET); the app-wide CSRFProtect checks its token.

    Deleting asks first: confirm.js adds confirmed=yes once the user agrees; without
    JavaScript the first POST shows a confirmation page whose button sends it.
    """
    try:
        note = service.owned_note(current_user, note_id)
    except service.NoteNotFound:  # also someone else's: the same answer as none
        abort(404)
    if request.form.get("confirmed") != "yes":
        return render_template("notes/confirm_delete.html", note=note)
    service.delete_note(note)
    flash(_("Note deleted."), "success")
    return redirect(url_for(".index"), code=303)


def render_page(form: NoteForm) -> str:
    notes, _ = service.list_notes(current_user, PAGE_SIZE)
    return render_template("notes/index.html", form=form, notes=notes)
