// Consent purposes in a real browser, pressed by their accessible names in English (read from
// the server's own catalogue where the words are ciam's): Ada opens the app's sign-in
// (CIAM_AUTHORIZE_URL), signs in (CIAM_EMAIL, CIAM_PASSWORD), and the page "Before you continue"
// asks for the tenant's terms: she ticks "I accept the Acme terms", presses "Continue", allows the
// app and reaches its callback (CIAM_CALLBACK). On the account centre's Privacy page she grants
// "Product news" and withdraws it again, one click each.
//
// Prints one JSON line: the callback reached and what the Privacy page said after each click.
// Chromium enforces the pages' Content-Security-Policy: a violation it reports fails the run.
import { button, catalogue, catchCallback, field, filler, heading, launch, need, untilCallback } from "./lib.mjs";

const msg = catalogue("en");
const fill = filler(msg, () => false);
const origin = need("CIAM_ORIGIN");

const chromium = await launch();
const report = {};
try {
  const { context, page } = await chromium.person("en");
  const answered = await catchCallback(page, need("CIAM_CALLBACK"));
  await page.goto(need("CIAM_AUTHORIZE_URL"));
  await page.waitForURL(/\/login\?flow=/);
  await field(page, msg("field-email")).fill(need("CIAM_EMAIL"));
  await field(page, msg("field-password")).fill(need("CIAM_PASSWORD"));
  await Promise.all([page.waitForURL(/\/consent\/purposes\?flow=/), button(page, msg("action-sign-in")).click()]);
  await heading(page, 1, msg("purposes-title")).waitFor();
  await field(page, fill("purposes-accept", { title: "the Acme terms" })).check();
  await Promise.all([page.waitForURL(/\/consent\?flow=/), button(page, msg("action-continue")).click()]);
  report.callback = await untilCallback(page, answered, msg("action-allow"));
  // The account centre in another tab of the same browser: the app's tab may still be
  // finishing its callback.
  const account = await context.newPage();
  account.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) chromium.violations.push(`${account.url()}: ${m.text()}`);
  });
  await account.goto(`${origin}/t/acme/account/privacy`);
  await heading(account, 1, msg("nav-privacy")).waitFor();
  await Promise.all([account.waitForLoadState("load"), button(account, fill("privacy-grant", { title: "Product news" })).click()]);
  await button(account, fill("privacy-withdraw", { title: "Product news" })).waitFor();
  report.after_grant = (await account.locator("main").textContent()).replace(/\s+/g, " ");
  await Promise.all([account.waitForLoadState("load"), button(account, fill("privacy-withdraw", { title: "Product news" })).click()]);
  await button(account, fill("privacy-grant", { title: "Product news" })).waitFor();
  report.after_withdraw = (await account.locator("main").textContent()).replace(/\s+/g, " ");
  report.csp_violations = chromium.violations;
} finally {
  await chromium.close();
}
console.log(JSON.stringify(report));
