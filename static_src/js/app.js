// Site-wide behaviour, bundled into gen/js/app.js and loaded (deferred) by base.html.
// Each module wires itself to elements marked with data attributes, so pages carry no
// inline script (the Content-Security-Policy forbids it).
import { initConfirm } from "./confirm.js";
import { initFlash } from "./flash.js";
import { initNotes } from "./notes.js";
import { initPasskeys } from "./passkeys.js";

function start() {
  initFlash(document);
  initConfirm(document);
  initNotes(document);
  initPasskeys(document);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
