import { expect } from "@playwright/test";
import { demo, logIn, test } from "./helpers";

test("a manager creates an API token, sees it once, uses it, and revokes it", async ({ page, request }) => {
  await logIn(page, demo("manager"));
  await page.locator(".topbar .who").click();
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  const tokens = page.getByRole("region", { name: "API tokens" });
  await expect(tokens.getByText("No tokens yet.")).toBeVisible();

  const form = page.getByRole("form", { name: "New token" });
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(page.locator("#name-error")).toHaveText("This field is required.");
  await form.getByLabel("Token name").fill("shop");
  await form.getByLabel("projects:read").check();
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = (await tokens.locator(".token-secret").textContent())!.trim();
  expect(secret).toMatch(/^pp_[0-9a-f]{32}_/);
  await expect(tokens.locator(".tokens li", { hasText: "shop" })).toContainText("projects:read");

  const used = await request.get("/api/v1/projects?limit=1", { headers: { authorization: `Bearer ${secret}` } });
  expect(used.status()).toBe(200);
  const refused = await request.post("/api/v1/projects", { headers: { authorization: `Bearer ${secret}` }, data: {} });
  expect(refused.status()).toBe(403);

  // Shown once: gone after a reload, and the list never shows it.
  await page.reload();
  await expect(tokens.locator(".token-secret")).toHaveCount(0);
  page.once("dialog", (d) => d.accept());
  await tokens.locator(".tokens li", { hasText: "shop" }).getByRole("button", { name: "Revoke" }).click();
  await expect(tokens.getByText("No tokens yet.")).toBeVisible();
  const after = await request.get("/api/v1/projects?limit=1", { headers: { authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});
