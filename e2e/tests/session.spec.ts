import { expect } from "@playwright/test";
import { demo, logIn, test } from "./helpers";

test("a wrong password shows an error and keeps you on the login page", async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 401/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("E-mail").fill(demo("manager"));
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong e-mail address or password.");
  await expect(page).toHaveURL(/\/login$/);
});

test("empty fields are flagged before anything is sent", async ({ page }) => {
  let sent = 0;
  page.on("request", (r) => r.url().includes("/api/v1/auth/login") && sent++);
  await page.goto("/login");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#email-error")).toHaveText("Enter your e-mail address.");
  await expect(page.locator("#password-error")).toHaveText("Enter your password.");
  expect(sent).toBe(0);
});

test("what is typed into the login page before the app has loaded is kept when the app takes over", async ({ page }) => {
  // The WASM held back until the form is filled in: the page's plain-HTML form takes the typing.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/app_bg.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/login");
  await expect(page.locator("#shell #email")).toBeVisible();
  await page.locator("#shell #email").fill(demo("manager"));
  await page.locator("#shell #password").fill("petpixel-demo");
  await page.locator("#shell #password").focus();
  release();
  await expect(page.locator("#shell")).toHaveCount(0);
  await expect(page.getByLabel("E-mail")).toHaveValue(demo("manager"));
  await expect(page.getByLabel("Password")).toHaveValue("petpixel-demo");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
  // Logged out again, the form starts empty: no password is kept.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("logging in shows the board, and a reload keeps you logged in", async ({ page }) => {
  await logIn(page, demo("manager"));
  for (const column of ["Backlog", "In progress", "Review", "Complete"]) {
    await expect(page.getByRole("region", { name: column })).toBeVisible();
  }
  await expect(page.locator(".project-card").first()).toBeVisible();
  expect(await page.locator(".project-card").count()).toBeGreaterThanOrEqual(40);
  await expect(page.locator(".project-card.overdue").first()).toBeVisible();
  const workload = page.getByRole("region", { name: "Workload" });
  await expect(workload.locator(".tile.late .n")).not.toHaveText("0");
  await expect(workload.getByRole("listitem").filter({ hasText: "Iris Inkwell" })).toBeVisible();
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
  // Readable at a tablet's width: nothing overflows sideways.
  await page.setViewportSize({ width: 768, height: 1000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
  await page.screenshot({ path: "test-results/dashboard-768.png" });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The access token lived in memory only; the HttpOnly cookie brings the session back.
  const cookies = await page.context().cookies();
  const refresh = cookies.find((c) => c.name === "petpixel_refresh");
  expect(refresh?.httpOnly).toBe(true);
  expect(refresh?.sameSite).toBe("Strict");
  expect(await page.evaluate(() => document.cookie)).not.toContain("petpixel_refresh");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
  await expect(page.locator(".topbar .who")).toHaveText("Max Manager");
});

test("logging out ends the session", async ({ page }) => {
  await logIn(page, demo("iris"));
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.reload();
  await expect(page).toHaveURL(/\/login$/);
});

test("the app runs under its Content-Security-Policy without a single violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => m.text().includes("Content Security Policy") && violations.push(m.text()));
  await page.exposeFunction("reportViolation", (v: string) => violations.push(v));
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
    ),
  );
  const response = await page.goto("/login");
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  await logIn(page, demo("manager"));
  await page.goto("/projects");
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  await page.goto("/profile");
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  expect(violations).toEqual([]);
});
