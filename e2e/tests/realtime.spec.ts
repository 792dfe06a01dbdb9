import { expect, Page } from "@playwright/test";
import { demo, logIn, managerToken, test } from "./helpers";

const column = (page: Page, name: string) => page.getByRole("region", { name });
const card = (page: Page, status: string, pet: string) => column(page, status).locator(".project-card", { hasText: pet });

test("two people see each other's changes and notifications live", async ({ browser, request }) => {
  const headers = { authorization: `Bearer ${await managerToken(request)}` };
  const pet = `Comet ${Date.now() % 100000}`;
  // The earliest deadline on the board: first in its column, so it is drawn whatever the column's length.
  const created = await request.post("/api/v1/projects", {
    headers,
    data: { customer_name: "Ana Ruiz", customer_email: "ana@example.com", pet_name: pet, package_type: "express",
      deadline: "2020-01-02", game_config: { theme: "garden", difficulty: "easy", features: [] } },
  });
  expect(created.status()).toBe(201);
  const project = await created.json();
  const users = await (await request.get(`/api/v1/users?q=iris`, { headers })).json();
  const iris = users.items.find((u: { email: string }) => u.email === demo("iris"));
  expect((await request.put(`/api/v1/projects/${project.id}/assignee`, { headers, data: { artist_id: iris.id } })).ok()).toBeTruthy();

  // Iris and the manager, each in their own browser.
  const irisPage = await (await browser.newContext()).newPage();
  const managerPage = await (await browser.newContext()).newPage();
  await logIn(irisPage, demo("iris"));
  await logIn(managerPage, demo("manager"));
  for (const page of [irisPage, managerPage]) {
    await expect(page.locator(".live-state")).toHaveAttribute("data-state", "live");
  }
  await expect(card(irisPage, "Backlog", pet)).toBeVisible();
  // The assignment made before she logged in waits under her bell.
  await expect(irisPage.getByRole("button", { name: /^Notifications, \d+ unread$/ })).toBeVisible();

  // The manager moves the project from its page; Iris's board moves the card, and she is told.
  await managerPage.goto(`/projects/${project.id}`);
  await managerPage.getByRole("button", { name: "Move to In progress" }).click();
  await expect(card(irisPage, "In progress", pet)).toBeVisible();
  await expect(card(irisPage, "Backlog", pet)).toHaveCount(0);
  const toast = irisPage.locator(".toast", { hasText: `${pet}'s game moved to In progress` });
  await expect(toast).toBeVisible();
  await irisPage.screenshot({ path: "test-results/realtime-toast.png" });

  // She opens the bell: the notification is there; reading them all clears the count, in her
  // other tab too.
  const secondTab = await irisPage.context().newPage();
  await secondTab.goto("/");
  await expect(secondTab.locator(".live-state")).toHaveAttribute("data-state", "live");
  await irisPage.getByRole("button", { name: /^Notifications/ }).click();
  const panel = irisPage.getByRole("dialog", { name: "Notifications" });
  await expect(panel.getByText(`${pet}'s game moved to In progress`)).toBeVisible();
  await panel.getByRole("button", { name: "Mark all read" }).click();
  await expect(irisPage.getByRole("button", { name: "Notifications, none unread" })).toBeVisible();
  await expect(secondTab.getByRole("button", { name: "Notifications, none unread" })).toBeVisible();

  // Iris moves it on from her board; the manager's project page shows it at once, history included.
  await irisPage.keyboard.press("Escape");
  await card(irisPage, "In progress", pet).focus();
  await irisPage.keyboard.press("Tab");
  await irisPage.keyboard.press("Enter");
  await irisPage.getByRole("menuitem", { name: "Move to Review" }).click();
  await expect(managerPage.locator(".project-head .status")).toHaveText("Review");
  await expect(managerPage.locator(".timeline li").first()).toContainText("status changed");

  // The manager's activity feed takes in Iris's next change as it happens.
  await managerPage.goto(`/activity?project=${project.id}`);
  await expect(managerPage.locator(".feed-entry").first()).toBeVisible();
  const entries = await managerPage.locator(".feed-entry").count();
  await card(irisPage, "Review", pet).focus();
  await irisPage.keyboard.press("Tab");
  await irisPage.keyboard.press("Enter");
  await irisPage.getByRole("menuitem", { name: "Move to In progress" }).click();
  await expect(managerPage.locator(".feed-entry")).toHaveCount(entries + 1);
  await expect(managerPage.locator(".feed-entry.fresh").first()).toContainText("project status changed");

  // A manager's message reaches her bell and a toast.
  await managerPage.goto("/team");
  await managerPage.getByRole("row", { name: /iris/i }).getByRole("button", { name: "Message" }).click();
  await managerPage.getByLabel("Title").fill("Lovely sprites today");
  await managerPage.getByRole("button", { name: "Send" }).click();
  await expect(managerPage.getByRole("status")).toHaveText(/Message sent to/);
  await expect(irisPage.locator(".toast", { hasText: "Lovely sprites today" })).toBeVisible();
  await expect(irisPage.getByRole("button", { name: "Notifications, 1 unread" })).toBeVisible();
});

test("e-mail choices are saved from the profile page", async ({ page }) => {
  await logIn(page, demo("theo"));
  await page.goto("/profile");
  const box = page.getByRole("checkbox", { name: "A project of mine changes status" });
  await expect(box).not.toBeChecked();
  await box.check();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "A project of mine changes status" })).toBeChecked();
  await page.getByRole("checkbox", { name: "A project of mine changes status" }).uncheck();
  await expect(page.getByText("Saved.")).toBeVisible();
});
