/* Sign-in, asked for only when the server keeps the figures for analysts (a 401).
 * The token goes into an HttpOnly session cookie, which the EventSource stream sends too. */
import { els } from "./dom.js";
import { t } from "./i18n.js";

export function signIn() {
  if (!els.signin.open) els.signin.showModal();
}

export function onSignedIn(then) {
  els.signinForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const response = await fetch("/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: els.signinToken.value.trim() }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      els.signinError.textContent = t().signinFailed + (body.detail || response.status);
      els.signinError.hidden = false;
      return;
    }
    els.signinToken.value = "";
    els.signinError.hidden = true;
    els.signin.close();
    then();
  });
}
