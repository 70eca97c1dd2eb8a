// The self-service flows in a real browser, in the language CIAM_LANG: headless Chromium fills
// every form by its accessible names in that language (read from the server's own catalogue) and
// follows the links the development mailer writes (CIAM_MAIL_DIR), as a person would:
//
// 1. Sign-up with an address that has an account: the same "check your mail" page, and the
//    owner (CIAM_ADA) gets a mail pointing to the reset page.
// 2. Sign-up of CIAM_NEWCOMER without opening the mail: the next sign-in is held at "check your
//    mail" until the mailed link confirms the address, then back at the application.
// 3. "Forgot password?" from the application's sign-in page for Ada: the mailed link, "New
//    password", back at the application; the link then no longer works.
// 4. The same for CIAM_TOM, whose authenticator app (CIAM_TOTP_SECRET) is asked for before the
//    new password takes effect.
// 5. Ada changes her address to CIAM_CHANGED_EMAIL on the profile page, after confirming it is
//    her with a code by email (a change needs a recent sign-in), through the link mailed to the
//    new address.
// 6. Ada signs out her other sessions: the other browser's next request finds it signed out.
// 7. Ada removes the application's access: its next authorization request asks for consent.
//
// Prints one JSON line: the page's lang and dir, and each callback URL.
// Chromium enforces the pages' Content-Security-Policy: a violation it reports fails the run.
import { button, catalogue, catchCallback, field, launch, mailbox, need, totp, untilCallback } from "./lib.mjs";

const lang = need("CIAM_LANG");
const msg = catalogue(lang);
const origin = need("CIAM_ORIGIN");
const tenant = need("CIAM_TENANT");
const callback = need("CIAM_CALLBACK");
const password = need("CIAM_PASSWORD");
const newPassword = need("CIAM_NEW_PASSWORD");
const [ada, tom, newcomer, changed] = ["CIAM_ADA", "CIAM_TOM", "CIAM_NEWCOMER", "CIAM_CHANGED_EMAIL"].map(need);
const authorize = `${need("CIAM_AUTHORIZE_URL")}&ui_locales=${lang}`;
const t = (path) => `${origin}/t/${tenant}${path}`;
const { mails, newMail, newCode } = mailbox(need("CIAM_MAIL_DIR"));
const allow = msg("action-allow");

const heading = (page, name) => page.getByRole("heading", { level: 1, name }).waitFor();
// Presses the button `name` and waits for the page it leads to.
const press = async (page, name, url) => Promise.all([page.waitForURL(url), button(page, name).click()]);

const signUp = async (page, email) => {
  await page.goto(`${authorize}&prompt=create`);
  await page.waitForURL(/\/signup\?flow=/);
  await field(page, msg("field-email")).fill(email);
  await field(page, msg("field-password")).fill(password);
  await field(page, msg("claim-name")).fill("Grace Hopper");
  await press(page, msg("signup-submit"), /\/signup\/verify\?flow=/);
  await heading(page, msg("check-email-title"));
};
const signIn = async (page, email, secret, next) => {
  await page.goto(authorize);
  await page.waitForURL(/\/login\?flow=/);
  await field(page, msg("field-email")).fill(email);
  await field(page, msg("field-password")).fill(secret);
  await press(page, msg("action-sign-in"), next);
};
// From the application's sign-in page to the reset page the mailed link opens; sets the new
// password. Returns the link.
const reset = async (page, email) => {
  await page.goto(authorize);
  await page.waitForURL(/\/login\?flow=/);
  await Promise.all([page.waitForURL(/\/recover\?flow=/), page.getByRole("link", { name: msg("login-forgot-password") }).click()]);
  await field(page, msg("field-email")).fill(email);
  const before = mails();
  await button(page, msg("recover-submit")).click();
  await heading(page, msg("check-email-title"));
  const { link } = await newMail(before, "/recover/reset?", email);
  await page.goto(link);
  await page.waitForURL(/\/recover\/password\?flow=/);
  await field(page, msg("new-password-label")).fill(newPassword);
  await button(page, msg("new-password-submit")).click();
  return link;
};

const chromium = await launch();
const report = { lang };
try {
  // 1. A taken address: the same page, and a mail to its owner.
  {
    const { page } = await chromium.person(lang);
    const before = mails();
    await signUp(page, ada);
    const html = page.locator("html");
    [report.page_lang, report.dir] = [await html.getAttribute("lang"), await html.getAttribute("dir")];
    await newMail(before, "/recover", ada);
  }

  // 2. Held at "check your mail" until the address is proven.
  {
    const { context, page } = await chromium.person(lang);
    const answered = await catchCallback(page, callback);
    let before = mails();
    await signUp(page, newcomer);
    await newMail(before, "/verify?", newcomer);
    await context.clearCookies();
    before = mails();
    await signIn(page, newcomer, password, /\/signup\/verify\?flow=/);
    await heading(page, msg("check-email-title"));
    const { link } = await newMail(before, "/verify?", newcomer);
    await page.goto(link);
    await button(page, msg("verify-submit")).click();
    report.held_callback = await untilCallback(page, answered, allow);
  }

  // 3. Ada's reset; the link works once.
  const adas = await chromium.person(lang);
  {
    const answered = await catchCallback(adas.page, callback);
    const link = await reset(adas.page, ada);
    report.reset_callback = await untilCallback(adas.page, answered, allow);
    const { page } = await chromium.person(lang);
    const again = await page.goto(link);
    report.reused_link_status = again.status();
    await page.getByText(msg("recover-link-gone")).waitFor();
  }

  // 4. Tom's reset asks for his authenticator app first.
  {
    const { page } = await chromium.person(lang);
    const answered = await catchCallback(page, callback);
    await reset(page, tom);
    await page.waitForURL(/\/mfa\?flow=/);
    await heading(page, msg("mfa-title"));
    // The next step's code: the enrolment used the current one.
    await field(page, msg("mfa-totp-label")).fill(totp(need("CIAM_TOTP_SECRET"), 30));
    await button(page, msg("action-verify")).click();
    report.second_factor_reset_callback = await untilCallback(page, answered, allow);
  }

  // 5. A new address, confirmed by a code by email first, proven through the new mailbox.
  const { page } = adas;
  {
    await page.goto(t("/account/profile"));
    await Promise.all([page.waitForURL(/\/mfa\?flow=/), page.locator('a[href*="/account/confirm"]').click()]);
    let before = mails();
    await button(page, msg("login-email-me-a-code")).click();
    await field(page, msg("mfa-email-code-label")).fill(await newCode(before));
    await press(page, msg("action-verify"), /\/account\/profile$/);
    await field(page, msg("profile-new-email")).fill(changed);
    before = mails();
    await button(page, msg("profile-change-email")).click();
    const { link } = await newMail(before, "/account/email/confirm", changed);
    await page.goto(link);
    await button(page, msg("verify-submit")).click();
    await page.waitForLoadState("load");
    await page.goto(t("/account/profile"));
    report.profile_email = await page.locator("#email-address").textContent();
  }

  // 6. The other session ends.
  {
    const other = await chromium.person(lang);
    const answered = await catchCallback(other.page, callback);
    await other.page.goto(authorize);
    await other.page.waitForURL(/\/login\?flow=/);
    await field(other.page, msg("field-email")).fill(changed);
    await field(other.page, msg("field-password")).fill(newPassword);
    await button(other.page, msg("action-sign-in")).click();
    await untilCallback(other.page, answered, allow);
    await page.goto(t("/account/sessions"));
    await press(page, msg("sessions-sign-out-others"), /\/account\/sessions/);
    await other.page.goto(t("/account/sessions"));
    await other.page.waitForURL(/\/login\?flow=/);
    report.other_session_signed_out = true;
  }

  // 7. The app's access removed: consent is asked again.
  {
    await page.goto(t("/account/apps"));
    await press(page, msg("apps-remove"), /\/account\/apps/);
    await page.goto(authorize);
    await page.waitForURL(/\/consent\?flow=/);
    report.consent_asked_again = true;
  }
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  console.log(JSON.stringify(report));
} finally {
  await chromium.close();
}
