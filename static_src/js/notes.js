// The notes page, driven through the JSON API with the browser session. Active only inside an
// element with data-notes-app (data-notes-url overrides the endpoint). The page renders the
// list; this script only adds and removes its items, so the markup stays the server's:
//   <form data-notes-form> with fields rendered by the field() macro, named like the API's
//   <p data-notes-status role="status" tabindex="-1">   <ul data-notes-list>
//   <li data-notes-empty> in the list, hidden while there are notes
//   <template data-notes-template>: one note, with {id}, {title} and {body} to fill in
// Text is set with textContent, never HTML.
import { apiFetch } from "./api.js";
import { text } from "./texts.js";

const DEFAULT_URL = "/api/v1/notes";

function part(app, name) {
  return app.querySelector(`[data-notes-${name}]`);
}

function setStatus(app, text, isError = false) {
  const status = part(app, "status");
  status.textContent = text;
  status.classList.toggle("is-error", isError);
}

function syncEmpty(app) {
  const empty = part(app, "empty");
  if (empty) empty.hidden = part(app, "list").querySelector(".note") !== null;
}

// Functions as replacements: a title's "$&" is text, not a replacement pattern.
const fill = (text, note) =>
  text.replaceAll("{id}", () => note.id).replaceAll("{title}", () => note.title);

// A copy of the page's <template> for `note`: the same heading, body and Delete form.
function noteItem(template, note) {
  const item = template.content.firstElementChild.cloneNode(true);
  item.dataset.noteId = note.id;
  item.querySelector(".note-title").textContent = note.title;
  const body = item.querySelector(".note-body");
  if (note.body) body.textContent = note.body;
  else body.remove();
  const form = item.querySelector("form");
  form.setAttribute("action", fill(form.getAttribute("action"), note));
  for (const attribute of ["aria-label", "data-confirm"]) {
    const button = form.querySelector(`[${attribute}]`);
    button?.setAttribute(attribute, fill(button.getAttribute(attribute), note));
  }
  return item;
}

// ---- field errors, shown as the field() macro of _forms.html shows them ----

function clearFieldErrors(form) {
  for (const list of form.querySelectorAll(".field-errors")) list.remove();
  for (const field of form.querySelectorAll(".field-invalid")) field.classList.remove("field-invalid");
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

function showFieldError(form, name, messages) {
  const input = form.elements.namedItem(name);
  const field = input?.closest?.(".field");
  if (!field) return false;
  const list = document.createElement("ul");
  list.className = "field-errors";
  list.id = `${input.id}-errors`;
  for (const message of [messages].flat()) {
    const item = document.createElement("li");
    item.textContent = message;
    list.append(item);
  }
  field.classList.add("field-invalid");
  field.append(list);
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", list.id);
  return true;
}

// True when every error the API named has a field on the form to be shown under.
function showFieldErrors(form, error) {
  const fields = error?.body?.error?.fields;
  if (!fields || typeof fields !== "object") return false;
  let shown = true;
  for (const [name, messages] of Object.entries(fields)) {
    shown = showFieldError(form, name, messages) && shown;
  }
  return shown;
}

function formFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && name !== "csrf_token") fields[name] = value;
  }
  return fields;
}

function bindForm(app) {
  const form = part(app, "form");
  const template = part(app, "template");
  if (!form || !template) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    try {
      const note = await apiFetch(app.notesUrl, { method: "POST", body: formFields(form) });
      form.reset();
      part(app, "list").prepend(noteItem(template, note));
      syncEmpty(app);
      setStatus(app, text("note-added", "Note added.", app));
    } catch (error) {
      const onFields = showFieldErrors(form, error);
      const notSaved = text("note-not-saved", "The note was not saved: see the fields above.", app);
      setStatus(app, onFields ? notSaved : error.message, true);
      if (onFields) form.querySelector("[aria-invalid]")?.focus();
    }
  });
}

// ---- deleting ----

// Where focus goes once `item` is gone: the next note's button, else the previous one's,
// else the status line (which says what happened), never <body>.
function focusAfter(app, item) {
  const neighbour = [item.nextElementSibling, item.previousElementSibling].find((li) =>
    li?.classList.contains("note"),
  );
  (neighbour?.querySelector("button") ?? part(app, "status")).focus();
}

function bindDelete(app) {
  // Submit events of the list's Delete forms. confirm.js asks first (it listens in the
  // capture phase, before this): a refused confirmation arrives here as defaultPrevented.
  part(app, "list").addEventListener("submit", async (event) => {
    const item = event.target.closest(".note");
    if (event.defaultPrevented || !item) return;
    event.preventDefault();
    try {
      await apiFetch(`${app.notesUrl}/${encodeURIComponent(item.dataset.noteId)}`, {
        method: "DELETE",
      });
      setStatus(app, text("note-deleted", "Note deleted.", app));
      focusAfter(app, item);
      item.remove();
      syncEmpty(app);
    } catch (error) {
      setStatus(app, error.message, true);
    }
  });
}

export function initNotes(root) {
  for (const app of root.querySelectorAll("[data-notes-app]")) {
    app.notesUrl = (app.dataset.notesUrl || DEFAULT_URL).replace(/\/+$/, "");
    bindForm(app);
    bindDelete(app);
  }
}
