// fetch() for the JSON API with the browser session: same-origin cookies plus the CSRF token
// from <meta name="csrf-token"> on unsafe methods (Flask-WTF reads the X-CSRFToken header).

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function csrfToken(doc = document) {
  return doc.querySelector('meta[name="csrf-token"]')?.content || "";
}

// The API answers errors as {"error": {"code", "message"}}; anything else still yields a line.
export function errorMessage(status, body) {
  const message = body?.error?.message;
  return typeof message === "string" && message ? message : `request failed (HTTP ${status})`;
}

async function readJson(response) {
  const type = response.headers.get("Content-Type") || "";
  if (response.status === 204 || !type.includes("json")) return null;
  return response.json().catch(() => null);
}

export async function apiFetch(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (!SAFE_METHODS.has(method)) headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await readJson(response);
  if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, data), data);
  return data;
}
