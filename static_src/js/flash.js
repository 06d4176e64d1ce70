// Flash messages: a close button on each; confirmations fade out after a few seconds, while
// errors and warnings stay until read. data-dismiss-after="<seconds>" overrides (0: never).

const STAYING = ["flash-error", "flash-danger", "flash-warning"];
const DEFAULT_SECONDS = 6;

export function dismissAfter(message) {
  const given = Number.parseFloat(message.dataset.dismissAfter);
  if (!Number.isNaN(given)) return given;
  return STAYING.some((name) => message.classList.contains(name)) ? 0 : DEFAULT_SECONDS;
}

export function dismiss(message) {
  message.classList.add("is-dismissed");
  // The CSS transition fades it out; remove it afterwards so it leaves no gap. A timer
  // backs up transitionend, which never fires when transitions are disabled.
  const remove = () => message.remove();
  message.addEventListener("transitionend", remove, { once: true });
  setTimeout(remove, 400);
}

function addCloseButton(message) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "flash-close";
  button.setAttribute("aria-label", "Dismiss");
  button.textContent = "×";
  button.addEventListener("click", () => dismiss(message));
  message.append(button);
}

export function initFlash(root) {
  for (const message of root.querySelectorAll(".flash")) {
    addCloseButton(message);
    const seconds = dismissAfter(message);
    if (seconds > 0) setTimeout(() => dismiss(message), seconds * 1000);
  }
}
