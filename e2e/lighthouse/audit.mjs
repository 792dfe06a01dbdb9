// One Lighthouse 12 run (its default, mobile: a mid-range phone on slow 4G, simulated, 4x CPU
// slowdown) of `url` in Debian's Chromium, printed as one JSON line of the figures the browser
// tests judge. `node lighthouse/audit.mjs URL [COOKIE]`: the cookie header logs the page in.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [url, cookie] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // Chromium's own calls home are refused by this network, and would show in the audit.
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps"],
});
try {
  const flags = {
    port: chrome.port,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance", "accessibility", "best-practices"],
    extraHeaders: cookie ? { Cookie: cookie } : undefined,
  };
  const { lhr } = await lighthouse(url, flags);
  const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
  const value = (a) => lhr.audits[a]?.numericValue ?? null;
  // What keeps a category under 100: the scored audits that do not pass.
  const failing = ["accessibility", "best-practices"].flatMap((c) =>
    lhr.categories[c].auditRefs
      .filter((r) => r.weight > 0 && lhr.audits[r.id].score !== null && lhr.audits[r.id].score < 1)
      .map((r) => `${c}: ${r.id}: ${lhr.audits[r.id].title}`),
  );
  console.log(JSON.stringify({
    url: lhr.finalDisplayedUrl,
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    fcp: value("first-contentful-paint"),
    lcp: value("largest-contentful-paint"),
    cls: value("cumulative-layout-shift"),
    tbt: value("total-blocking-time"),
    bytes: value("total-byte-weight"),
    failing,
    errors: lhr.runtimeError ? [lhr.runtimeError.message] : [],
  }));
} finally {
  await chrome.kill();
}
