// Lighthouse on each address given, several runs each, in one Debian Chromium (CHROME_PATH):
// node lighthouse-runs.mjs RUNS HEADERS_JSON URL... prints one JSON array, a summary of each run
// (the category scores and the metrics the tests and `make bench` report). Lighthouse's own
// command would start a browser for every run; one browser for all of them saves that start,
// and each run still begins with the site's storage and cache cleared (Lighthouse's default).
// Default mobile emulation: a mid-range phone on slow 4G, simulated.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [runsText, headersJson, ...urls] = process.argv.slice(2);
const runs = Number(runsText);
if (!process.env.CHROME_PATH || !(runs > 0) || urls.length === 0) {
  console.error("usage: CHROME_PATH=/usr/bin/chromium node lighthouse-runs.mjs RUNS HEADERS_JSON URL...");
  process.exit(2);
}
const METRICS = {
  lcp_ms: "largest-contentful-paint",
  fcp_ms: "first-contentful-paint",
  cls: "cumulative-layout-shift",
  tbt_ms: "total-blocking-time",
  speed_index_ms: "speed-index",
  bytes: "total-byte-weight",
};
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
// Stopped from outside (a test's timeout): the browser goes too (chrome-launcher starts it
// detached, so it would outlive this script).
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => { chrome.kill().finally(() => process.exit(1)); });
}
const summaries = [];
try {
  for (const url of urls) {
    for (let run = 0; run < runs; run++) {
      // A run Lighthouse could not finish (on a busy machine, the browser can answer too
      // late: PROTOCOL_TIMEOUT) is run again, twice at most; its error is kept if it persists.
      let lhr = null;
      for (let attempt = 0; attempt < 3 && (!lhr || lhr.runtimeError); attempt++) {
        const result = await lighthouse(url, {
          port: chrome.port,
          output: "json",
          logLevel: "error",
          onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
          // Left out: work that no score counts (weight 0), the slowest part of a run on a busy
          // machine: the full-page screenshot and the back/forward cache test, which navigates
          // away and back again.
          disableFullPageScreenshot: true,
          skipAudits: ["bf-cache", "screenshot-thumbnails", "final-screenshot"],
          extraHeaders: JSON.parse(headersJson),
        });
        lhr = result.lhr;
      }
      const scores = Object.fromEntries(
        Object.entries(lhr.categories).map(([id, category]) => [id, category.score]));
      const metrics = Object.fromEntries(
        Object.entries(METRICS).map(([name, audit]) => [name, lhr.audits[audit]?.numericValue ?? null]));
      const failing = Object.values(lhr.audits)
        .filter((audit) => audit.score !== null && audit.score < 1
          && !["informative", "notApplicable", "manual"].includes(audit.scoreDisplayMode))
        .map((audit) => `${audit.id}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ""}`);
      summaries.push({url, run, scores, metrics, failing,
        runtime_error: lhr.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : null,
        warnings: lhr.runWarnings});
    }
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(summaries));
