// What the browser scripts share: their environment, the development mailer's folder, the
// server's message catalogue (accessible names in the page's language), TOTP codes, and a
// headless Chromium whose pages report Content-Security-Policy violations.
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

export const timeout = 20_000;

// A page's button, field (by its label) and heading (of `level`), by their accessible names.
export const button = (page, name) => page.getByRole("button", { name, exact: true });
export const field = (page, label) => page.getByLabel(label, { exact: true });
export const heading = (page, level, name) => page.getByRole("heading", { level, name, exact: true });

// Fails the run when what a page says is not what was wanted.
export const expect = (what, seen, wanted) => {
  if (seen !== wanted) throw new Error(`${what}: expected ${JSON.stringify(wanted)}, the page says ${JSON.stringify(seen)}`);
};

// Message `id` of the catalogue `msg` with its `{ $name }` arguments filled in, as the server
// does: on a right-to-left page (`rtl()`), each one between First Strong Isolate and Pop
// Directional Isolate.
export const filler = (msg, rtl) => (id, args) =>
  msg(id).replace(/\{ \$(\w+) \}/g, (_, name) => {
    if (!(name in args)) throw new Error(`${id} needs ${name}`);
    return rtl() ? `\u2068${args[name]}\u2069` : args[name];
  });

// An environment variable the script cannot run without.
export const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// The messages of the server's catalogue in `lang` (crates/ciam-server/locales/<lang>/ciam.ftl):
// `msg(id)` is a single-line message without arguments.
export const catalogue = (lang) => {
  const text = readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), "../../crates/ciam-server/locales", lang, "ciam.ftl"),
    "utf8",
  );
  return (id) => {
    const found = new RegExp(`^${id} = (.+)$`, "m").exec(text);
    if (!found) throw new Error(`no message ${id} in ${lang}`);
    return found[1].trim();
  };
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

// The development mailer's folder: `mails()` lists it; `newMail(before, part, to)` waits for the
// first mail not in `before` (to `to`, when given) with a link containing `part`, and returns
// that link, the decoded subject and text; `newCode(before)` the six-digit code of a new mail.
export const mailbox = (dir) => {
  const mails = () => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith(".eml")).sort();
    } catch {
      return [];
    }
  };
  const find = async (before, what, pick) => {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const f of mails().filter((m) => !before.includes(m))) {
        const raw = readFileSync(join(dir, f), "utf8");
        const found = pick(raw, decoded(raw));
        if (found) return found;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no mail with ${what} arrived`);
  };
  // A header's value, unfolded, its RFC 2047 encoded words decoded (the white space between two
  // of them is not part of the text).
  const header = (raw, name) => {
    const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
    const value = new RegExp(`^${name}: (.*)$`, "mi").exec(head)?.[1] ?? "";
    return value
      .replace(/\?=\s+=\?/g, "?==?")
      .replace(/=\?utf-8\?b\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, "base64").toString("utf8"));
  };
  const newMail = (before, part, to) =>
    find(before, `a ${part} link${to ? ` to ${to}` : ""}`, (raw, text) => {
      if (to && !header(raw, "To").includes(to)) return null;
      const link = text.split(/\s+/).find((w) => w.startsWith("http") && w.includes(part));
      return link ? { link, subject: header(raw, "Subject"), text } : null;
    });
  // In every language, the code ends its line.
  const newCode = (before) => find(before, "a code", (_, text) => /(?:^|\s)(\d{6})\s*$/m.exec(text)?.[1]);
  return { mails, newMail, newCode };
};

// The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 key, `offsetSecs` from now.
export const totp = (base32, offsetSecs = 0) => {
  let bits = "";
  for (const c of base32.replace(/=+$/, "").toUpperCase()) {
    bits += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() + offsetSecs * 1000) / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
};

// Debian's Chromium (CHROMIUM), headless. `browser.person(locale)` is a fresh browser profile
// with a desktop user agent (the headless marker would rightly count as a bot signal), speaking
// `locale`; every page it opens records CSP violations into `browser.violations`.
export const launch = async () => {
  const browser = await chromium.launch({
    executablePath: need("CHROMIUM"),
    headless: true,
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const violations = [];
  const person = async (locale) => {
    const context = await browser.newContext({
      locale,
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    });
    context.setDefaultTimeout(timeout);
    const page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
    return { context, page };
  };
  return { person, violations, close: () => browser.close() };
};

// Waits until `page` reaches the application's `callback` (answered by `route`, see
// `catchCallback`), pressing `allow` on a consent page on the way; fails on a visible error.
export const untilCallback = async (page, answered, allow) => {
  const deadline = Date.now() + timeout;
  while (!answered()) {
    if (Date.now() > deadline) throw new Error(`no callback; the browser is at ${page.url()}`);
    const error = page.locator("#passkey-error:visible, .error:visible");
    if (await error.count()) throw new Error(`the page says: ${await error.first().textContent()}`);
    if (/\/consent\?/.test(page.url())) {
      // The page may be leaving already (the previous click was taken): never wait long.
      await page.getByRole("button", { name: allow, exact: true }).click({ timeout: 2000 }).catch(() => {});
    }
    await page.waitForTimeout(100);
  }
  return answered();
};

// Answers the application's redirect URI on `page` itself; returns a function giving the last
// URL it was called with (null before).
export const catchCallback = async (page, callback) => {
  let answered = null;
  await page.route((url) => url.href.startsWith(callback), async (route) => {
    answered = route.request().url();
    await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });
  return () => answered;
};

// A CDP virtual authenticator on `page` (a platform authenticator with user verification and
// resident keys, as a phone or laptop has); `credentials()` lists what it holds.
export const virtualAuthenticator = async (context, page) => {
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
  return { credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials };
};

// Signs `email` in on the account's security page (sent to sign in first), confirms it's them
// with a code by email from `mailbox` (the password alone may not add an authenticator), and adds
// a passkey named "Chromium" with the page's own button (navigator.credentials.create, answered
// by the page's virtual authenticator).
export const signInAndAddPasskey = async (page, { origin, tenant, email, password, mailbox }) => {
  const { mails, newCode } = mailbox;
  await page.goto(`${origin}/t/${tenant}/account/security`);
  await page.waitForURL(/\/login\?flow=/);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/account\/security$/), page.click("form button[type=submit]")]);
  await Promise.all([page.waitForURL(/\/mfa\?flow=/), page.getByRole("link", { name: "confirm it's you" }).click()]);
  const before = mails();
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Email me a code" }).click()]);
  await page.getByLabel("Code we sent to your email").fill(await newCode(before));
  await Promise.all([page.waitForURL(/\/account\/security$/), page.getByRole("button", { name: "Verify" }).click()]);
  await page.fill("#passkey-name", "Chromium");
  const registered = page.waitForResponse((r) => r.url().endsWith("/account/security/passkey/finish"));
  // The page then goes where the answer says: wait for that navigation, not for the page it leaves.
  const navigated = page.waitForEvent("framenavigated", (frame) => frame === page.mainFrame());
  await page.click("#passkey-button");
  const finish = await registered;
  if (finish.status() !== 200) throw new Error(`registration finished with ${finish.status()}: ${await finish.text()}`);
  await navigated;
  await page.waitForLoadState("load");
};

// WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core's tags).
export const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// Runs axe-core with TAGS on `page` (evaluated through the DevTools protocol, which the page's
// Content-Security-Policy does not govern): the rules passed, the violations with their
// elements, and the rules axe could not decide.
export const axe = async (page) => {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return {
      passes: r.passes.length,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html, summary: n.failureSummary })),
      })),
      incomplete: r.incomplete.map((v) => v.id),
    };
  }, TAGS);
};
