import { expect, Page } from "@playwright/test";
import { demo, logIn, test } from "./helpers";

/** How far the page reaches past the screen's right edge (0 when it never scrolls sideways). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The project page of the first card in the backlog. */
async function aProject(page: Page): Promise<string> {
  await page.getByRole("region", { name: "Backlog" }).locator(".project-card").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  return new URL(page.url()).pathname;
}

// Every page at a laptop's and a tablet's width: its heading shows and nothing overflows
// sideways (a wide table may scroll inside its own box, the page never does).
for (const width of [1280, 768]) {
  test(`every page reads at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await logIn(page, demo("admin"));
    const project = await aProject(page);

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
      const over = await overflow(page);
      expect(over, `${path} overflows by ${over}px at ${width}px`).toBeLessThanOrEqual(0);
      if (width === 768 && path !== "/") {
        const name = path === project ? "project" : path.replace(/\W+/g, "-").replace(/^-/, "");
        await page.screenshot({ path: `test-results/768-${name}.png`, fullPage: true });
      }
    }
  });
}

// Phones: every page each role can open, at 360, 390 and 414 px, never scrolls sideways; the
// links fold into a menu beside the bell, and what a finger presses is at least 44 px.
const roles: [string, "admin" | "manager" | "iris", string[]][] = [
  ["an admin", "admin", ["/projects/new", "/team", "/integrations"]],
  ["a manager", "manager", ["/projects/new", "/team"]],
  ["an artist", "iris", []],
];
for (const [who, person, extra] of roles) {
  test(`every page fits a phone for ${who}`, async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/login");
    expect(await overflow(page), "the login page").toBeLessThanOrEqual(0);
    await logIn(page, demo(person));
    const project = await aProject(page);
    const pages = ["/", "/projects", project, "/activity", "/urls", "/profile", ...extra];
    for (const width of [360, 390, 414]) {
      await page.setViewportSize({ width, height: 800 });
      for (const path of pages) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
        await expect(page.locator("[aria-busy]")).toHaveCount(0);
        const over = await overflow(page);
        expect(over, `${path} overflows by ${over}px at ${width}px for ${who}`).toBeLessThanOrEqual(0);
        if (width === 390) {
          const name = path === project ? "project" : path.replace(/\W+/g, "-").replace(/^-/, "") || "board";
          await page.screenshot({ path: `test-results/390-${person}-${name}.png`, fullPage: true });
        }
      }
    }

    // The bar: brand, the live state, the bell and a menu button, each 44 px or more to press.
    await page.goto("/");
    const toggle = page.getByRole("button", { name: "Menu" });
    await expect(toggle).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    for (const control of [toggle, page.getByRole("button", { name: /^Notifications/ })]) {
      const box = (await control.boundingBox())!;
      expect(Math.min(box.width, box.height), "a control of the bar").toBeGreaterThanOrEqual(44);
    }
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    for (const link of await links.all()) {
      const box = (await link.boundingBox())!;
      expect(box.height, `${await link.textContent()}`).toBeGreaterThanOrEqual(44);
      expect(box.x + box.width).toBeLessThanOrEqual(414);
    }
    // A link followed closes the menu.
    await links.filter({ hasText: "Projects" }).click();
    await expect(page).toHaveURL("/projects");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    // Escape closes it too.
    await toggle.click();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();

    // The bell's list fits the screen.
    await page.getByRole("button", { name: /^Notifications/ }).click();
    const panel = page.getByRole("dialog", { name: "Notifications" });
    await expect(panel).toBeVisible();
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    // The board's columns scroll inside the board, not the page.
    await page.keyboard.press("Escape");
    await page.goto("/");
    await expect(page.locator(".column")).toHaveCount(4);
    const board = await page.locator(".board").evaluate((b) => ({ scroll: b.scrollWidth, client: b.clientWidth }));
    expect(board.scroll).toBeGreaterThan(board.client);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });
}
