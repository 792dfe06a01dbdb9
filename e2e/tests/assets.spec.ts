import { expect } from "@playwright/test";
import { deflateSync } from "node:zlib";
import { demo, logIn, test } from "./helpers";

// A PNG of noise (so it does not compress away), big enough that its upload takes a while.
function png(width: number, height: number, seed: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let state = seed;
  for (let i = 0; i < raw.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    raw[i] = i % (width * 3 + 1) === 0 ? 0 : state >>> 24;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 1 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("two files dropped on a project upload with progress, then their thumbnails appear", async ({ page }) => {
  await logIn(page, demo("manager"));
  await page.getByRole("link", { name: "New order" }).click();
  const pet = `Pixel ${Date.now() % 100000}`;
  await page.getByLabel("Name").first().fill("Ada Quinn");
  await page.getByLabel("E-mail").fill("ada@example.com");
  await page.getByLabel("Name").nth(1).fill(pet);
  await page.getByLabel("Package").selectOption("custom");
  await page.getByLabel("Theme").fill("garden");
  await page.getByLabel("Difficulty").selectOption("easy");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(pet);

  const assets = page.getByRole("region", { name: "Assets" });
  await expect(assets.getByText("No files yet: drop the pet's photos here to begin.")).toBeVisible();

  const files = [
    { name: "rex-sitting.png", b64: png(900, 700, 1).toString("base64") },
    { name: "rex-running.png", b64: png(800, 600, 2).toString("base64") },
  ];
  const dataTransfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: "image/png" }));
    }
    return dt;
  }, files);
  await assets.locator(".dropzone").dispatchEvent("drop", { dataTransfer });

  // A bar per file, counting the bytes sent, that ends as "Uploaded".
  const uploads = assets.getByRole("list", { name: "Uploads" });
  for (const f of files) {
    await expect(uploads.getByRole("progressbar", { name: `Uploading ${f.name}` })).toBeVisible();
  }
  await expect(uploads.getByText("Uploaded")).toHaveCount(2);
  const max = await uploads.getByRole("progressbar").first().getAttribute("max");
  expect(Number(max)).toBeGreaterThan(1_000_000);

  // Processing runs in the background; the thumbnails come without a reload.
  const grid = assets.locator(".asset-grid");
  await expect(grid.locator(".asset-card")).toHaveCount(2);
  await expect(grid.locator(".asset-card img")).toHaveCount(2, { timeout: 20_000 });
  for (const img of await grid.locator(".asset-card img").all()) {
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(320);
  }

  // A change to the project reloads it, not the asset manager: the finished uploads stay listed.
  await page.getByRole("button", { name: "Move to In progress" }).click();
  await expect(page.getByRole("status").first()).toHaveText("Status changed.");
  await expect(uploads.getByText("Uploaded")).toHaveCount(2);

  // Opened: the preview, its facts, its one version; renamed; deleted after a confirmation.
  await grid.getByRole("button", { name: "Open rex-sitting.png" }).click();
  const detail = assets.getByRole("dialog", { name: "Asset rex-sitting.png" });
  await expect(detail.getByRole("img", { name: "Preview of rex-sitting.png" })).toBeVisible();
  await expect(detail.getByText("900 × 700 px")).toBeVisible();
  await expect(detail.locator(".versions li")).toHaveCount(1);
  await detail.getByLabel("Name").fill("Rex sitting.png");
  await detail.getByRole("button", { name: "Rename" }).click();
  await expect(grid.getByRole("button", { name: "Open Rex sitting.png" })).toBeVisible();
  const renamed = assets.getByRole("dialog", { name: "Asset Rex sitting.png" });
  await renamed.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(renamed.getByRole("alertdialog")).toContainText("Delete Rex sitting.png? This cannot be undone.");
  await renamed.getByRole("button", { name: "Delete for good" }).click();
  await expect(grid.locator(".asset-card")).toHaveCount(1);
});

test("a file the server would refuse is refused before a byte is sent", async ({ page }) => {
  let posted = 0;
  page.on("request", (r) => r.method() === "POST" && r.url().includes("/assets") && posted++);
  await logIn(page, demo("manager"));
  await page.getByRole("region", { name: "Backlog" }).locator(".project-card").first().click();
  const assets = page.getByRole("region", { name: "Assets" });
  await assets.getByTestId("asset-picker").setInputFiles({
    name: "cute.png",
    mimeType: "image/png",
    buffer: Buffer.concat([Buffer.from("MZ"), Buffer.alloc(300)]),
  });
  await expect(assets.getByRole("list", { name: "Uploads" })).toContainText("Only JPEG, PNG, HEIC and WebP pictures");
  expect(posted).toBe(0);
});
