// Lighthouse over tongban's pages for `make bench` (scripts/bench.sh):
// usage: node run.mjs BASE_URL OUT_DIR PAGE...
// Each PAGE is a path; "signed-in:PATH" is measured signed in with the
// session of TB_COOKIE ("tb_session=...") and TB_CSRF, "signed-in=NAME:PATH"
// with that of TB_COOKIE_NAME and TB_CSRF_NAME (a second person, such as a
// citizen beside an official): the cookie is set
// in the browser and the CSRF token put in the tab's sessionStorage before
// the page's scripts run, which is what signing in through the page does
// (a cookie alone would show the sign-in form: the pages take a tab
// without the token as signed out). Lighthouse's default mobile mode: a
// mid-range phone (4x slower CPU, simulated slow 4G). Each page in a
// fresh browser context, so with an empty cache. Chrome is CHROME_PATH
// (Debian's chromium), started without background networking.
// Prints one line per page: performance and accessibility scores (0-100),
// FCP, LCP, TBT (ms) and CLS; then, for a category under 90, the audits
// that cost it points. Reports are kept as OUT_DIR/lighthouse-N.json.
import { writeFileSync } from 'node:fs';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [base, outDir, ...pages] = process.argv.slice(2);
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-default-apps', '--disable-sync', '--disable-extensions',
  '--disable-domain-reliability', '--disable-client-side-phishing-detection', '--no-first-run',
  '--no-default-browser-check', '--metrics-recording-only', '--safebrowsing-disable-auto-update',
  '--disable-features=OptimizationHints,MediaRouter,Translate',
];
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: FLAGS,
});
const pad = (s, n) => String(s).padStart(n);
let failed = false;

function line(label, lhr) {
  const score = (c) => (lhr.categories[c] && lhr.categories[c].score !== null
    ? Math.round(lhr.categories[c].score * 100) : NaN);
  const metric = (id) => (lhr.audits[id] ? lhr.audits[id].numericValue : NaN);
  const ms = (v) => pad(Number.isFinite(v) ? Math.round(v) : '-', 8);
  const cls = metric('cumulative-layout-shift');
  const perf = score('performance');
  const a11y = score('accessibility');
  console.log(`${label.padEnd(52)} ${pad(perf, 5)} ${pad(a11y, 5)}`
    + ` ${ms(metric('first-contentful-paint'))} ${ms(metric('largest-contentful-paint'))}`
    + ` ${ms(metric('total-blocking-time'))} ${pad(Number.isFinite(cls) ? cls.toFixed(3) : '-', 6)}`);
  if (lhr.runtimeError) {
    console.log(`  runtime error: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    failed = true;
  }
  for (const w of lhr.runWarnings || []) console.log(`  warning: ${w}`);
  for (const [cat, value] of [['performance', perf], ['accessibility', a11y]]) {
    if (!(value < 90)) continue;
    for (const ref of lhr.categories[cat].auditRefs) {
      const a = lhr.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 0.9) {
        console.log(`  ${cat}: ${a.id} (${a.displayValue || Math.round(a.score * 100)}): ${a.title}`);
      }
    }
  }
}

try {
  console.log(`${'page'.padEnd(52)} ${pad('perf', 5)} ${pad('a11y', 5)} ${pad('FCP ms', 8)}`
    + ` ${pad('LCP ms', 8)} ${pad('TBT ms', 8)} ${pad('CLS', 6)}`);
  let n = 0;
  for (const spec of pages) {
    n += 1;
    const who = spec.match(/^signed-in(?:=([A-Z0-9_]+))?:/);
    const signedIn = who !== null;
    const path = signedIn ? spec.slice(who[0].length) : spec;
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    if (signedIn) {
      const suffix = who[1] ? `_${who[1]}` : '';
      const [name, ...value] = (process.env[`TB_COOKIE${suffix}`] || '').split('=');
      await context.setCookie({
        name, value: value.join('='), domain: new URL(base).hostname, path: '/', httpOnly: true,
      });
      await page.evaluateOnNewDocument((token) => {
        sessionStorage.setItem('tongban.csrf', token);
      }, process.env[`TB_CSRF${suffix}`] || '');
    }
    const result = await lighthouse(`${base}${path}`, {
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
      disableFullPageScreenshot: true,
      // The fresh context is the empty cache; a reset would also drop
      // the session cookie.
      disableStorageReset: true,
    }, undefined, page);
    writeFileSync(`${outDir}/lighthouse-${n}.json`, result.report);
    line(signedIn ? `${path} (signed in)` : path, result.lhr);
    // A session that did not take shows the sign-in form: that page was
    // not the one measured.
    if (signedIn && await page.$('#si-id')) {
      console.log('  not signed in: the page measured was the sign-in form');
      failed = true;
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
