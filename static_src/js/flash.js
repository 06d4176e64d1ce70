// Flash messages: a close button on each. Every kind stays until the reader closes it: a
// timer would hide "Password changed" from a slow reader (WCAG 2.2.1). A message may still
// ask to fade with data-dismiss-after="<seconds>".

import { text } from "./texts.js";

export function dismissAfter(message) {
  const given = Number.parseFloat(message.dataset.dismissAfter);
  return Number.isNaN(given) ? 0 : given;
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
  button.setAttribute("aria-label", text("dismiss", "Dismiss"));
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
