// Recovery of an account without a password in a real browser: headless Chromium with a CDP
// virtual authenticator, clicked through by accessible names the way a user would.
//
// 1. Opens the application's authorization request, follows "Forgot password?", types the
//    address into "Email" and presses "Send reset link".
// 2. Opens the link of the mail (read from the development mailer's folder, CIAM_MAIL_DIR).
// 3. On "Add a passkey", names the passkey "Chromium" in "Passkey name" and presses
//    "Add a passkey" (navigator.credentials.create by the page's own script).
// 4. Allows the consent page if it comes, and prints one JSON line: the callback URL the server
//    redirected to and what the authenticator holds.
//
// Chromium enforces the pages' Content-Security-Policy: a violation it reports fails the run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const email = need("CIAM_EMAIL");
const authorizeUrl = need("CIAM_AUTHORIZE_URL");
const callback = need("CIAM_CALLBACK");
const mailDir = need("CIAM_MAIL_DIR");
const timeout = 20_000;

const mails = () => {
  try {
    return readdirSync(mailDir).filter((f) => f.endsWith(".eml"));
  } catch {
    return [];
  }
};
// The reset link of the first mail in the mail folder that was not there before.
const newResetLink = async (before) => {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const f of mails().filter((m) => !before.includes(m))) {
      const text = readFileSync(join(mailDir, f), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const link = text.split(/\s+/).find((w) => w.startsWith("http") && w.includes("/recover/reset?"));
      if (link) return link;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no reset mail arrived");
};

const browser = await chromium.launch({
  executablePath: need("CHROMIUM"),
  headless: true,
  // Root in a container has no user namespaces for Chromium's sandbox.
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  // A desktop browser's user agent: the headless marker would (rightly) count as a bot signal.
  const context = await browser.newContext({
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
  });
  context.setDefaultTimeout(timeout);
  const page = await context.newPage();
  const violations = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  let answered = null;
  await page.route((url) => url.href.startsWith(callback), async (route) => {
    answered = route.request().url();
    await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });

  // 1. From the application's sign-in page to the reset mail.
  await page.goto(authorizeUrl);
  await page.waitForURL(/\/login\?flow=/);
  await Promise.all([page.waitForURL(/\/recover\?flow=/), page.getByRole("link", { name: "Forgot password?" }).click()]);
  await page.getByLabel("Email", { exact: true }).fill(email);
  const before = mails();
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Send reset link" }).click()]);

  // 2. The mailed link, in the same browser.
  await page.goto(await newResetLink(before));
  await page.waitForURL(/\/recover\/passkey\?flow=/);
  await page.getByRole("heading", { name: "Add a passkey" }).waitFor();

  // 3. The new passkey, with the page's own button.
  await page.getByLabel("Passkey name").fill("Chromium");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const deadline = Date.now() + timeout;
  while (!answered) {
    if (Date.now() > deadline) throw new Error(`no callback; the browser is at ${page.url()}`);
    const error = page.locator("#passkey-error:visible, .error:visible");
    if (await error.count()) throw new Error(`the page says: ${await error.first().textContent()}`);
    if (/\/consent\?/.test(page.url())) {
      await page.click("button[name=decision][value=allow]");
    }
    await page.waitForTimeout(100);
  }
  await page.waitForURL((url) => url.href.startsWith(callback));
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  if (violations.length) throw new Error(`Content-Security-Policy violations:\n${violations.join("\n")}`);
  console.log(JSON.stringify({
    callback: answered,
    credentials: credentials.map((c) => ({ resident: c.isResidentCredential, rp: c.rpId })),
  }));
} finally {
  await browser.close();
}
