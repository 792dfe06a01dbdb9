import { APIRequestContext, expect } from "@playwright/test";
import { SANDBOXED, demo, logIn, managerToken, staffSessionFromGame, test } from "./helpers";

// A game's address end to end: on a project's page the URL panel proposes addresses, checks one
// typed by hand as you type, reserves it, deploys a ready build to it; the public link plays the
// game (sandboxed: it cannot use the staff's session) and its view shows up in the panel and on
// the Addresses page.

/** A demo project with no address yet, and a ready runner build of it. */
async function projectWithBuild(request: APIRequestContext, auth: string) {
  const headers = { authorization: `Bearer ${auth}` };
  const projects = await (await request.get("/api/v1/projects?limit=100", { headers })).json();
  for (const p of projects.items) {
    const detail = await (await request.get(`/api/v1/projects/${p.id}`, { headers })).json();
    if (detail.urls.some((u: any) => u.status === "reserved" || u.status === "active")) continue;
    const ready = detail.assets.filter((a: any) => a.processing_status === "ready");
    const of = (t: string) => ready.find((a: any) => a.asset_type === t)?.id;
    if (!of("sprite") || !of("background")) continue;
    const queued = await request.post(`/api/v1/projects/${p.id}/builds`, { headers, data: { template: "runner", slots: { hero: of("sprite"), background: of("background") } } });
    expect(queued.status(), await queued.text()).toBe(202);
    const id = (await queued.json()).id;
    for (let i = 0; i < 100; i++) {
      const build = await (await request.get(`/api/v1/builds/${id}`, { headers })).json();
      if (build.status === "ready") return { project: p, build };
      expect(build.status).not.toBe("failed");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error("no demo project with pictures and no address");
}

test("propose, reserve, deploy and open a game's address; its view shows up", async ({ page, context, request, consoleErrors }) => {
  // The game's attempt at the staff's session, refused by the browser.
  consoleErrors.allow(/blocked by CORS policy|net::ERR_FAILED/);
  const auth = await managerToken(request);
  const { project } = await projectWithBuild(request, auth);
  await logIn(page, demo("manager"));
  await page.goto(`/projects/${project.id}`);
  const panel = page.getByRole("region", { name: "Game address" });
  const proposals = panel.getByRole("list", { name: "Proposed addresses" });
  await expect(proposals.getByRole("button").first()).toBeVisible();
  const field = panel.getByTestId("slug");
  await expect(field).not.toHaveValue("");

  // A blocked word, then one of our own, checked as it is typed.
  await field.fill("admin");
  await expect(panel.locator("#slug-status")).toContainText("kept for the studio");
  await expect(panel.getByTestId("reserve")).toBeDisabled();
  const slug = `${project.pet_name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-e2e-${Date.now() % 100000}`;
  await field.fill(slug);
  await expect(panel.locator("#slug-status")).toHaveText("Available");
  await panel.getByTestId("reserve").click();

  const link = panel.getByTestId("public-link");
  await expect(link).toHaveText(new RegExp(`/g/${slug}$`));
  await expect(panel.getByTestId("url-status")).toHaveText("Reserved");
  await expect(panel.getByText(/Reserved until .* days left/)).toBeVisible();
  await expect(panel.locator(".qr-code svg")).toBeVisible();
  await panel.getByTestId("deploy").click();
  await expect(panel.getByTestId("url-status")).toHaveText("Live");

  // The public link plays the game, sandboxed.
  const href = await link.getAttribute("href");
  const game = await context.newPage();
  const response = await game.goto(href!);
  expect(response!.status()).toBe(200);
  expect(response!.headers()["content-security-policy"]).toBe("sandbox allow-scripts");
  const canvas = game.locator("canvas#game");
  await expect(canvas).toBeVisible();
  await expect.poll(async () => canvas.evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(300);
  const attempt = await staffSessionFromGame(game);
  expect(attempt).toEqual(SANDBOXED);
  await game.close();

  // The view shows up, in the panel and on the Addresses page.
  await page.reload();
  await expect(panel.getByTestId("view-count")).toContainText(/^1 view in all/);
  await expect(panel.locator(".views-chart rect").last()).toHaveAttribute("height", /^(?!0\.0)/);
  await page.getByRole("link", { name: "Addresses" }).click();
  const row = page.locator("table.urls tr", { hasText: `/g/${slug}` });
  await expect(row).toContainText("Live");
  await expect(row.locator("td.num")).toHaveText("1");

  // The studio's session is untouched.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
});
