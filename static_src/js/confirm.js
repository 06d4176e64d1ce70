// Destructive actions ask first: a submit button or form with data-confirm="Question?" only
// submits when the user agrees. One listener on the document covers forms added later.

export function confirmMessage(form, submitter) {
  return submitter?.dataset?.confirm || form.dataset.confirm || null;
}

export function initConfirm(root) {
  root.addEventListener("submit", (event) => {
    const message = confirmMessage(event.target, event.submitter);
    if (message && !window.confirm(message)) event.preventDefault();
  });
}
