import { expect } from "@playwright/test";
import { demo, DEMO_PASSWORD, logIn, test } from "./helpers";

// Tall enough that a drag never has to scroll the page between its source and its target.
test.use({ viewport: { width: 1280, height: 1600 } });
const column = (page, name: string) => page.getByRole("region", { name });
const dropZone = (page, name: string) => column(page, name).getByRole("heading", { level: 2 });

test("an order with a bad e-mail is flagged before sending; a good one lands in the backlog and moves on the board", async ({ page }) => {
  const pet = `Waffles ${Date.now() % 100000}`;
  let posted = 0;
  page.on("request", (r) => r.method() === "POST" && r.url().endsWith("/api/v1/projects") && posted++);

  await logIn(page, demo("manager"));
  await page.getByRole("link", { name: "New order" }).click();
  await page.getByLabel("Name").first().fill("Sunny Lee");
  await page.getByLabel("E-mail").fill("sunny-at-example");
  await page.getByLabel("Name").nth(1).fill(pet);
  await page.getByLabel("Package").selectOption("premium");
  await page.getByLabel("Theme").fill("space adventure");
  await page.getByLabel("Difficulty").selectOption("easy");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.locator("#customer_email-error")).toHaveText("Not a valid e-mail address.");
  expect(posted).toBe(0);

  await page.getByLabel("E-mail").fill("sunny@example.com");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}\?created=1$/);
  await expect(page.getByRole("status")).toHaveText("Order saved: the project is in the backlog.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(pet);
  expect(posted).toBe(1);

  await page.getByRole("link", { name: "Board" }).click();
  const backlog = page.getByRole("region", { name: "Backlog" });
  const card = backlog.locator(".project-card", { hasText: pet });
  await expect(card).toBeVisible();

  await card.dragTo(dropZone(page, "In progress"));
  await expect(page.getByRole("status")).toHaveText(`${pet} moved to In progress.`);
  const moved = page.getByRole("region", { name: "In progress" }).locator(".project-card", { hasText: pet });
  await expect(moved).toBeVisible();

  // A skipped step is explained, and nothing moves.
  await moved.dragTo(dropZone(page, "Complete"));
  await expect(page.getByRole("alert")).toHaveText("A project cannot go from In progress to Complete; from In progress it can go to Review.");
  await expect(page.getByRole("region", { name: "In progress" }).locator(".project-card", { hasText: pet })).toBeVisible();
});

test("an artist edits a project assigned to them and has no edit on another", async ({ page }) => {
  await logIn(page, demo("iris"));
  await expect(page.getByRole("link", { name: "New order" })).toHaveCount(0);

  await page.getByRole("region", { name: "In progress" }).locator(".project-card", { hasText: "Iris Inkwell" }).first().click();
  await page.getByRole("button", { name: "Edit details" }).click();
  await page.getByLabel("Breed").fill("Space Corgi");
  await page.getByLabel("Hours spent").fill("100000");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#actual_hours-error")).toHaveText("Must be between 0 and 10000.");
  await page.getByLabel("Hours spent").fill("7");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.locator('dd[data-field="Breed"]')).toHaveText("Space Corgi");
  await expect(page.locator(".timeline li").first()).toContainText("updated");
  await expect(page.locator(".timeline li").first()).toContainText("→ Space Corgi");
  await expect(page.locator(".timeline li").first()).toContainText("Hours spent:");
  await expect(page.locator(".timeline li").first()).toContainText(demo("iris"));
  await page.screenshot({ path: "test-results/project-page.png", fullPage: true });

  await page.getByRole("link", { name: "Board" }).click();
  await page.getByRole("region", { name: "In progress" }).locator(".project-card", { hasText: "Theo Tiles" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit details" })).toHaveCount(0);
  await expect(page.getByText("Only the assigned artist or a manager may change this project.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Move to/ })).toHaveCount(0);
});

test("an edit that someone else beat is refused with the typed input kept on screen", async ({ page, request, consoleErrors }) => {
  // The stale save's 409 is the point.
  consoleErrors.allow(/status of 409/);
  const pet = `Clash ${Date.now() % 100000}`;
  const login = await request.post("/api/v1/auth/login", { data: { email: demo("manager"), password: DEMO_PASSWORD } });
  const headers = { authorization: `Bearer ${(await login.json()).access_token}` };
  const created = await request.post("/api/v1/projects", {
    headers,
    data: { customer_name: "Kim Park", customer_email: "kim@example.com", pet_name: pet, package_type: "express",
      game_config: { theme: "garden", difficulty: "easy", features: [] } },
  });
  const id = (await created.json()).id;

  await logIn(page, demo("manager"));
  await page.goto(`/projects/${id}`);
  await page.getByRole("button", { name: "Edit details" }).click();
  await page.getByLabel("Breed").fill("Mine: a Whippet");
  // Meanwhile a colleague saves a change.
  const theirs = await request.patch(`/api/v1/projects/${id}`, { headers, data: { pet_breed: "Theirs: a Beagle" } });
  expect(theirs.status()).toBe(200);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("Someone changed this project");
  await expect(page.getByLabel("Breed")).toHaveValue("Mine: a Whippet");
  const stored = await request.get(`/api/v1/projects/${id}`, { headers });
  expect((await stored.json()).pet_breed).toBe("Theirs: a Beagle");
});
