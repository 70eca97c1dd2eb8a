// Sign-in through an upstream OpenID Connect provider in a real browser, in the language
// CIAM_LANG (default en): headless Chromium presses the pages' buttons by their accessible names
// in that language (read from the server's own catalogue), as a person would.
//
// 1. Opens the application's authorization request (CIAM_AUTHORIZE_URL), presses "Continue with
//    CIAM_PROVIDER_NAME", signs in on the upstream's own page as CIAM_UPSTREAM_USER ("Upstream
//    user", "Sign in upstream"). That account's address belongs to CIAM_EMAIL's account, which
//    the provider is not trusted for: back on the sign-in page, the notice asks to sign in to the
//    account once, the address already filled in. The password (CIAM_PASSWORD) links the accounts
//    and signs in; consent is allowed if asked, and the callback caught.
// 2. Opens the account's "Sign-in and security" page in the same browser, finds the provider
//    under "Linked accounts" and presses "Unlink CIAM_PROVIDER_NAME", confirming it is the
//    account's owner with a code by email first (CIAM_MAIL_DIR) when the page asks for it (a
//    change needs a recent sign-in at the account's level); the page says it was unlinked.
//
// Prints one JSON line: the callback URL and what the pages said. With CIAM_PAUSE set it also
// prints one after step 1 and waits for a line on its standard input before step 2, so the test
// can look at the server in between.
// Chromium enforces the pages' Content-Security-Policy: a violation it reports fails the run.
import { createInterface } from "node:readline";
import {
  button, catalogue, catchCallback, expect, field, filler, heading, launch, mailbox, need, untilCallback,
} from "./lib.mjs";

const lang = process.env.CIAM_LANG || "en";
const msg = catalogue(lang);
// Whether the pages are written right to left (read from the first one).
let rtl = false;
// Messages with their arguments, as the page shows them.
const fill = filler(msg, () => rtl);
const origin = need("CIAM_ORIGIN");
const tenant = need("CIAM_TENANT");
const email = need("CIAM_EMAIL");
const provider = need("CIAM_PROVIDER_NAME");
const upstream = new URL(need("CIAM_UPSTREAM_ISSUER")).origin;
const callback = need("CIAM_CALLBACK");
const { mails, newCode } = mailbox(need("CIAM_MAIL_DIR"));
const t = (path) => `${origin}/t/${tenant}${path}`;

// The one status message of the page (role=status), once it is there.
const status = async (page) => {
  const notice = page.getByRole("status");
  await notice.waitFor();
  return (await notice.textContent()).trim();
};
// On the second-factor page a change leads to: a code by email, then back where it came from.
const confirmByEmail = async (page, back) => {
  await heading(page, 1, msg("mfa-title")).waitFor();
  const before = mails();
  await button(page, msg("login-email-me-a-code")).click();
  await field(page, msg("mfa-email-code-label")).fill(await newCode(before));
  await Promise.all([page.waitForURL(back), button(page, msg("action-verify")).click()]);
};
// Prints `line`; with CIAM_PAUSE, waits for a line on standard input (or its end).
const pause = async (line) => {
  if (!process.env.CIAM_PAUSE) return;
  console.log(JSON.stringify(line));
  const input = createInterface({ input: process.stdin });
  await new Promise((resolve) => {
    input.once("line", resolve);
    input.once("close", resolve);
  });
  input.close();
};

const chromium = await launch();
const report = { lang };
try {
  const { page } = await chromium.person(lang);
  const answered = await catchCallback(page, callback);

  // 1. Through the upstream, back to the sign-in page, which links the accounts.
  await page.goto(need("CIAM_AUTHORIZE_URL"));
  await page.waitForURL(/\/login\?flow=/);
  report.dir = await page.locator("html").getAttribute("dir");
  rtl = report.dir === "rtl";
  await Promise.all([
    page.waitForURL((url) => url.origin === upstream),
    button(page, fill("login-continue-with", { provider })).click(),
  ]);
  await page.getByLabel("Upstream user", { exact: true }).fill(need("CIAM_UPSTREAM_USER"));
  await Promise.all([
    page.waitForURL((url) => url.origin === origin),
    page.getByRole("button", { name: "Sign in upstream", exact: true }).click(),
  ]);
  report.back_at = new URL(page.url()).pathname;
  report.link_notice = await status(page);
  report.link_notice_id = await page.getByRole("status").getAttribute("id");
  expect("the notice", report.link_notice, fill("login-link-notice", { email, provider }));
  report.email_filled = await field(page, msg("field-email")).inputValue();
  expect("the email field", report.email_filled, email);
  await field(page, msg("field-password")).fill(need("CIAM_PASSWORD"));
  await button(page, msg("action-sign-in")).click();
  report.callback = await untilCallback(page, answered, msg("action-allow"));
  await pause({ step: "signed_in", callback: report.callback });

  // 2. The account centre: the link is listed, and goes.
  const security = t("/account/security");
  await page.goto(security);
  await heading(page, 1, msg("security-heading")).waitFor();
  await heading(page, 2, msg("security-linked-accounts")).waitFor();
  report.signed_in_with = (await page.locator("#session-sign-in").textContent()).trim();
  const unlink = fill("security-unlink-named", { provider });
  report.linked = (await page.getByRole("listitem").filter({ has: button(page, unlink) }).innerText()).trim();
  // "confirm it's you", the link in the page's notice when the sign-in does not do for a change.
  const confirmName = /<a [^>]*>(.*?)<\/a>/.exec(msg("security-confirm-first"))[1];
  const confirm = page.getByRole("link", { name: confirmName, exact: true });
  report.confirm_asked = (await confirm.count()) > 0;
  if (report.confirm_asked) {
    await Promise.all([page.waitForURL(/\/mfa\?flow=/), confirm.click()]);
    await confirmByEmail(page, security);
  }
  await Promise.all([page.waitForURL(/\/account\/security\/unlink$|\/mfa\?flow=/), button(page, unlink).click()]);
  if (/\/mfa\?flow=/.test(page.url())) {
    // The page did not ask, but the change does: confirm, then press the button again.
    report.confirm_asked_by_the_button = true;
    await confirmByEmail(page, security);
    await Promise.all([page.waitForURL(/\/account\/security\/unlink$/), button(page, unlink).click()]);
  }
  report.unlink_notice = await status(page);
  expect("after unlinking", report.unlink_notice, msg("security-unlinked"));
  report.linked_after = await heading(page, 2, msg("security-linked-accounts")).count();
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  console.log(JSON.stringify(report));
} finally {
  await chromium.close();
}
