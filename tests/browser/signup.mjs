// Sign-up in a real browser, in the language the application asks for: headless Chromium opens
// the application's authorization request with prompt=create and ui_locales, fills the sign-up
// form by its accessible names in that language (read from the server's own message catalogue,
// crates/ciam-server/locales/<lang>/ciam.ftl), opens the verification link from the mail,
// confirms, allows the application, and lands back at the application with a code.
//
// Environment: CHROMIUM, CIAM_ORIGIN, CIAM_AUTHORIZE_URL (with prompt=create&ui_locales=…),
// CIAM_LANG, CIAM_EMAIL, CIAM_PASSWORD, CIAM_MAIL_DIR, CIAM_CALLBACK. Prints one JSON line: the
// callback URL, the page's lang and dir, and the verification mail's subject.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const lang = need("CIAM_LANG");
const email = need("CIAM_EMAIL");
const mailDir = need("CIAM_MAIL_DIR");
const callback = need("CIAM_CALLBACK");
const timeout = 20_000;

// A message of the server's catalogue in `lang` (single-line messages without arguments).
const catalogue = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "../../crates/ciam-server/locales", lang, "ciam.ftl"),
  "utf8",
);
const msg = (id) => {
  const found = new RegExp(`^${id} = (.+)$`, "m").exec(catalogue);
  if (!found) throw new Error(`no message ${id} in ${lang}`);
  return found[1].trim();
};

// The first mail that was not in the folder before: its subject and the link containing `part`.
const mails = () => {
  try {
    return readdirSync(mailDir).filter((f) => f.endsWith(".eml"));
  } catch {
    return [];
  }
};
// A message's parts, each decoded from its transfer encoding (base64 or quoted-printable).
const decoded = (raw) =>
  raw
    .split(/\r?\n--/)
    .map((p) => {
      const [head, ...rest] = p.split(/\r?\n\r?\n/);
      const body = rest.join("\n\n");
      if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
      if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
        return body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      }
      return body;
    })
    .join("\n");
const newMail = async (before, part) => {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const f of mails().filter((m) => !before.includes(m))) {
      const raw = readFileSync(join(mailDir, f), "utf8");
      const link = decoded(raw).split(/\s+/).find((w) => w.startsWith("http") && w.includes(part));
      const subject = (/^Subject: (.*)$/m.exec(raw)?.[1] ?? "").replace(/=\?utf-8\?b\?([^?]*)\?=\s*/gi, (_, b) =>
        Buffer.from(b, "base64").toString("utf8"),
      );
      if (link) return { link, subject };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail with a ${part} link arrived`);
};

const browser = await chromium.launch({ executablePath: need("CHROMIUM"), headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
try {
  // The visitor's browser speaks the language too (Accept-Language), as it would: the pages the
  // mail's link opens follow it.
  const context = await browser.newContext({
    locale: lang,
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
  });
  context.setDefaultTimeout(timeout);
  const page = await context.newPage();
  const cspViolations = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  let answered = null;
  await page.route((url) => url.href.startsWith(callback), async (route) => {
    answered = route.request().url();
    await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });

  await page.goto(need("CIAM_AUTHORIZE_URL"));
  await page.waitForURL(/\/signup\?flow=/);
  const html = page.locator("html");
  const [pageLang, dir] = [await html.getAttribute("lang"), await html.getAttribute("dir")];
  await page.getByLabel(msg("field-email"), { exact: true }).fill(email);
  await page.getByLabel(msg("field-password"), { exact: true }).fill(need("CIAM_PASSWORD"));
  await page.getByLabel(msg("claim-name"), { exact: true }).fill("Grace Hopper");
  const before = mails();
  await Promise.all([page.waitForURL(/\/signup\/verify\?flow=/), page.getByRole("button", { name: msg("signup-submit"), exact: true }).click()]);

  const { link, subject } = await newMail(before, "/verify?");
  await page.goto(link);
  await page.getByRole("button", { name: msg("verify-submit"), exact: true }).click();
  const deadline = Date.now() + timeout;
  while (!answered) {
    if (Date.now() > deadline) throw new Error(`no callback; the browser is at ${page.url()}`);
    if (/\/consent\?/.test(page.url())) {
      await page.getByRole("button", { name: msg("action-allow"), exact: true }).click();
    }
    await page.waitForTimeout(100);
  }
  if (cspViolations.length) throw new Error(`Content-Security-Policy violations: ${cspViolations.join("; ")}`);
  console.log(JSON.stringify({ callback: answered, lang: pageLang, dir, subject }));
} finally {
  await browser.close();
}
