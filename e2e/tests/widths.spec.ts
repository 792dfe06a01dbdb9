import { expect, test } from "@playwright/test";
import { demo, logIn } from "./helpers";

// Every page at a laptop's and a tablet's width: its heading shows and nothing overflows
// sideways (a wide table may scroll inside its own box, the page never does).
for (const width of [1280, 768]) {
  test(`every page reads at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await logIn(page, demo("admin"));
    await page.getByRole("region", { name: "Backlog" }).locator(".project-card").first().click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const project = new URL(page.url()).pathname;

    const pages: [string, string | RegExp][] = [
      ["/", "Board"],
      ["/projects", "Projects"],
      [project, /./],
      ["/projects/new", "New order"],
      ["/team", "Team"],
      ["/profile", "Your profile"],
      ["/integrations", "Integrations"],
    ];
    for (const [path, heading] of pages) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.locator("[aria-busy]")).toHaveCount(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} overflows by ${overflow}px at ${width}px`).toBeLessThanOrEqual(0);
      if (width === 768 && path !== "/") {
        const name = path === project ? "project" : path.replace(/\W+/g, "-").replace(/^-/, "");
        await page.screenshot({ path: `test-results/768-${name}.png`, fullPage: true });
      }
    }
  });
}
