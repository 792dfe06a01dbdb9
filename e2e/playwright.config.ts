import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3077);

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "flows", testIgnore: /(performance|lighthouse)\.spec\.ts/ },
    // Lighthouse on the demo data, before the performance tests add a thousand projects.
    { name: "lighthouse", testMatch: /lighthouse\.spec\.ts/, dependencies: ["flows"] },
    { name: "performance", testMatch: /performance\.spec\.ts/, dependencies: ["lighthouse"] },
  ],
  webServer: {
    command: "./serve.sh",
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { E2E_PORT: String(port) },
  },
});
