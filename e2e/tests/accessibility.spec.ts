import AxeBuilder from "@axe-core/playwright";
import { expect } from "@playwright/test";
import { demo, logIn, test } from "./helpers";

// Every page against WCAG 2.1 A and AA with axe-core (from npm, injected locally): no violation,
// so the pages still to come stay accessible too.
test("every page passes axe-core's WCAG 2.1 AA checks", async ({ page }) => {
  const check = async (name: string) => {
    await expect(page.locator("[aria-busy]")).toHaveCount(0);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const found = results.violations.map((v) => `${name}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target} ${v.nodes[0]?.failureSummary}`);
    expect(found, found.join("\n")).toEqual([]);
  };

  await page.goto("/login");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await check("login");

  await logIn(page, demo("admin"));
  await check("board");
  await page.getByRole("region", { name: "Backlog" }).locator(".project-card").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await check("project");
  for (const [path, heading, name] of [
    ["/projects", "Projects", "list"],
    ["/projects/new", "New order", "intake"],
    ["/team", "Team", "team"],
    ["/profile", "Your profile", "profile"],
    ["/integrations", "Integrations", "integrations"],
  ]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await check(name);
  }
});
