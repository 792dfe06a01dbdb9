import { expect } from "@playwright/test";
import { spawn, ChildProcess } from "child_process";
import { demo, DEMO_PASSWORD, test } from "./helpers";

// A server of its own whose access tokens live one second (plus the 5 s leeway the server allows for clock skew).
const port = 3078;
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess;

test.beforeAll(async () => {
  server = spawn("./serve.sh", [], { env: { ...process.env, E2E_PORT: String(port), PETPIXEL_ACCESS_TOKEN_TTL_SECS: "1" }, stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the short-token server did not start");
});
test.afterAll(() => server?.kill());

async function logIn(page) {
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail").fill(demo("manager"));
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
}

test("an expired access token is renewed once, transparently, even for requests that fail together", async ({ page, consoleErrors }) => {
  // The expired token's 401s, which the renewal answers.
  consoleErrors.allow(/status of 401/);
  await logIn(page);
  const refreshes: number[] = [];
  page.on("response", (r) => r.url().endsWith("/api/v1/auth/refresh") && refreshes.push(r.status()));
  await page.waitForTimeout(7000);
  // The board sends its four column requests at once; all fail, one refresh serves them all.
  await page.getByRole("link", { name: "Projects" }).click();
  await page.getByRole("link", { name: "Board" }).click();
  await expect(page.locator(".project-card").first()).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(refreshes).toEqual([200]);
  // The session survived: a reload renews it once more.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
});

test("a refused renewal goes to the login page", async ({ page, context, consoleErrors }) => {
  consoleErrors.allow(/status of 401/);
  await logIn(page);
  await context.clearCookies();
  await page.waitForTimeout(7000);
  await page.getByRole("link", { name: "Projects" }).click();
  await expect(page).toHaveURL(/\/login$/);
});
