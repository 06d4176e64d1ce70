// The API docs page (templates/api/docs.html): Swagger UI, bundled from npm's swagger-ui-dist
// so the page loads nothing from another site, renders the OpenAPI document named by
// data-spec-url into the element marked data-api-docs.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";

// Swagger UI draws a page of its own into ours: its <main> (the operations) is the page's
// main landmark (api/docs.html has none), its introduction becomes a named region, and its
// title a second-level heading under the page's <h1>, so the page has one outline (axe-core
// checks it: tests/browser/test_accessibility.py).
function fitIntoPage(root) {
  const intro = root.querySelector(".information-container");
  intro?.setAttribute("role", "region");
  intro?.setAttribute("aria-label", "About this API");
  root.querySelector(".info .title")?.setAttribute("aria-level", "2");
}

function start() {
  const root = document.querySelector("[data-api-docs]");
  if (!root) return;
  SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    // Off: its links inside each operation's toggle button are controls nested in a control.
    deepLinking: false,
    // Its default asks an outside validator about the document: nothing leaves this site.
    validatorUrl: null,
    onComplete: () => fitIntoPage(root),
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
