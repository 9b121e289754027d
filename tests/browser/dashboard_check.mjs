// Opens glueguard's dashboard in Debian's headless Chromium, waits for its data, reads every element that has
// a data-testid and prints them as one JSON line (after the marker "DASHBOARD_JSON "), then switches the time
// range to 24h and reads them again. Saves screenshots (light and dark) into the artifact directory.
//
//   node tests/browser/dashboard_check.mjs URL ARTIFACT_DIR
//
// Exit 0 when the page rendered without a script error, 1 otherwise (the reason on stderr).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, artifactDir] = process.argv.slice(2);
if (!url || !artifactDir) {
  console.error("usage: node dashboard_check.mjs URL ARTIFACT_DIR");
  process.exit(2);
}
mkdirSync(artifactDir, { recursive: true });

const WAIT_MS = 30000;
const args = ["--disable-gpu", "--disable-dev-shm-usage"];
if (process.getuid && process.getuid() === 0) args.push("--no-sandbox");  // Chromium refuses root otherwise

// Every [data-testid] element: its text and, when it has one, its data-value (the raw number behind a
// formatted one).
function readPanels() {
  const out = {};
  for (const e of document.querySelectorAll("[data-testid]")) {
    const entry = { text: e.textContent.trim() };
    if (e.dataset.value !== undefined) entry.value = e.dataset.value;
    if (e.dataset.points !== undefined) entry.points = e.dataset.points;
    out[e.dataset.testid] = entry;
  }
  return out;
}

async function openPage(browser, colorScheme, problems) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console (${colorScheme}): ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error (${colorScheme}): ${e.message}`));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-state=ready]", { timeout: WAIT_MS });
  return page;
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args });
const problems = [];
try {
  const page = await openPage(browser, "light", problems);
  const panels = await page.evaluate(readPanels);
  const overThreshold = await page.$$eval(".subnet.over", (els) => els.map((e) => e.dataset.testid));
  const screenshot = join(artifactDir, "dashboard.png");
  await page.screenshot({ path: screenshot, fullPage: true });

  // The range picker: 24h reloads every chart and the summary.
  await page.click("[data-testid=range-24h]");
  await page.waitForSelector("body[data-state=ready][data-range='24h']", { timeout: WAIT_MS });
  const panels24h = await page.evaluate(readPanels);
  const pressed = await page.getAttribute("[data-testid=range-24h]", "aria-pressed");

  const dark = await openPage(browser, "dark", problems);
  const darkScreenshot = join(artifactDir, "dashboard-dark.png");
  await dark.screenshot({ path: darkScreenshot, fullPage: true });
  const darkBackground = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);

  console.log("DASHBOARD_JSON " + JSON.stringify({
    panels, panels_24h: panels24h, over_threshold: overThreshold, range_24h_pressed: pressed, dark_background: darkBackground,
    screenshots: [screenshot, darkScreenshot], problems,
  }));
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    process.exitCode = 1;
  }
} catch (e) {
  console.error(`dashboard_check: ${e.message}`);
  console.log("DASHBOARD_JSON " + JSON.stringify({ error: e.message, problems }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
