import { expect } from "@playwright/test";
import { demo, logIn, test } from "./helpers";

test("an admin creates a member, who can then log in; managers see the team but cannot add to it", async ({ page, browser }) => {
  const email = `nova${Date.now() % 100000}@studio.example`;
  await logIn(page, demo("admin"));
  await page.getByRole("link", { name: "Team" }).click();
  await expect(page.locator("table.team tbody tr")).toHaveCount(5);
  await page.getByRole("button", { name: "Add member" }).click();
  const form = page.getByRole("form", { name: "Add member" });
  await form.getByLabel("E-mail").fill("not-an-email");
  await form.getByLabel("Initial password").fill("short");
  await form.getByRole("button", { name: "Add to the team" }).click();
  await expect(page.locator("#email-error")).toHaveText("Not a valid e-mail address.");
  await expect(page.locator("#password-error")).toHaveText("At least 12 characters.");

  await form.getByLabel("E-mail").fill(email);
  await form.getByLabel("First name").fill("Nova");
  await form.getByLabel("Role").selectOption("artist");
  await form.getByLabel("Initial password").fill("a long password");
  await form.getByRole("button", { name: "Add to the team" }).click();
  await expect(page.getByRole("status")).toHaveText("Nova joined the team.");
  await expect(page.locator("table.team tbody tr", { hasText: email })).toContainText("Active");

  // Grants on top of the role: Nova the artist may also take orders.
  await page.locator("table.team tbody tr", { hasText: email }).getByRole("button", { name: "Permissions" }).click();
  const grants = page.getByRole("region", { name: "Permissions of Nova" });
  await expect(grants.getByLabel("projects:read")).toBeDisabled();
  await grants.getByLabel("projects:create").check();
  await grants.getByRole("button", { name: "Save permissions" }).click();
  await expect(page.getByRole("status")).toHaveText("Nova's extra permissions are saved.");
  await expect(page.locator("table.team tbody tr", { hasText: email })).toContainText("+ projects:create");

  const context = await browser.newContext();
  const nova = await context.newPage();
  await logIn(nova, email, "a long password");
  await expect(nova.getByRole("link", { name: "Team" })).toHaveCount(0);
  await expect(nova.getByRole("link", { name: "New order" })).toBeVisible();
  await context.close();

  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await logIn(manager, demo("manager"));
  await manager.getByRole("link", { name: "Team" }).click();
  await expect(manager.locator("table.team tbody tr", { hasText: email })).toBeVisible();
  await expect(manager.getByRole("button", { name: "Add member" })).toHaveCount(0);
  await expect(manager.getByRole("button", { name: "Deactivate" })).toHaveCount(0);
  await managerContext.close();

  page.once("dialog", (d) => d.accept());
  await page.locator("table.team tbody tr", { hasText: email }).getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByRole("status")).toHaveText("Nova is deactivated.");
  await expect(page.locator("table.team tbody tr", { hasText: email })).toContainText("Deactivated");
});
