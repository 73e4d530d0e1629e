import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import fs from "fs";
const [out, ...urls] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({chromePath: "/usr/bin/chromium",
  chromeFlags: ["--headless=new","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run","--disable-quic"]});
let i = 0;
for (const url of urls) {
  const r = await lighthouse(url, {port: chrome.port, output: "json", logLevel: "error",
    onlyCategories: ["performance"], disableFullPageScreenshot: true, skipAudits: ["bf-cache"]});
  fs.writeFileSync(`${out}-${i++}.json`, r.report);
  const a = r.lhr.audits;
  console.log(url, r.lhr.categories.performance.score, "LCP", a["largest-contentful-paint"].numericValue|0, "FCP", a["first-contentful-paint"].numericValue|0, "SI", a["speed-index"].numericValue|0, "TBT", a["total-blocking-time"].numericValue|0, "CLS", a["cumulative-layout-shift"].numericValue.toFixed(3));
}
await chrome.kill();
