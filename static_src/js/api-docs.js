// The API docs page (templates/api/docs.html): Swagger UI, bundled from npm's swagger-ui-dist
// so the page loads nothing from another site, renders the OpenAPI document named by
// data-spec-url into the element marked data-api-docs.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";

function start() {
  const root = document.querySelector("[data-api-docs]");
  if (!root) return;
  SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // Its default asks an outside validator about the document: nothing leaves this site.
    validatorUrl: null,
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
