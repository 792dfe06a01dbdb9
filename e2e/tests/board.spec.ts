import { expect } from "@playwright/test";
import { demo, DEMO_PASSWORD, logIn, test } from "./helpers";

const column = (page, name: string) => page.getByRole("region", { name });

test("a card moves column by keyboard alone, and focus follows it", async ({ page, request }) => {
  const pet = `Pickle ${Date.now() % 100000}`;
  const login = await request.post("/api/v1/auth/login", { data: { email: demo("manager"), password: DEMO_PASSWORD } });
  const headers = { authorization: `Bearer ${(await login.json()).access_token}` };
  const created = await request.post("/api/v1/projects", {
    headers,
    // The earliest deadline on the board: first in its column, so it is drawn whatever the column's length.
    data: { customer_name: "Kim Park", customer_email: "kim@example.com", pet_name: pet, package_type: "express",
      deadline: "2020-01-01", game_config: { theme: "garden", difficulty: "easy", features: [] } },
  });
  expect(created.status()).toBe(201);

  await logIn(page, demo("manager"));
  const card = column(page, "Backlog").locator(".project-card", { hasText: pet });
  await card.focus();
  await page.keyboard.press("Tab");
  const toggle = page.getByRole("button", { name: `Move ${pet}` });
  await expect(toggle).toBeFocused();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");

  // Enter opens the menu on its first choice; Escape closes it and gives focus back.
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu", { name: `Move ${pet} to` });
  await expect(menu.getByRole("menuitem")).toHaveText(["Move to In progress"]);
  await expect(menu.getByRole("menuitem", { name: "Move to In progress" })).toBeFocused();
  await page.screenshot({ path: "test-results/board-move-menu.png", clip: { x: 0, y: 0, width: 1280, height: 700 } });
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(toggle).toBeFocused();

  // The arrow key opens it too; Enter moves the card, and focus lands on it in its new column.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText(`${pet} moved to In progress.`);
  const moved = column(page, "In progress").locator(".project-card", { hasText: pet });
  await expect(moved).toBeFocused();
  await expect(column(page, "Backlog").locator(".project-card", { hasText: pet })).toHaveCount(0);

  // From In progress only Review is offered; on, then back, all from the keyboard.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menu").getByRole("menuitem")).toHaveText(["Move to Review"]);
  await page.keyboard.press("Enter");
  await expect(column(page, "Review").locator(".project-card", { hasText: pet })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menu").getByRole("menuitem")).toHaveText(["Move to In progress", "Move to Complete"]);
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Move to Complete" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Move to In progress" })).toBeFocused();
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText(`${pet} moved to Complete.`);
  await expect(column(page, "Complete").locator(".project-card", { hasText: pet })).toBeFocused();

  // The server agrees, and the history says it in words.
  const project = await (await request.get(`/api/v1/projects/${(await created.json()).id}`, { headers })).json();
  expect(project.status).toBe("complete");
  await page.getByRole("link", { name: pet }).click();
  await expect(page.locator(".timeline li").first()).toContainText("Status: Review → Complete");
  await expect(page.locator(".timeline li").first()).toContainText("Completed: — → ");
});

test("a click outside closes the menu; an artist is offered moves on their own projects only", async ({ page }) => {
  await logIn(page, demo("iris"));
  const inProgress = column(page, "In progress");
  const own = inProgress.locator("li", { hasText: "Iris Inkwell" }).first();
  const other = inProgress.locator("li", { hasText: "Theo Tiles" }).first();
  await expect(own.getByRole("button", { name: /^Move / })).toHaveCount(1);
  await expect(other.getByRole("button", { name: /^Move / })).toHaveCount(0);

  await own.getByRole("button", { name: /^Move / }).click();
  await expect(page.getByRole("menu")).toBeVisible();
  await page.getByRole("heading", { name: "Board" }).click();
  await expect(page.getByRole("menu")).toHaveCount(0);
});
