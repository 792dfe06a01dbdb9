import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, IncomingHttpHeaders, Server } from "node:http";
import { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { APIRequestContext, expect, Page } from "@playwright/test";
import { DEMO_PASSWORD, demo, logIn, test } from "./helpers";

type Received = { path: string; headers: IncomingHttpHeaders; body: string };

/** A webhook receiver on a free port of 127.0.0.1: records every request, answers 200 "ok". */
async function receiver(): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

/** Whether one of the `v1,` signatures of a delivery is the secret's (Standard Webhooks). */
function signedWith(secret: string, d: Received): boolean {
  const id = String(d.headers["webhook-id"]);
  const timestamp = String(d.headers["webhook-timestamp"]);
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${d.body}`).digest();
  return String(d.headers["webhook-signature"])
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
}

async function adminToken(request: APIRequestContext): Promise<string> {
  const reply = await request.post("/api/v1/auth/login", { data: { email: demo("admin"), password: DEMO_PASSWORD } });
  expect(reply.ok()).toBeTruthy();
  return (await reply.json()).access_token;
}

const typeOf = (d: Received) => JSON.parse(d.body).type as string;

async function readSecret(page: Page): Promise<string> {
  const box = page.getByTestId("webhook-secret");
  await expect(box).toContainText("will not be shown again");
  const secret = (await box.locator("code").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
  return secret;
}

test("an admin adds a webhook endpoint; the shop's receiver gets signed deliveries, logged on the page", async ({ page, request, consoleErrors }) => {
  // The server's field error (a 422) is shown under its field on purpose.
  consoleErrors.allow(/status of 422/);
  // Several deliveries go through the job queue one after the other.
  test.setTimeout(90_000);
  const hook = await receiver();
  try {
    const url = `http://127.0.0.1:${hook.port}/hook`;
    await logIn(page, demo("admin"));
    await page.getByRole("link", { name: "Integrations" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Integrations" })).toBeVisible();
    await expect(page.getByText("No endpoints yet: add one to tell the shop when something changes.")).toBeVisible();

    // Without an event type the form says so by the checkboxes, and sends nothing.
    const form = page.getByRole("form", { name: "Add endpoint" });
    await form.getByRole("textbox", { name: "URL" }).fill(url);
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(form.locator("#event_types-error")).toHaveText("Choose at least one event type.");
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);

    await form.getByRole("textbox", { name: "Description (optional)" }).fill("The shop");
    await form.locator('input[name="event-project.status_changed"]').check();
    await form.locator('input[name="event-project.created"]').check();

    // The server's refusal (here: a host that does not resolve) shows by the URL field.
    await form.getByRole("textbox", { name: "URL" }).fill("https://petpixel-shop.invalid/hook");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(form.locator("#url-error")).toContainText("does not resolve", { timeout: 15_000 });
    await expect(form.locator("#event_types-error")).toHaveCount(0);
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);

    await form.getByRole("textbox", { name: "URL" }).fill(url);
    await form.getByRole("button", { name: "Add endpoint" }).click();
    const secret = await readSecret(page);
    await expect(form.locator("#url-error")).toHaveCount(0);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByTestId("webhook-secret").getByRole("button", { name: "Copy" }).click();
    await expect(page.getByTestId("webhook-secret")).toContainText("Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const endpoint = page.locator(".endpoint", { hasText: url });
    await expect(endpoint).toContainText("project.status_changed");
    await expect(endpoint).toContainText("project.created");
    await expect(endpoint).toContainText("The shop");
    await expect(endpoint.getByRole("button", { name: `Switch off ${url}` })).toBeVisible();
    await page.getByTestId("webhook-secret").getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);

    // A project is ordered and moved on through the API: the receiver hears of both, signed.
    const headers = { authorization: `Bearer ${await adminToken(request)}` };
    const created = await request.post("/api/v1/projects", {
      headers,
      data: { customer_name: "Ana Ruiz", customer_email: "ana@example.com", pet_name: `Hooky ${Date.now() % 100000}`,
        package_type: "express", deadline: "2031-01-02", game_config: { theme: "garden", difficulty: "easy", features: [] } },
    });
    expect(created.status()).toBe(201);
    const project = await created.json();
    const moved = await request.put(`/api/v1/projects/${project.id}/status`, { headers, data: { status: "in_progress" } });
    expect(moved.ok()).toBeTruthy();
    await expect.poll(() => hook.received.filter((d) => typeOf(d) === "project.status_changed").length, { timeout: 20_000 }).toBe(1);
    const delivery = hook.received.find((d) => typeOf(d) === "project.status_changed")!;
    expect(delivery.path).toBe("/hook");
    expect(delivery.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(delivery.body).data.id).toBe(project.id);
    expect(JSON.parse(delivery.body).data.status).toBe("in_progress");
    expect(signedWith(secret, delivery)).toBe(true);
    expect(signedWith(`whsec_${Buffer.from("not the secret at all, 32 bytes").toString("base64")}`, delivery)).toBe(false);
    expect(hook.received.some((d) => typeOf(d) === "project.created" && signedWith(secret, d))).toBe(true);

    // The delivery log shows it delivered, with the receiver's 200 and its answer.
    await endpoint.getByRole("button", { name: `Delivery log of ${url}` }).click();
    const log = page.getByRole("table", { name: "Delivery log" });
    const row = log.getByRole("row").filter({ hasText: String(delivery.headers["webhook-id"]) });
    await expect(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await expect(row).toContainText("delivered", { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(row).toContainText("project.status_changed");
    await expect(row).toContainText("HTTP 200");
    await row.getByText("1 try").click();
    await expect(row.locator("pre")).toHaveText("ok");
    await expect(log.getByRole("row").filter({ hasText: "project.created" })).toContainText("delivered");
    // The page with an endpoint, its secret box gone and its log open passes axe-core's WCAG 2.1 AA checks.
    await expect(page.locator("[aria-busy]")).toHaveCount(0);
    const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const found = axe.violations.map((v) => `${v.id} (${v.nodes.length}) ${v.nodes[0]?.target} ${v.nodes[0]?.failureSummary}`);
    expect(found, found.join("\n")).toEqual([]);
    // A long message id or answer scrolls inside the log's box; the page never overflows sideways.
    for (const width of [768, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `overflows by ${overflow}px at ${width}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `test-results/integrations-${width}.png`, fullPage: true });
    }

    // Filtered by status.
    await page.getByRole("combobox", { name: "Status" }).selectOption("failed");
    await expect(page.getByText("No failed deliveries.")).toBeVisible();
    await page.getByRole("combobox", { name: "Status" }).selectOption("");
    await expect(row).toBeVisible();

    // Resend: the same message, under the same id, newest in the log.
    await row.getByRole("button", { name: /^Resend/ }).click();
    const sameId = () => hook.received.filter((d) => d.headers["webhook-id"] === delivery.headers["webhook-id"]);
    await expect.poll(() => sameId().length, { timeout: 20_000 }).toBe(2);
    expect(sameId()[1].body).toBe(delivery.body);
    expect(signedWith(secret, sameId()[1])).toBe(true);
    await expect(row).toHaveCount(2);
    await expect(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await expect(row.first()).toContainText("delivered", { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });

    // Rotation: the new secret shown once; for a day deliveries are signed with both.
    page.once("dialog", (d) => {
      expect(d.message()).toContain("keeps working for 24 hours");
      void d.accept();
    });
    await endpoint.getByRole("button", { name: `Rotate secret of ${url}` }).click();
    const rotated = await readSecret(page);
    expect(rotated).not.toBe(secret);
    const before = hook.received.length;
    await page.locator(".endpoint", { hasText: url }).getByRole("button", { name: `Send test to ${url}` }).click();
    await expect.poll(() => hook.received.slice(before).filter((d) => typeOf(d) === "webhook.test").length, { timeout: 20_000 }).toBe(1);
    const test = hook.received.slice(before).find((d) => typeOf(d) === "webhook.test")!;
    expect(signedWith(rotated, test)).toBe(true);
    expect(signedWith(secret, test)).toBe(true);
    await expect(log.getByRole("row").filter({ hasText: "webhook.test" })).toContainText("delivered", { timeout: 15_000 });

    // Edited in place: a new description and one more event type; no type at all is refused.
    const here = page.locator(".endpoint", { hasText: url });
    await here.getByRole("button", { name: `Edit ${url}` }).click();
    const edit = page.getByRole("form", { name: `Edit ${url}` });
    await edit.getByRole("textbox", { name: "Description (optional)" }).fill("The shop's order system");
    await edit.getByRole("checkbox", { name: "A build is ready" }).check();
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(`${url} is saved.`)).toBeVisible();
    await expect(here).toContainText("The shop's order system");
    await expect(here).toContainText("build.ready");
    await here.getByRole("button", { name: `Edit ${url}` }).click();
    for (const box of await edit.getByRole("checkbox").all()) await box.uncheck();
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(edit.getByText("Choose at least one event type.")).toBeVisible();
    await edit.getByRole("button", { name: "Cancel" }).click();
    await expect(edit).toHaveCount(0);

    // Switched off and on again, then deleted.
    await page.locator(".endpoint", { hasText: url }).getByRole("button", { name: `Switch off ${url}` }).click();
    await expect(page.locator(".endpoint", { hasText: url }).getByRole("button", { name: `Switch on ${url}` })).toBeVisible();
    await expect(page.locator(".endpoint", { hasText: url }).locator(".badge")).toHaveText("Off");
    await page.locator(".endpoint", { hasText: url }).getByRole("button", { name: `Switch on ${url}` }).click();
    await expect(page.locator(".endpoint", { hasText: url }).locator(".badge")).toHaveText("On");
    page.once("dialog", (d) => void d.accept());
    await page.locator(".endpoint", { hasText: url }).getByRole("button", { name: `Delete ${url}` }).click();
    await expect(page.getByText("No endpoints yet: add one to tell the shop when something changes.")).toBeVisible();
    await expect(page.getByRole("table", { name: "Delivery log" })).toHaveCount(0);
  } finally {
    hook.server.close();
  }
});

test("only admins see the Integrations page", async ({ page }) => {
  await logIn(page, demo("manager"));
  await expect(page.getByRole("link", { name: "Team" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Integrations" })).toHaveCount(0);
  await page.goto("/integrations");
  await expect(page.getByRole("heading", { level: 1, name: "Integrations" })).toBeVisible();
  await expect(page.getByText("Only admins manage integrations.", { exact: false })).toBeVisible();
  await expect(page.getByRole("form", { name: "Add endpoint" })).toHaveCount(0);
});
