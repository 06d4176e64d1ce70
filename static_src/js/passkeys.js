// Passkeys (WebAuthn): add one on the two-factor settings page, answer the sign-in's second
// step with one. The server sends the options as JSON (py_webauthn's options_to_json, binary
// fields base64url) and verifies what the browser returns; this module only converts between
// base64url and ArrayBuffers and calls navigator.credentials.
import { csrfToken } from "./api.js";
import { text } from "./texts.js";

function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  const bytes = String.fromCharCode(...new Uint8Array(buffer));
  return btoa(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function postJson(url, body, token) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body ?? {}),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.error?.message || `request failed (HTTP ${response.status})`);
  return data;
}

function creationOptions(options) {
  return {
    ...options,
    challenge: fromBase64url(options.challenge),
    user: { ...options.user, id: fromBase64url(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

function requestOptions(options) {
  return {
    ...options,
    challenge: fromBase64url(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

function registrationJson(credential) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      attestationObject: toBase64url(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

function assertionJson(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(r.clientDataJSON),
      authenticatorData: toBase64url(r.authenticatorData),
      signature: toBase64url(r.signature),
      userHandle: r.userHandle ? toBase64url(r.userHandle) : null,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

function say(root, text) {
  const status = root.querySelector("[data-passkey-status]") || root.parentElement.querySelector("[data-passkey-status]");
  if (status) status.textContent = text;
}

function wireRegister(box) {
  const button = box.querySelector("[data-passkey-add]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const token = csrfToken();
      const options = await postJson(box.dataset.optionsUrl, {}, token);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      const name = box.querySelector("[data-passkey-name]").value;
      await postJson(box.dataset.url, { name, credential: registrationJson(credential) }, token);
      window.location.reload();
    } catch (error) {
      say(box, `${text("passkey-not-added", "Passkey not added:")} ${error.message}`);
      button.disabled = false;
    }
  });
}

function wireSignIn(button) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const token = button.dataset.csrf;
      const options = await postJson(button.dataset.optionsUrl, {}, token);
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      const result = await postJson(button.dataset.url, { credential: assertionJson(credential) }, token);
      window.location.assign(result.next);
    } catch (error) {
      say(button, `${text("passkey-sign-in-failed", "Passkey sign-in failed:")} ${error.message}`);
      button.disabled = false;
    }
  });
}

export function initPasskeys(root) {
  if (!window.PublicKeyCredential) return;
  root.querySelectorAll("[data-passkey-register]").forEach(wireRegister);
  root.querySelectorAll("[data-passkey-sign-in]").forEach(wireSignIn);
}
