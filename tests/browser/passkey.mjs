// A passkey in a real browser: headless Chromium with a CDP virtual authenticator (a platform
// authenticator with user verification and resident keys, as a phone or laptop has), driven
// through the hosted pages the way a user would click through them.
//
// 1. Opens the account page, which sends the browser to sign in; signs in with the password.
//    The password alone may not add an authenticator: follows "confirm it's you" and confirms
//    with a code by email (read from the development mailer's folder, CIAM_MAIL_DIR).
// 2. Adds a passkey named "Chromium" with the page's own button (navigator.credentials.create).
// 3. Forgets every cookie (a signed-out browser that still has the authenticator), opens the
//    authorization request, and signs in with the passkey alone (navigator.credentials.get with a
//    discoverable credential: no email typed), allowing the consent page if it comes.
// 4. Asks again with response_mode=form_post and prompt=none: the answer page's own script must
//    post the code to the callback.
// 5. Prints one JSON line: the callback URL the server redirected to, what the authenticator
//    holds, and how the form_post answer arrived.
//
// Chromium enforces the pages' Content-Security-Policy: a violation it reports (even one that
// breaks no step, such as a refused stylesheet) fails the run too.
//
// Started by the Rust end-to-end test with the environment below; it fails (non-zero exit, the
// page's visible error on stderr) on any unexpected step.
import { launch, mailbox, need, signInAndAddPasskey, timeout, virtualAuthenticator } from "./lib.mjs";

const origin = need("CIAM_ORIGIN");
const tenant = need("CIAM_TENANT");
const email = need("CIAM_EMAIL");
const password = need("CIAM_PASSWORD");
const authorizeUrl = need("CIAM_AUTHORIZE_URL");
const callback = need("CIAM_CALLBACK");
const mail = mailbox(need("CIAM_MAIL_DIR"));

const chromium = await launch();
try {
  const { context, page } = await chromium.person("en");
  const authenticator = await virtualAuthenticator(context, page);

  // 1-2. The account page asks for a sign-in first; then a passkey with the page's button.
  await signInAndAddPasskey(page, { origin, tenant, email, password, mailbox: mail });
  await page.getByText("Chromium").first().waitFor();
  const credentials = await authenticator.credentials();

  // 3. Signed out; the application sends the browser to sign in, and the passkey alone does it.
  await context.clearCookies();
  let answered = null;
  let posted = null;
  await page.route((url) => url.href.startsWith(callback), async (route) => {
    const request = route.request();
    if (request.method() === "POST") posted = { method: "POST", body: request.postData() };
    else answered = request.url();
    await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });
  await page.goto(authorizeUrl);
  await page.waitForURL(/\/login\?flow=/);
  await page.click("#passkey-button");
  const deadline = Date.now() + timeout;
  while (!answered) {
    if (Date.now() > deadline) throw new Error(`no callback; the browser is at ${page.url()}`);
    const error = page.locator("#passkey-error:visible, .error:visible");
    if (await error.count()) throw new Error(`the page says: ${await error.first().textContent()}`);
    if (/\/consent\?/.test(page.url())) {
      // The page may be leaving already (the previous click was taken): never wait long.
      await page.click("button[name=decision][value=allow]", { timeout: 2000 }).catch(() => {});
    }
    await page.waitForTimeout(100);
  }
  // The callback page has loaded (a navigation still under way would cut the next one short).
  await page.waitForURL((url) => url.href.startsWith(callback));

  // 4. The same browser, now signed in: the form_post answer submits itself.
  await page.goto(`${authorizeUrl}&response_mode=form_post&prompt=none`);
  while (!posted) {
    if (Date.now() > deadline + timeout) throw new Error(`no form_post answer; the browser is at ${page.url()}`);
    await page.waitForTimeout(100);
  }
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  console.log(JSON.stringify({
    callback: answered,
    form_post: posted,
    credentials: credentials.map((c) => ({ resident: c.isResidentCredential, rp: c.rpId, sign_count: c.signCount })),
  }));
} finally {
  await chromium.close();
}
