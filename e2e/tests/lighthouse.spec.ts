import { APIRequestContext, expect } from "@playwright/test";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { demo, DEMO_PASSWORD, test } from "./helpers";

// Lighthouse 12 (its mobile preset: a mid-range phone on slow 4G, 4x CPU slowdown, simulated) on
// the pages a studio opens most, on the release build with the demo data: three runs each, the
// median judged. The figures go to test-results/lighthouse.json and the log.

type Audit = {
  performance: number;
  accessibility: number;
  bestPractices: number;
  fcp: number;
  lcp: number;
  cls: number;
  tbt: number;
  bytes: number;
  failing: string[];
  errors: string[];
};

function audit(url: string, cookie?: string): Audit {
  const out = execFileSync("node", ["lighthouse/audit.mjs", url, ...(cookie ? [cookie] : [])], { encoding: "utf8", timeout: 180_000 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

/** A fresh login's cookies (the refresh token and the session hint): each run spends its own. */
async function loggedIn(request: APIRequestContext): Promise<string> {
  const reply = await request.post("/api/v1/auth/login", { data: { email: demo("manager"), password: DEMO_PASSWORD, refresh_cookie: true } });
  expect(reply.ok()).toBeTruthy();
  return reply.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value.split(";")[0]).join("; ");
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const results: Record<string, Record<string, number>> = {};
test.afterAll(() => {
  fs.mkdirSync("test-results", { recursive: true });
  fs.writeFileSync("test-results/lighthouse.json", JSON.stringify(results, null, 2));
});

test.describe("Lighthouse, mobile", () => {
  test.setTimeout(900_000);

  test("the login page, the board and a project page meet their targets", async ({ request, baseURL }) => {
    const headers = { authorization: `Bearer ${(await (await request.post("/api/v1/auth/login", { data: { email: demo("manager"), password: DEMO_PASSWORD } })).json()).access_token}` };
    const page = await (await request.get("/api/v1/projects?limit=1&sort=created_at", { headers })).json();
    const pages: [string, string, boolean][] = [
      ["login", "/login", false],
      ["board", "/", true],
      ["project", `/projects/${page.items[0].id}`, true],
    ];
    for (const [name, path, logIn] of pages) {
      const runs: Audit[] = [];
      for (let i = 0; i < 3; i++) {
        const run = audit(`${baseURL}${path}`, logIn ? await loggedIn(request) : undefined);
        expect(run.errors, `${name}: ${run.errors}`).toEqual([]);
        runs.push(run);
      }
      const figures = {
        performance: median(runs.map((r) => r.performance)),
        lcp_ms: Math.round(median(runs.map((r) => r.lcp))),
        fcp_ms: Math.round(median(runs.map((r) => r.fcp))),
        cls: median(runs.map((r) => r.cls)),
        tbt_ms: Math.round(median(runs.map((r) => r.tbt))),
        accessibility: median(runs.map((r) => r.accessibility)),
        best_practices: median(runs.map((r) => r.bestPractices)),
        bytes: Math.round(median(runs.map((r) => r.bytes))),
      };
      results[name] = figures;
      console.log(`lighthouse ${name}: ${JSON.stringify(figures)}`);
      const failing = [...new Set(runs.flatMap((r) => r.failing))];
      expect.soft(figures.performance, `${name}: performance`).toBeGreaterThanOrEqual(90);
      expect.soft(figures.lcp_ms, `${name}: largest contentful paint`).toBeLessThanOrEqual(2500);
      expect.soft(figures.cls, `${name}: cumulative layout shift`).toBeLessThanOrEqual(0.1);
      expect.soft(figures.tbt_ms, `${name}: total blocking time`).toBeLessThanOrEqual(200);
      expect.soft(figures.accessibility, `${name}: accessibility, failing ${failing}`).toBe(100);
      expect.soft(figures.best_practices, `${name}: best practices, failing ${failing}`).toBe(100);
    }
  });
});

test.describe("a game's first frame on slow 4G", () => {
  test.setTimeout(300_000);

  test("each template's game draws its first frame within 1.5 s on a throttled phone", async ({ browser, request }) => {
    const token = (await (await request.post("/api/v1/auth/login", { data: { email: demo("manager"), password: DEMO_PASSWORD } })).json()).access_token;
    const headers = { authorization: `Bearer ${token}` };
    const projects = (await (await request.get("/api/v1/projects?limit=100", { headers })).json()).items;
    // A project holds one address at a time: one whose address other tests took is passed over.
    const taken = new Set<string>();
    for (const status of ["reserved", "active"]) {
      const urls = (await (await request.get(`/api/v1/urls?status=${status}&limit=100`, { headers })).json()).items;
      for (const u of urls) taken.add(u.project_id);
    }
    let demoAssets: any = null;
    // A package that plays a backdrop of its own first: the heavier game is the one measured.
    const candidates = projects.filter((p: any) => !taken.has(p.id)).sort((a: any, b: any) => Number(a.package_type === "express") - Number(b.package_type === "express"));
    for (const p of candidates) {
      const assets = await (await request.get(`/api/v1/projects/${p.id}/assets`, { headers })).json();
      const of = (t: string) => assets.filter((a: any) => a.asset_type === t && a.processing_status === "ready").map((a: any) => a.id);
      if (of("sprite").length && of("photo").length && of("background").length && of("sound").length) {
        demoAssets = { project: p, sprite: of("sprite")[0], photo: of("photo")[0], background: of("background")[0], sound: of("sound")[0] };
        break;
      }
    }
    expect(demoAssets, "a demo project with pictures and sounds").not.toBeNull();
    // An express package plays the template's own background.
    const backdrop = demoAssets.project.package_type === "express" ? {} : { background: demoAssets.background };
    const slots: Record<string, object> = {
      runner: { hero: demoAssets.sprite, ...backdrop },
      catcher: { hero: demoAssets.sprite, ...backdrop },
      memory: { photo: demoAssets.photo },
    };
    // One address for the project, each template's game deployed to it in turn.
    const slug = `first-frame-${Date.now() % 100000}`;
    const url = await (await request.post(`/api/v1/projects/${demoAssets.project.id}/urls`, { headers, data: { slug } })).json();
    expect(url.id, JSON.stringify(url)).toBeTruthy();
    for (const [template, chosen] of Object.entries(slots)) {
      const queued = await request.post(`/api/v1/projects/${demoAssets.project.id}/builds`, { headers, data: { template, slots: chosen } });
      expect(queued.status(), await queued.text()).toBe(202);
      let build: any;
      for (let i = 0; i < 100; i++) {
        build = await (await request.get(`/api/v1/builds/${(await queued.json()).id}`, { headers })).json();
        if (build.status !== "queued" && build.status !== "building") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(build.status, JSON.stringify(build)).toBe("ready");
      const deployed = await request.post(`/api/v1/urls/${url.id}/deploy`, { headers, data: { build_id: build.id } });
      expect(deployed.ok(), await deployed.text()).toBeTruthy();

      // Lighthouse's mobile figures, applied: 150 ms a round trip, 1.6 Mbit/s, a CPU four times slower.
      const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 150,
        downloadThroughput: (1.6 * 1024 * 1024) / 8,
        uploadThroughput: (750 * 1024) / 8,
      });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
      await page.goto(`/g/${slug}?autotest=1`);
      await page.waitForFunction(() => (window as any).__game?.state().frames > 0, undefined, { timeout: 30_000 });
      const first = Math.round((await page.evaluate(() => (window as any).__game.state())).first_frame_ms);
      console.log(`games: ${template} at /g/ (${demoAssets.project.package_type} package) on slow 4G and a 4x slower CPU: first frame ${first} ms`);
      results[`game_${template}`] = { first_frame_ms: first };
      expect.soft(first, `${template}: first frame`).toBeLessThanOrEqual(1500);
      await context.close();
    }
  });
});
