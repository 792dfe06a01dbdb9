import { expect } from "@playwright/test";
import { demo, logIn, test } from "./helpers";

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
