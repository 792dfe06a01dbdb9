import { expect } from "@playwright/test";
import { demo, logIn, managerToken, test } from "./helpers";

test("a manager filters the list, and the URL reproduces the view", async ({ page, context }) => {
  await logIn(page, demo("manager"));
  await page.getByRole("link", { name: "Projects" }).click();
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  await expect(page.locator("table.projects tbody tr")).toHaveCount(25);
  await expect(page.getByText(/^1–25 of \d+$/)).toBeVisible();

  await page.getByLabel("Status").selectOption("review");
  await page.getByLabel("Priority").selectOption("urgent");
  await page.getByLabel("Sort").selectOption("deadline");
  await expect(page).toHaveURL(/status=review/);
  await expect(page).toHaveURL(/priority=urgent/);
  await expect(page).toHaveURL(/sort=deadline/);
  const rows = page.locator("table.projects tbody tr");
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    await expect(rows.nth(i).locator("td").nth(2)).toHaveText("Review");
    await expect(rows.nth(i).locator("td").nth(3)).toHaveText("urgent");
  }
  const shown = await rows.locator("td:first-child").allTextContents();

  // The same URL in a fresh tab shows the same view.
  const url = page.url();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByLabel("Status")).toHaveValue("review");
  await expect(other.getByLabel("Priority")).toHaveValue("urgent");
  await expect(other.locator("table.projects tbody tr").first()).toBeVisible();
  expect(await other.locator("table.projects tbody tr td:first-child").allTextContents()).toEqual(shown);

  await page.getByLabel("Search").fill("no such pet anywhere");
  await page.getByLabel("Search").press("Enter");
  await expect(page.getByText("No projects match these filters.")).toBeVisible();
});

test("an admin finds a deleted project under Deleted and restores it", async ({ page, request }) => {
  const token = await managerToken(request);
  // A name no demo pet has.
  const pet = `Quillon ${Date.now() % 100000}`;
  const made = await request.post("/api/v1/projects", {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      customer_name: "Dana Reyes",
      customer_email: "dana@example.com",
      pet_name: pet,
      package_type: "express",
      game_config: { theme: "space adventure", difficulty: "easy", features: [] },
    },
  });
  expect(made.status()).toBe(201);
  const id = (await made.json()).id;
  expect((await request.delete(`/api/v1/projects/${id}`, { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(204);

  // A manager has no such filter; an admin has.
  await logIn(page, demo("admin"));
  await page.goto("/projects");
  await page.getByLabel("Deleted").check();
  await expect(page).toHaveURL(/deleted=true/);
  const row = page.locator("table.projects tbody tr", { hasText: pet });
  await expect(row).toBeVisible();
  await expect(row.getByRole("link", { name: pet })).toHaveCount(0);
  await row.getByRole("button", { name: `Restore ${pet}` }).click();
  await expect(row).toHaveCount(0);

  await page.getByLabel("Deleted").uncheck();
  await page.getByLabel("Search").fill(pet);
  await page.getByLabel("Search").press("Enter");
  await expect(page.getByRole("link", { name: pet })).toBeVisible();
  // Left as it was found: the demo's projects only.
  expect((await request.delete(`/api/v1/projects/${id}`, { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(204);
});
