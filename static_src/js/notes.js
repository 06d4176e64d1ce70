// The notes page, driven through the JSON API with the browser session. Active only inside an
// element with data-notes-app (data-notes-url overrides the endpoint). Markup it uses, all
// optional except the container:
//   <form data-notes-form> with inputs named like the API's fields (title, body)
//   <p data-notes-status role="status">   <ul data-notes-list>
// The API shape is read defensively: a list, or {items|notes|data|results: [...]}; notes are
// shown by title/body (or text) and deleted by id. Text is set with textContent, never HTML.
import { apiFetch } from "./api.js";

const DEFAULT_URL = "/api/v1/notes";
const LIST_KEYS = ["items", "notes", "data", "results"];

export function noteList(data) {
  if (Array.isArray(data)) return data;
  for (const key of LIST_KEYS) {
    if (Array.isArray(data?.[key])) return data[key];
  }
  return [];
}

function part(app, name, tag) {
  let element = app.querySelector(`[data-notes-${name}]`);
  if (!element && tag) {
    element = document.createElement(tag);
    element.setAttribute(`data-notes-${name}`, "");
    app.append(element);
  }
  return element;
}

function setStatus(app, text, isError = false) {
  const status = part(app, "status", "p");
  status.textContent = text;
  status.classList.toggle("is-error", isError);
}

function noteItem(app, note) {
  const item = document.createElement("li");
  item.className = "note";
  const title = document.createElement("strong");
  title.textContent = note.title ?? "";
  const body = document.createElement("p");
  body.textContent = note.body ?? note.text ?? "";
  item.append(title, body);
  if (note.id !== undefined) item.append(deleteButton(app, note, item));
  return item;
}

function deleteButton(app, note, item) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-danger";
  button.textContent = "Delete";
  button.addEventListener("click", async () => {
    if (!window.confirm("Delete this note?")) return;
    try {
      await apiFetch(`${app.notesUrl}/${encodeURIComponent(note.id)}`, { method: "DELETE" });
      item.remove();
      setStatus(app, "Note deleted.");
    } catch (error) {
      setStatus(app, error.message, true);
    }
  });
  return button;
}

export async function loadNotes(app) {
  const list = part(app, "list", "ul");
  try {
    const notes = noteList(await apiFetch(app.notesUrl));
    list.replaceChildren(...notes.map((note) => noteItem(app, note)));
    setStatus(app, notes.length ? "" : "No notes yet.");
  } catch (error) {
    setStatus(app, error.message, true);
  }
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
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const note = await apiFetch(app.notesUrl, { method: "POST", body: formFields(form) });
      form.reset();
      if (note && typeof note === "object" && "id" in note) {
        part(app, "list", "ul").prepend(noteItem(app, note));
        setStatus(app, "Note added.");
      } else {
        await loadNotes(app);
      }
    } catch (error) {
      setStatus(app, error.message, true);
    }
  });
}

export function initNotes(root) {
  for (const app of root.querySelectorAll("[data-notes-app]")) {
    app.notesUrl = (app.dataset.notesUrl || DEFAULT_URL).replace(/\/+$/, "");
    bindForm(app);
    loadNotes(app);
  }
}
