// The accessibility check of the hosted pages: headless Chromium visits every page a user of a
// test tenant can reach, the way a user clicks through them, and runs axe-core on each with the
// WCAG 2.0, 2.1 and 2.2 level A and AA rules. Any violation fails the run, named by page, rule
// and element.
//
// axe-core is evaluated in the page through the DevTools protocol (page.evaluate), which the
// pages' Content-Security-Policy does not govern, so the policy stays enforced for the pages'
// own resources during the whole run: a violation Chromium reports fails the run too.
//
// To check a new page, add an entry to PAGES below, in the order a user would get there (the
// entries share one browser, so an entry starts where the one before it left the browser):
//   { name, url }             opens url (relative to CIAM_ORIGIN) and checks it
//   { name, steps }           runs steps({ page, ...helpers }) and checks where it ends
// and `heading`, a RegExp the page's <h1> must match, so that a step that went astray fails
// instead of checking another page; `errorFor`, the labels of the fields a page's error message
// must describe (aria-describedby, aria-invalid), for a page that shows one; `dir`, the
// direction the page must declare on <html> (`rtl` for a right-to-left language).
//
// With CIAM_SCREENSHOTS set, each page checked is also saved as a PNG there.
//
// Beyond axe-core, each page is checked for a visible keyboard focus: the first Tab must give the
// focused element a solid outline at least 2px wide.
//
// Started by tests/e2e/accessibility.rs with the environment below; prints one JSON line (the
// pages checked, with the number of rules that passed) and exits non-zero on any failure.
import { join } from "node:path";
import { TAGS, axe, launch, mailbox, need, totp } from "./lib.mjs";

const origin = need("CIAM_ORIGIN");
const tenant = need("CIAM_TENANT");
const email = need("CIAM_EMAIL");
const password = need("CIAM_PASSWORD");
const authorizeUrl = need("CIAM_AUTHORIZE_URL");
const mailDir = need("CIAM_MAIL_DIR");
const deviceUserCode = need("CIAM_DEVICE_USER_CODE");
const passwordlessEmail = need("CIAM_PASSWORDLESS_EMAIL");
// When set, a screenshot of every page checked is saved there (docs/images/hosted-pages holds
// the ones the documentation shows: CIAM_SCREENSHOTS=$PWD/docs/images/hosted-pages).
const screenshots = process.env.CIAM_SCREENSHOTS;
const t = (path) => `${origin}/t/${tenant}${path}`;


const { mails, newMail, newCode } = mailbox(mailDir);
// The first link containing `part` in a mail that was not in the folder before.
const newLink = async (before, part) => (await newMail(before, part)).link;

// Fills the sign-up form (the test tenant asks for a name and the terms).
const fillSignUp = async (page, address) => {
  await page.getByLabel("Email", { exact: true }).fill(address);
  await page.getByLabel("Password", { exact: true }).fill("a long and unusual passphrase");
  await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
  await page.getByRole("checkbox").check();
};

// Submits a form with the button named `name` and waits for the page it leads to.
const submit = async (page, name) => {
  await Promise.all([page.waitForLoadState("load"), page.waitForNavigation(), page.getByRole("button", { name, exact: true }).click()]);
};

// The pages, in the order a user reaches them.
const PAGES = [
  { name: "sign-in", url: authorizeUrl, heading: /^Sign in to / },
  {
    name: "sign-in with an error",
    errorFor: ["Email", "Password"],
    heading: /^Sign in to /,
    steps: async ({ page }) => {
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Password").fill("not the password");
      await submit(page, "Sign in");
      await page.locator("#form-error[role=alert]").waitFor();
    },
  },
  {
    name: "email code",
    heading: /^Check your email$/,
    steps: async ({ page }) => {
      await page.goto(authorizeUrl);
      await page.getByLabel("Or get a sign-in code by email").fill(email);
      await submit(page, "Email me a code");
    },
  },
  {
    name: "email code with an error",
    errorFor: ["Sign-in code"],
    heading: /^Check your email$/,
    steps: async ({ page }) => {
      await page.getByLabel("Sign-in code").fill("000000");
      await submit(page, "Sign in");
      await page.locator("#form-error[role=alert]").waitFor();
    },
  },
  {
    name: "account security",
    heading: /^Sign-in and security$/,
    steps: async ({ page }) => {
      await page.goto(t("/account/security"));
      await page.waitForURL(/\/login\?flow=/);
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Password").fill(password);
      await Promise.all([page.waitForURL(/\/account\/security$/), page.getByRole("button", { name: "Sign in", exact: true }).click()]);
    },
  },
  {
    name: "second factor",
    heading: /^Confirm it's you$/,
    steps: async ({ page }) => {
      await Promise.all([page.waitForURL(/\/mfa\?flow=/), page.getByRole("link", { name: "confirm it's you" }).click()]);
    },
  },
  {
    name: "second factor, code sent",
    heading: /^Confirm it's you$/,
    steps: async ({ page, state }) => {
      state.before = mails();
      await submit(page, "Email me a code");
      await page.getByLabel("Code we sent to your email").waitFor();
    },
  },
  {
    name: "second factor with an error",
    errorFor: ["Code we sent to your email"],
    heading: /^Confirm it's you$/,
    steps: async ({ page }) => {
      await page.getByLabel("Code we sent to your email").fill("000000");
      await submit(page, "Verify");
      await page.locator("#form-error[role=alert]").waitFor();
    },
  },
  {
    name: "authenticator app enrolment",
    heading: /^Add an authenticator app$/,
    steps: async ({ page, state }) => {
      await page.getByLabel("Code we sent to your email").fill(await newCode(state.before));
      await Promise.all([page.waitForURL(/\/account\/security$/), page.getByRole("button", { name: "Verify" }).click()]);
      await Promise.all([page.waitForURL(/\/account\/security\/totp$/), page.getByRole("link", { name: "Add an authenticator app" }).click()]);
    },
  },
  {
    name: "authenticator app enrolment with an error",
    errorFor: ["The 6-digit code your app shows"],
    heading: /^Add an authenticator app$/,
    steps: async ({ page }) => {
      await page.getByLabel("The 6-digit code your app shows").fill("000000");
      await submit(page, "Confirm");
      await page.locator("#form-error[role=alert]").waitFor();
    },
  },
  {
    name: "recovery codes",
    heading: /^Your recovery codes$/,
    steps: async ({ page, state }) => {
      const key = (await page.locator("#totp-secret").textContent()).trim();
      state.totpKey = key;
      await page.getByLabel("The 6-digit code your app shows").fill(totp(key));
      await submit(page, "Confirm");
    },
  },
  { name: "account security with an authenticator", url: t("/account/security"), heading: /^Sign-in and security$/ },
  // The tenant's terms (a required purpose) were never accepted: asked before the app's consent.
  { name: "updated terms", url: `${authorizeUrl}&prompt=consent`, heading: /^Before you continue$/ },
  {
    name: "consent",
    heading: /^Allow .+ access\?$/,
    steps: async ({ page }) => {
      await page.getByLabel("I accept Terms of service").check();
      await submit(page, "Continue");
    },
  },
  { name: "device", url: t("/device"), heading: /^Connect a device$/ },
  {
    name: "device with an error",
    errorFor: ["Code"],
    heading: /^Connect a device$/,
    steps: async ({ page }) => {
      await page.getByLabel("Code").fill("BCDF-GHJK");
      await submit(page, "Continue");
      await page.locator("#form-error[role=alert]").waitFor();
    },
  },
  {
    name: "device consent",
    heading: /^Allow .+ access\?$/,
    steps: async ({ page }) => {
      await page.getByLabel("Code").fill(deviceUserCode);
      await submit(page, "Continue");
    },
  },
  {
    name: "device connected",
    heading: /connected/,
    steps: async ({ page }) => submit(page, "Allow"),
  },
  { name: "sign out", url: t("/logout"), heading: /^Sign out of / },
  { name: "signed out", heading: /^You are signed out$/, steps: async ({ page }) => submit(page, "Sign out") },
  { name: "sign-up", url: `${authorizeUrl}&prompt=create`, heading: /^Create your / },
  {
    name: "sign-up with an error",
    errorFor: ["Email"],
    heading: /^Create your /,
    steps: async ({ page }) => {
      await fillSignUp(page, "someone@blocked.example");
      await submit(page, "Create account");
      await page.locator("#form-error[role=alert]").waitFor();
    },
  },
  {
    name: "check your email",
    heading: /^Check your email$/,
    steps: async ({ page, state }) => {
      state.before = mails();
      await fillSignUp(page, "grace@example.com");
      await submit(page, "Create account");
    },
  },
  {
    name: "check your email with an error",
    heading: /^Check your email$/,
    steps: async ({ page }) => {
      await page.getByLabel("Code", { exact: true }).fill("000000");
      await submit(page, "Verify");
      await page.locator("#code-error[role=alert]").waitFor();
    },
  },
  {
    name: "confirm email address",
    heading: /^Confirm your email address$/,
    steps: async ({ page, state }) => page.goto(await newLink(state.before, "/verify?")),
  },
  { name: "forgot password", url: t("/recover"), heading: /^Reset your password$/ },
  {
    name: "reset link sent",
    heading: /^Check your email$/,
    steps: async ({ page, state }) => {
      state.before = mails();
      await page.getByLabel("Email", { exact: true }).fill(email);
      await submit(page, "Send reset link");
    },
  },
  {
    name: "new password",
    heading: /^Choose a new password$/,
    steps: async ({ page, state }) => page.goto(await newLink(state.before, "/recover/reset?")),
  },
  {
    // The account has an authenticator app: the reset asks for it before the password changes.
    name: "second factor before a new password",
    heading: /^Confirm it's you$/,
    steps: async ({ page }) => {
      await page.getByLabel("New password", { exact: true }).fill("another long and unusual passphrase");
      await submit(page, "Set password");
    },
  },
  {
    name: "account overview",
    heading: /^Your account$/,
    steps: async ({ page, state }) => {
      // The next time step's code: the enrolment used the current one.
      await page.getByLabel("Code from your authenticator app").fill(totp(state.totpKey, 30));
      await submit(page, "Verify");
      await page.goto(t("/account"));
    },
  },
  { name: "account profile", url: t("/account/profile"), heading: /^Profile$/ },
  { name: "account password", url: t("/account/password"), heading: /^Password$/ },
  { name: "account sessions", url: t("/account/sessions"), heading: /^Sessions$/ },
  { name: "account connected apps", url: t("/account/apps"), heading: /^Connected apps$/ },
  { name: "account agents", url: t("/account/agents"), heading: /^Agents$/ },
  { name: "account approval requests", url: t("/account/approvals"), heading: /^Approval requests$/ },
  { name: "account privacy", url: t("/account/privacy"), heading: /^Privacy$/ },
  {
    // An account without a password: its reset link opens "Add a passkey".
    name: "add a passkey by mail",
    heading: /^Add a passkey$/,
    steps: async ({ page, state }) => {
      await page.goto(t("/recover"));
      state.before = mails();
      await page.getByLabel("Email", { exact: true }).fill(passwordlessEmail);
      await submit(page, "Send reset link");
      await page.goto(await newLink(state.before, "/recover/reset?"));
    },
  },
  // The account centre right to left: the language switcher's link (a cookie) turns it Arabic.
  { name: "account profile in Arabic", url: t("/account/profile?lang=ar"), heading: /^الملف الشخصي$/, dir: "rtl" },
  { name: "account sessions in Arabic", url: t("/account/sessions"), heading: /^الجلسات$/, dir: "rtl" },
  // Right to left: the sign-in page in Arabic (the authorization request's ui_locales;
  // prompt=login, since the account pages above left a session).
  { name: "sign-in in Arabic", url: `${authorizeUrl}&ui_locales=ar&prompt=login`, heading: /^تسجيل الدخول إلى /, dir: "rtl" },
  { name: "error", url: t("/authorize?client_id=nobody&response_type=code&lang=en"), heading: /^Something went wrong$/ },
];

const chromium = await launch();
const failures = [];
const checked = [];
try {
  const { page } = await chromium.person("en");
  const state = {};
  for (const entry of PAGES) {
    try {
      if (entry.url) await page.goto(entry.url);
      if (entry.steps) await entry.steps({ page, state });
      await page.waitForLoadState("load");
      const heading = (await page.locator("h1").first().textContent({ timeout: 5_000 }))?.trim() ?? "";
      if (entry.heading && !entry.heading.test(heading)) {
        throw new Error(`expected a heading matching ${entry.heading}, the page at ${page.url()} says "${heading}"`);
      }
      if (entry.dir) {
        const dir = await page.evaluate(() => document.documentElement.dir);
        if (dir !== entry.dir) failures.push(`page "${entry.name}": <html dir="${dir}">, expected "${entry.dir}"`);
      }
      for (const label of entry.errorFor ?? []) {
        const field = page.getByLabel(label, { exact: true });
        const [invalid, description] = await Promise.all([
          field.getAttribute("aria-invalid"),
          field.evaluate((el) =>
            (el.getAttribute("aria-describedby") ?? "").split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" "),
          ),
        ]);
        const error = (await page.locator("#form-error[role=alert]").textContent()).trim();
        if (invalid !== "true" || !description.includes(error)) {
          failures.push(`page "${entry.name}": the field "${label}" is not described by the error "${error}" (aria-invalid=${invalid}, description "${description}")`);
        }
      }
      const focusable = "a[href], button:not([hidden]), input:not([type=hidden]), summary, [tabindex]";
      const hasFocusable = await page.evaluate((sel) => document.querySelector(sel) !== null, focusable);
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const style = el && el !== document.body ? getComputedStyle(el) : null;
        return style && { element: el.outerHTML.slice(0, 120), style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor };
      });
      if (hasFocusable && (!focus || focus.style !== "solid" || !(focus.width >= 2))) {
        failures.push(`page "${entry.name}": no visible keyboard focus after Tab: ${JSON.stringify(focus)}`);
      }
      const result = await axe(page);
      for (const v of result.violations) {
        for (const n of v.nodes) {
          failures.push(`page "${entry.name}" (${page.url()}): ${v.id} (${v.impact}): ${v.help}\n  element ${n.target}: ${n.html}\n  ${n.summary?.replace(/\n/g, "\n  ")}`);
        }
      }
      checked.push({ name: entry.name, url: page.url(), passes: result.passes, violations: result.violations.length, incomplete: result.incomplete });
      if (screenshots) {
        await page.screenshot({ path: join(screenshots, `${entry.name.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true });
      }
    } catch (e) {
      failures.push(`page "${entry.name}": could not be checked: ${e.message}`);
      break;
    }
  }
  for (const v of chromium.violations) failures.push(`Content-Security-Policy violation: ${v}`);
} finally {
  await chromium.close();
}
console.log(JSON.stringify({ pages: checked }));
if (failures.length) {
  console.error(`${failures.length} accessibility failure(s) (axe-core, ${TAGS.join(", ")}):\n${failures.join("\n")}`);
  process.exit(1);
}
