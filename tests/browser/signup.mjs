// Sign-up in a real browser, in the language the application asks for: headless Chromium opens
// the application's authorization request with prompt=create and ui_locales, fills the sign-up
// form by its accessible names in that language (read from the server's own message catalogue,
// crates/ciam-server/locales/<lang>/ciam.ftl), opens the verification link from the mail,
// confirms, allows the application, and lands back at the application with a code.
//
// Environment: CHROMIUM, CIAM_ORIGIN, CIAM_AUTHORIZE_URL (with prompt=create&ui_locales=…),
// CIAM_LANG, CIAM_EMAIL, CIAM_PASSWORD, CIAM_MAIL_DIR, CIAM_CALLBACK. Prints one JSON line: the
// callback URL, the page's lang and dir, and the verification mail's subject.
import { catalogue, catchCallback, launch, mailbox, need, untilCallback } from "./lib.mjs";

const lang = need("CIAM_LANG");
const email = need("CIAM_EMAIL");
const msg = catalogue(lang);
const { mails, newMail } = mailbox(need("CIAM_MAIL_DIR"));

const chromium = await launch();
try {
  // The visitor's browser speaks the language too (Accept-Language), as it would: the pages the
  // mail's link opens follow it.
  const { page } = await chromium.person(lang);
  const answered = await catchCallback(page, need("CIAM_CALLBACK"));

  await page.goto(need("CIAM_AUTHORIZE_URL"));
  await page.waitForURL(/\/signup\?flow=/);
  const html = page.locator("html");
  const [pageLang, dir] = [await html.getAttribute("lang"), await html.getAttribute("dir")];
  await page.getByLabel(msg("field-email"), { exact: true }).fill(email);
  await page.getByLabel(msg("field-password"), { exact: true }).fill(need("CIAM_PASSWORD"));
  await page.getByLabel(msg("claim-name"), { exact: true }).fill("Grace Hopper");
  const before = mails();
  await Promise.all([page.waitForURL(/\/signup\/verify\?flow=/), page.getByRole("button", { name: msg("signup-submit"), exact: true }).click()]);

  const { link, subject } = await newMail(before, "/verify?", email);
  await page.goto(link);
  await page.getByRole("button", { name: msg("verify-submit"), exact: true }).click();
  const callback = await untilCallback(page, answered, msg("action-allow"));
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations: ${chromium.violations.join("; ")}`);
  console.log(JSON.stringify({ callback, lang: pageLang, dir, subject }));
} finally {
  await chromium.close();
}
