import { APIRequestContext, expect, Page } from "@playwright/test";

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
