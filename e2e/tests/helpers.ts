import { APIRequestContext, Browser, BrowserContext, expect, Page, test as base } from "@playwright/test";

/**
 * Every test fails on an error in the console of any page it opens (the app's, a game's), unless
 * it says which it expects: `consoleErrors.allow(/status of 401/)` where it sends a wrong
 * password on purpose, say.
 */
export const test = base.extend<{ consoleErrors: { allow: (...patterns: RegExp[]) => void } }>({
  consoleErrors: [
    async ({ page, context, browser }, use) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];
      const watch = (p: Page) => {
        p.on("console", (m) => {
          if (m.type() === "error") seen.push(`${p.url()}: ${m.text()}`);
        });
        p.on("pageerror", (e) => seen.push(`${p.url()}: ${e.message}`));
      };
      const watchContext = (c: BrowserContext) => c.on("page", watch);
      watch(page);
      watchContext(context);
      // Contexts a test makes itself (two people at once) are watched too.
      const newContext = browser.newContext.bind(browser);
      (browser as Browser).newContext = async (...args: Parameters<Browser["newContext"]>) => {
        const made = await newContext(...args);
        watchContext(made);
        return made;
      };
      await use({ allow: (...patterns) => allowed.push(...patterns) });
      (browser as Browser).newContext = newContext;
      const unexpected = seen.filter((e) => !allowed.some((a) => a.test(e)));
      expect(unexpected, "errors in the console").toEqual([]);
    },
    { auto: true },
  ],
});

export const DEMO_PASSWORD = "petpixel-demo";
export const demo = (who: "admin" | "manager" | "iris" | "theo" | "suki") => `${who}@demo.petpixel.example`;

export async function logIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
}

/** The demo manager's access token, for setting things up through the API. */
export async function managerToken(request: APIRequestContext): Promise<string> {
  const reply = await request.post("/api/v1/auth/login", { data: { email: demo("manager"), password: DEMO_PASSWORD } });
  expect(reply.ok()).toBeTruthy();
  return (await reply.json()).access_token;
}

/**
 * What a game's script gets when it reaches for the staff's session from the page it runs in:
 * the refresh endpoint with the cookie, `document.cookie`, storage, and its origin. A sandboxed
 * game gets `{ refresh: "refused", cookie: "(no access)", storage: "closed", origin: "null" }`.
 */
export async function staffSessionFromGame(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const out: Record<string, string> = {};
    try {
      const r = await fetch("/api/v1/auth/refresh", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: "{}" });
      out.refresh = `answered ${r.status}`;
    } catch {
      out.refresh = "refused";
    }
    try { out.cookie = document.cookie; } catch { out.cookie = "(no access)"; }
    try { localStorage.getItem("x"); out.storage = "open"; } catch { out.storage = "closed"; }
    out.origin = origin;
    return out;
  });
}

export const SANDBOXED = { refresh: "refused", cookie: "(no access)", storage: "closed", origin: "null" };
