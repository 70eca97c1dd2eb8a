// Passkey ceremonies of the hosted pages. The element #passkey names the endpoints, the flow (or
// session) and the CSRF token; the server's options are WebAuthn JSON with base64url binary
// fields, and the browser's answer is sent back the same way.
(function () {
  "use strict";
  const box = document.getElementById("passkey");
  const button = document.getElementById("passkey-button");
  const errorBox = document.getElementById("passkey-error");
  if (!box || !button || !window.PublicKeyCredential) {
    if (box) box.hidden = true;
    const unsupported = document.getElementById("passkey-unsupported");
    if (box && unsupported) unsupported.hidden = false;
    return;
  }
  const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
  const str = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const post = async (url, body) => {
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin", body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error || "The passkey could not be used.");
    return json;
  };
  const show = (message) => { errorBox.textContent = message; errorBox.hidden = false; };
  const base = { flow: box.dataset.flow, csrf: box.dataset.csrf };
  button.addEventListener("click", async () => {
    errorBox.hidden = true;
    try {
      const options = await post(box.dataset.start, base);
      const pk = options.publicKey;
      pk.challenge = b64(pk.challenge);
      let credential;
      if (box.dataset.mode === "register") {
        pk.user.id = b64(pk.user.id);
        (pk.excludeCredentials || []).forEach((c) => { c.id = b64(c.id); });
        const c = await navigator.credentials.create({ publicKey: pk });
        credential = { id: c.id, rawId: str(c.rawId), type: c.type, extensions: {},
          response: { clientDataJSON: str(c.response.clientDataJSON), attestationObject: str(c.response.attestationObject),
                      transports: c.response.getTransports ? c.response.getTransports() : undefined } };
      } else {
        (pk.allowCredentials || []).forEach((c) => { c.id = b64(c.id); });
        const c = await navigator.credentials.get({ publicKey: pk, mediation: options.mediation });
        credential = { id: c.id, rawId: str(c.rawId), type: c.type, extensions: {},
          response: { clientDataJSON: str(c.response.clientDataJSON), authenticatorData: str(c.response.authenticatorData),
                      signature: str(c.response.signature), userHandle: c.response.userHandle ? str(c.response.userHandle) : null } };
      }
      const name = document.getElementById("passkey-name");
      const done = await post(box.dataset.finish, Object.assign({ credential, name: name ? name.value : undefined }, base));
      window.location.assign(done.redirect);
    } catch (e) {
      show(e && e.name === "NotAllowedError" ? "The passkey request was cancelled or timed out." : (e.message || String(e)));
    }
  });
})();
