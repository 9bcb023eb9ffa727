// What every browser test file shares: the server (the real binary with
// demo data on a loopback port), Debian's chromium, pages that record script
// errors, and sign-in and API helpers. serve() registers the before/after
// hooks of a test file; base and browser are live bindings set by them.
// TB_TEST_BIN names the binary (default build/tongban, from the repository root).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// Screenshots are artefacts of the run, under build/screenshots (or
// $TB_SCREENSHOTS); the ones in docs/screenshots are copied from there.
const shotDir = process.env.TB_SCREENSHOTS
  || fileURLToPath(new URL('../../build/screenshots/', import.meta.url));
mkdirSync(shotDir, { recursive: true });
export const shot = (name) => join(shotDir, name);

const bin = process.env.TB_TEST_BIN || 'build/tongban';
let server;
export let browser;
export let base;
let dataDir;

export function serve() {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tongban-web-'));
    server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--demo', '--quiet'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TB_PWHASH_MEM_KIB: '8192', TB_PWHASH_OPS: '1' },
    });
    base = await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/listening on (?:http:\/\/)?(127\.0\.0\.1:\d+)/);
        if (m) resolve(`http://${m[1]}`);
      });
      server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
      setTimeout(() => reject(new Error('server did not start')), 30000);
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const done = new Promise((resolve) => server.on('exit', resolve));
      server.kill('SIGTERM');
      await done;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
}

// A console message with the address it is about: for a failed request
// Chromium logs "Failed to load resource: the server responded with a
// status of 404 (...)" located at the request's URL.
// Imports a catalog file (the exchange format) into the running server's
// store with `tongban import catalog`, as an operator would.
export function importCatalog(file) {
  return execFileSync(bin, ['import', 'catalog', file, '--data', dataDir], { encoding: 'utf8' });
}

export const consoleText = (m) => `${m.text()} <${m.location().url}>`;

// The errors left when the expected failed requests are taken out, for
// assert.deepEqual(..., []). expected: [status, path] pairs, path the
// request's path and query exactly (a string) or a RegExp over them; each
// must have failed so at least once, and only errors of that status for
// that request are taken out.
export function unexpectedErrors(errors, expected) {
  const hit = expected.map(() => false);
  const left = errors.filter((e) => {
    const m = e.match(/status of (\d{3}) .*<(http[^>]*)>$/);
    if (!m) return true;
    const u = new URL(m[2]);
    const at = u.origin === base ? u.pathname + u.search : null;
    const i = expected.findIndex(([status, path]) => String(status) === m[1] && at !== null
      && (path instanceof RegExp ? path.test(at) : path === at));
    if (i < 0) return true;
    hit[i] = true;
    return false;
  });
  expected.forEach(([status, path], i) => {
    if (!hit[i]) left.push(`expected a ${status} from ${path}, which did not come`);
  });
  return left;
}

// A fresh page that fails the test on any script error.
export async function page() {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
  return { p, ctx, errors };
}

// Signs in over the API; answers {cookie, csrf}.
export async function apiSignIn(login) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: 'tongban-demo' }),
  });
  assert.equal(r.status, 200);
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}

// A call as s (body: an object as JSON, or FormData); answers {status, body}.
export async function apiAs(s, method, path, body) {
  const headers = { cookie: s.cookie, 'X-CSRF-Token': s.csrf };
  if (body && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${base}${path}`, {
    method, headers, body: body instanceof FormData ? body : body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

// A small PDF to upload as name (for setInputFiles); tag, when given,
// makes its bytes (and so its SM3) its own.
export const pdfFile = (name, tag = '') => ({
  name, mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n${tag ? `%${tag}\n` : ''}`),
});

export async function uploadAs(s, no, material) {
  const fd = new FormData();
  fd.append('material', material);
  const pdf = pdfFile('scan.pdf');
  fd.append('file', new Blob([pdf.buffer], { type: pdf.mimeType }), pdf.name);
  const r = await apiAs(s, 'POST', `/api/v1/cases/${no}/materials`, fd);
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

export const noSideways = (p) => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

// A unified social credit code (GB 32100) from its first 16 characters:
// the organisation code's check character (GB 11714) and the code's own.
export function creditCode(body16) {
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  const osum = [...body16.slice(8)].reduce((s, ch, i) => s + parseInt(ch, 36) * ow[i], 0);
  const oc = 11 - (osum % 11);
  const body17 = body16 + (oc === 10 ? 'X' : oc === 11 ? '0' : String(oc));
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body17].reduce((s, ch, i) => s + cs.indexOf(ch) * w[i], 0);
  return body17 + cs[(31 - (sum % 31)) % 31];
}

// A page of this browser that records script errors and fails on any
// dialog (alert, confirm: markup run as script would open one).
export async function watchedPage(width) {
  const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
  const p = await ctx.newPage();
  const errors = [];
  const dialogs = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  return { ctx, p, errors, dialogs };
}

// A watched page (watchedPage) signed in as s (an apiSignIn session): its
// cookie, and the CSRF token where the pages keep it (web/ui.js).
export async function pageAs(s, width) {
  const w = await watchedPage(width);
  const [name, value] = s.cookie.split('=');
  await w.ctx.addCookies([{ name, value, url: base }]);
  await w.ctx.addInitScript((csrf) => sessionStorage.setItem('tongban.csrf', csrf), s.csrf);
  return w;
}

// Signs in with the shell's form (#si-id) on a page that asks for it.
export async function shellSignIn(p, path, login) {
  await p.goto(`${base}${path}`);
  await p.fill('#si-id', login);
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
}

// A complete application form of 个体工商户设立登记 (its form_fields in
// data/demo/catalog.json) but for what the platform prefills from the
// account (name, number, phone), with extra fields over it.
export const shopForm = (extra = {}) => ({
  经营场所: '浙江省杭州市西湖区文三路90号', 组成形式: '个人经营', 经营范围: '日用百货零售',
  资金数额: '10', 从业人数: '2', ...extra,
});

// Opens s's draft of item with form (merged over the prefilled one); one
// draft per applicant and item, so an open one (of an earlier test) is
// taken and its form set. Answers {no, code}: a new query code when the
// draft was already open.
export async function openDraft(s, item, form) {
  const made = await apiAs(s, 'POST', '/api/v1/cases', { item, form });
  if (made.status === 201) return { no: made.body.case_no, code: made.body.query_code };
  assert.equal(made.status, 409, JSON.stringify(made.body));
  const no = made.body.case_no;
  const had = (await apiAs(s, 'GET', `/api/v1/cases/${no}`)).body.form;
  assert.equal((await apiAs(s, 'PUT', `/api/v1/cases/${no}`, { form: { ...had, ...form } })).status, 200);
  const code = (await apiAs(s, 'POST', `/api/v1/cases/${no}/query-code`, {})).body.query_code;
  return { no, code };
}

// Fills the 个体工商户设立登记 form on a page that draws the item's form
// (apply.html, the window): inputs named "form.NAME"; values over shopForm().
export async function fillShopForm(p, values = {}) {
  for (const [k, v] of Object.entries(shopForm(values))) {
    const input = p.locator(`[name="form.${k}"]`);
    if (await input.evaluate((e) => e.tagName) === 'SELECT') await input.selectOption(v);
    else await input.fill(v);
  }
}

// ---- every page, as the person whose page it is ------------------------------

const ITEM = '11330106024892795E4010010201000'; // 个体工商户设立登记, 西湖区
const ZHANG = '33010619900101123X';
const LI = '330106198505052313';
const CLERK = '330106198808081015';
const REVIEWER = '330106198707072021';
const CATALOGUER = '330102198505054022';
const SUPERVISOR = '330106198303036024';
const SHARER = '330105198404045011'; // 周共享, sharing officer of 杭州市公安局

// Every page of web/ and who uses it, after making a submitted case of
// 张三's named shop (for his case page, its progress and the reviewer's
// view): [name, login (null: signed out), path, ready selector, act].
export async function everyPage(shop) {
  const zhang = await apiSignIn(ZHANG);
  const { no, code } = await openDraft(zhang, ITEM, shopForm({ 名称: shop }));
  for (const m of ['个体工商户登记（备案）申请书', '经营场所使用相关证明']) await uploadAs(zhang, no, m);
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);
  const cert = (await apiAs(zhang, 'GET', '/api/v1/me/certificates')).body.items[0].identifier;
  return [
    ['home', null, '/', '#popular a'],
    ['home-signed-in', ZHANG, '/', '#popular a'],
    ['services', null, '/services.html', '#items article'],
    ['guide', null, `/guide.html?item=${ITEM}`, '#guide h2'],
    ['register', null, '/register.html', '#person-form'],
    ['404', null, '/no/such/page', '.topnav'],
    ['progress', null, `/progress.html#${no}:${code}`, '#progress dl'],
    ['recover', null, '/recover.html', '#rc-id'],
    ['verify', null, `/verify.html#${encodeURIComponent(cert)}`, '#answer p.ok'],
    ['status', null, '/status.html', '#health.ok'],
    ['window-signed-out', null, '/window/', '#si-id'],
    ['open', null, '/open/', '#chart canvas'],
    ['apply', ZHANG, `/apply.html?item=${ITEM}`, '#fields .field'],
    ['certificates', ZHANG, '/certificates.html', 'article.cert'],
    ['my', ZHANG, '/my/', '#cases li'],
    ['my-case', ZHANG, `/my/case.html?no=${no}`, '#main .card'],
    ['my-messages', ZHANG, '/my/messages.html', '#messages li'],
    ['my-materials', ZHANG, '/my/materials.html', '#materials li'],
    ['my-data-usage', ZHANG, '/my/data-usage.html', '#uses li.use'],
    ['agents', LI, '/agents.html', 'article.cert li'],
    ['register-business', LI, '/register.html', '#org-form'],
    ['window', CLERK, '/window/', '#centre:not(:empty)', (p) => windowOpensShop(p, ZHANG)],
    ['workbench', REVIEWER, '/workbench/', '#queue tbody tr'],
    ['workbench-case', REVIEWER, `/workbench/case.html?no=${no}`, '#case-title', async (p) => {
      // The correction checklist open.
      await p.click('button[data-event=request_correction]');
      await p.locator('#corr-other').waitFor();
    }],
    ['catalog', CATALOGUER, '/catalog/', '#items tbody tr[data-code]'],
    ['catalog-item', CATALOGUER, `/catalog/item.html?code=${ITEM}`, '#editor [name=name]'],
    ['catalog-versions', CATALOGUER, `/catalog/versions.html?code=${ITEM}`, '.cmp-row'],
    ['catalog-consistency', CATALOGUER, '/catalog/consistency.html?basic_code=010010201000&region=330100', '.variant'],
    ['supervision', SUPERVISOR, '/supervision/', '#overdue-list tbody tr'],
    ['sharing', SHARER, '/sharing/', '.grants li[data-grant]'],
    ['sharing-supervision', SUPERVISOR, '/sharing/', '.grants li[data-grant]'],
  ];
}

// Opens each page of pages (everyPage) in one tab width px wide, signed in
// as its person as ui.js does it (cookie + CSRF token in sessionStorage),
// waits until it shows its content and calls check(p, name). Answers the
// script errors of the tab.
export async function walkPages(pages, width, check) {
  const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  let who;
  for (const [name, login, path, ready, act] of pages) {
    if (login !== who) {
      await p.goto(`${base}/status.html`);
      await p.evaluate(() => import('/ui.js').then((ui) => ui.signOut()));
      if (login) {
        const ok = await p.evaluate((l) => import('/ui.js').then((ui) => ui.signIn(l, 'tongban-demo')).then((r) => r.ok), login);
        assert.ok(ok, `sign-in of ${login}`);
      }
      who = login;
    }
    await p.goto(`${base}${path}`);
    await p.locator(ready).first().waitFor();
    await p.waitForLoadState('networkidle');
    if (act) await act(p);
    await check(p, name);
  }
  await ctx.close();
  return errors;
}

// On the window page (/window/, a clerk signed in): finds the applicant by
// code (typed, then Enter) and waits for their name, chooses
// 西湖区市场监督管理局's 个体工商户设立登记 and opens its form and materials.
export async function windowOpensShop(p, code, name = '张三') {
  await p.fill('#applicant-code', code);
  await p.press('#applicant-code', 'Enter');
  await p.locator('#applicant dd', { hasText: name }).waitFor();
  await p.selectOption('#dept', { label: '杭州市西湖区市场监督管理局' });
  await p.locator(`#item option[value="${ITEM}"]`).waitFor({ state: 'attached' });
  await p.selectOption('#item', ITEM);
  await p.click('#choose-form button[type=submit]');
  await p.locator('#materials tbody tr').first().waitFor();
}

// The serious and critical accessibility violations axe-core finds on the
// page as it is now, each as "where: rule nodes".
export async function axeFindings(p, where) {
  const { AxeBuilder } = await import('@axe-core/playwright');
  const r = await new AxeBuilder({ page: p }).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: [${v.impact}] ${v.id} (${v.help}): `
      + v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | '));
}

// Fails the test when axe-core finds a serious or critical violation.
export async function axeClean(p, where) {
  assert.deepEqual(await axeFindings(p, where), []);
}
