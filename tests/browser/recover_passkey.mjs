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
import { catchCallback, launch, mailbox, need, untilCallback, virtualAuthenticator } from "./lib.mjs";

const email = need("CIAM_EMAIL");
const { mails, newMail } = mailbox(need("CIAM_MAIL_DIR"));

const chromium = await launch();
try {
  const { context, page } = await chromium.person("en");
  const authenticator = await virtualAuthenticator(context, page);
  const answered = await catchCallback(page, need("CIAM_CALLBACK"));

  // 1. From the application's sign-in page to the reset mail.
  await page.goto(need("CIAM_AUTHORIZE_URL"));
  await page.waitForURL(/\/login\?flow=/);
  await Promise.all([page.waitForURL(/\/recover\?flow=/), page.getByRole("link", { name: "Forgot password?" }).click()]);
  await page.getByLabel("Email", { exact: true }).fill(email);
  const before = mails();
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Send reset link" }).click()]);

  // 2. The mailed link, in the same browser.
  await page.goto((await newMail(before, "/recover/reset?", email)).link);
  await page.waitForURL(/\/recover\/passkey\?flow=/);
  await page.getByRole("heading", { name: "Add a passkey" }).waitFor();

  // 3. The new passkey, with the page's own button.
  await page.getByLabel("Passkey name").fill("Chromium");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const callback = await untilCallback(page, answered, "Allow");
  await page.waitForURL((url) => url.href.startsWith(need("CIAM_CALLBACK")));
  const credentials = await authenticator.credentials();
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  console.log(JSON.stringify({ callback, credentials: credentials.map((c) => ({ resident: c.isResidentCredential, rp: c.rpId })) }));
} finally {
  await chromium.close();
}
