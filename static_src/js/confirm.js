// Destructive actions ask first: a submit button or form with data-confirm="Question?" only
// submits when the user agrees. One listener on the document covers forms added later.
// An agreed form carries confirmed=yes, so a server that asks again without JavaScript (the
// notes delete) knows the question was answered here. It listens in the capture phase, so it
// asks before any handler of the form itself (notes.js) acts on the submit.

export function confirmMessage(form, submitter) {
  return submitter?.dataset?.confirm || form.dataset.confirm || null;
}

export function initConfirm(root) {
  root.addEventListener("submit", askFirst, true);
}

function askFirst(event) {
  const message = confirmMessage(event.target, event.submitter);
  if (!message) return;
  if (!window.confirm(message)) {
    event.preventDefault();
    return;
  }
  markConfirmed(event.target);
}

function markConfirmed(form) {
  if (form.querySelector('input[name="confirmed"]')) return;
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = "confirmed";
  input.value = "yes";
  form.append(input);
}
