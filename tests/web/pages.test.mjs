// Browser tests of the pages, in Debian's chromium driven by
// playwright-core, against the real binary with demo data on a loopback
// port: the start page, "my e-certificates" (sign-in, the certificates
// with their QR codes), the public verification page, and applying online
// (materials already satisfied shown as such, an upload, the submission)
// with the public progress page it links to, the service catalog, and a
// business agent adding and removing agents on a 390 px phone; the public
// indicators (/open/) with their drill-down and the supervision page.
// TB_TEST_BIN names the binary (default build/tongban, from the repository root).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
const shot = (name) => join(shotDir, name);

const bin = process.env.TB_TEST_BIN || 'build/tongban';
let server;
let browser;
let base;
let dataDir;

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

// A console message with the address it is about: for a failed request
// Chromium logs "Failed to load resource: the server responded with a
// status of 404 (...)" located at the request's URL.
const consoleText = (m) => `${m.text()} <${m.location().url}>`;

// The errors left when the expected failed requests are taken out, for
// assert.deepEqual(..., []). expected: [status, path] pairs, path the
// request's path and query exactly (a string) or a RegExp over them; each
// must have failed so at least once, and only errors of that status for
// that request are taken out.
function unexpectedErrors(errors, expected) {
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
async function page() {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
  return { p, ctx, errors };
}

test('the home page leads to services by search, theme, region and department', async () => {
  const { p, ctx, errors } = await page();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.goto(`${base}/`);
  await p.locator('#events a', { hasText: '结婚' }).waitFor();
  await p.locator('#departments a', { hasText: '杭州市西湖区民政局' }).waitFor();
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
  // A region picked by name, never typed as a code.
  await p.locator('#city option[value="330100"]').waitFor({ state: 'attached' });
  await p.selectOption('#city', '330100');
  await p.locator('#county option[value="330106"]').waitFor({ state: 'attached' });
  await p.selectOption('#county', '330106');
  await p.click('#place button');
  await p.waitForURL(/services\.html\?region=330106/);
  await p.locator('#items article').first().waitFor();
  // A theme keeps its filter while searching.
  await p.goto(`${base}/`);
  await p.locator('#events a', { hasText: '结婚' }).click();
  await p.waitForURL(/services\.html\?event=/);
  await p.locator('#filter', { hasText: '主题：结婚' }).waitFor();
  await p.locator('#items article').first().waitFor();
  // The search on the home page.
  await p.goto(`${base}/`);
  await p.fill('#q', '营业执照');
  await p.click('#search button');
  await p.waitForURL(/services\.html\?q=/);
  assert.equal(await p.inputValue('#q'), '营业执照');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the status page shows the platform status', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/status.html`);
  await p.locator('#health.ok').waitFor();
  assert.match(await p.textContent('#health'), /运行正常/);
  await p.fill('#code', '33010619900101123X');
  await p.click('button[type=submit]');
  await p.locator('#result.ok').waitFor();
  assert.match(await p.textContent('#result'), /有效的公民身份号码/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a citizen signs in and sees their e-certificates with QR codes', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/certificates.html`);
  await p.locator('#signin').waitFor();
  await p.fill('#login-id', '33010619900101123X');
  await p.fill('#login-pw', 'wrong-password');
  await p.click('#login button');
  await p.locator('#login-msg', { hasText: '登录失败' }).waitFor();
  await p.fill('#login-pw', 'tongban-demo');
  await p.click('#login button');
  await p.locator('#list').waitFor();
  const cards = p.locator('article.cert');
  await cards.first().waitFor();
  assert.equal(await cards.count(), 2);
  const text = await p.textContent('#certs');
  assert.match(text, /结婚证/);
  assert.match(text, /居民户口簿/);
  assert.match(text, /李梅/); // the spouse on the face of the 结婚证
  assert.match(text, /状态：有效/);
  // One QR code per certificate, each loaded as an image (decode()
  // rejects an image that fails to load).
  const qrs = p.locator('article.cert img.qr');
  assert.equal(await qrs.count(), 2);
  for (let i = 0; i < 2; i++) {
    await qrs.nth(i).evaluate((img) => img.decode());
    assert.ok(await qrs.nth(i).evaluate((img) => img.complete && img.naturalWidth > 0));
  }
  // "在线核验" leads to the public verification of that certificate.
  await p.locator('article.cert a', { hasText: '在线核验' }).first().click();
  await p.waitForURL(/verify\.html#/);
  await p.locator('#answer p.ok').waitFor();
  assert.match(await p.textContent('#answer'), /有效/);
  // By identifier the holder is not shown, not even masked; the page says so.
  assert.match(await p.textContent('#answer'), /不显示持证人/);
  assert.doesNotMatch(await p.textContent('#answer'), /张/);
  // The page asks before sign-in, and the wrong password: two 401s, expected.
  assert.deepEqual(unexpectedErrors(errors, [
    [401, '/api/v1/me/certificates'],
    [401, '/api/v1/auth/login'],
  ]), []);
  await ctx.close();
});

test('the verification page tells forged and malformed identifiers apart', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/verify.html`);
  // A real identifier with its check character changed.
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: '33010619900101123X', password: 'tongban-demo' }),
  });
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const mine = await (await fetch(`${base}/api/v1/me/certificates`, { headers: { cookie } })).json();
  const id = mine.items[0].identifier;
  const forged = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A');
  await p.fill('#id', forged);
  await p.click('#verify button');
  await p.locator('#answer p.bad').waitFor();
  assert.match(await p.textContent('#answer'), /核验不通过/);
  await p.fill('#id', '1.2.3');
  await p.click('#verify button');
  await p.locator('#answer p.bad', { hasText: '格式有误' }).waitFor();
  assert.deepEqual(unexpectedErrors(errors, [[400, '/api/v1/certificates/1.2.3/verify']]), []);
  await ctx.close();
});

test('applying online: what is already satisfied is shown, the rest is uploaded', async () => {
  const { p, ctx, errors } = await page();
  // 生育登记 needs 结婚证 (张三 holds one) and an identity card (his library has one).
  await p.goto(`${base}/apply.html?item=1133010002486186853200032801000`);
  await p.locator('#signin').waitFor();
  await p.fill('#login-id', '33010619900101123X');
  await p.fill('#login-pw', 'tongban-demo');
  await p.click('#login button');
  await p.locator('#materials tbody tr').first().waitFor();
  assert.match(await p.textContent('#item-name'), /生育登记/);
  assert.match(await p.textContent('tr[data-material="结婚证"]'), /电子证照/);
  assert.match(await p.textContent('tr[data-material="夫妻双方居民身份证"]'), /材料库/);
  await p.click('#submit');
  await p.locator('#result p.ok').waitFor();
  assert.match(await p.textContent('#result'), /已提交。办件编号 1133010002486186853200032801000\d{12}/);
  // The public progress page, from the link with the number and query code.
  await p.locator('#result a', { hasText: '查询办理进度' }).click();
  await p.waitForURL(/progress\.html#/);
  await p.locator('#progress dl').waitFor();
  assert.match(await p.textContent('#progress'), /已提交，待受理/);
  assert.match(await p.textContent('#progress'), /生育登记/);
  // A wrong code looks like no case at all.
  await p.fill('#code', '00000000');
  await p.click('#query button');
  await p.locator('#progress p.bad').waitFor();
  assert.match(await p.textContent('#progress'), /没有找到/);

  // 个体工商户设立登记: the application form has to be uploaded.
  await p.goto(`${base}/apply.html?item=11330106024892795E4010010201000`);
  const row = p.locator('tr[data-material="个体工商户登记（备案）申请书"]');
  await row.waitFor();
  assert.match(await row.textContent(), /需上传/);
  await p.click('#submit');
  await p.locator('#result p.bad', { hasText: '还缺少' }).waitFor();
  await row.locator('input[type=file]').setInputFiles({
    name: '申请书.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n'),
  });
  await row.locator('button').click();
  await p.locator('tr[data-material="个体工商户登记（备案）申请书"] td.ok', { hasText: '已上传' }).waitFor();
  // The missing submit answered 400 and the wrong code 404: expected.
  assert.deepEqual(unexpectedErrors(errors, [
    [404, /^\/api\/v1\/progress\/1133010002486186853200032801000\d{12}\?code=00000000$/],
    [400, /^\/api\/v1\/cases\/11330106024892795E4010010201000\d{12}\/submit$/],
  ]), []);
  await ctx.close();
});

test('the service catalog finds items and leads to applying', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/services.html`);
  await p.locator('#items article').first().waitFor();
  await p.fill('#q', '结婚');
  await p.fill('#region', '330106');
  await p.click('#search button');
  await p.locator('#items article[data-code="11330106024903108G4070081601000"]').waitFor();
  assert.match(await p.textContent('#count'), /找到 \d+ 项/);
  const marriage = p.locator('article[data-code="11330106024903108G4070081601000"]');
  assert.match(await marriage.textContent(), /内地居民结婚登记/);
  assert.match(await marriage.textContent(), /即办/);
  await marriage.locator('a', { hasText: '在线申请' }).click();
  await p.waitForURL(/apply\.html\?item=11330106024903108G4070081601000/);
  await p.locator('#item-name', { hasText: '内地居民结婚登记' }).waitFor();
  // A bad region is refused with the reason.
  await p.goto(`${base}/services.html`);
  await p.fill('#region', '99');
  await p.click('#search button');
  await p.locator('#count.bad').waitFor();
  // The bad region answered 400: expected.
  assert.deepEqual(unexpectedErrors(errors, [[400, /^\/api\/v1\/items\?(.*&)?region=99(&|$)/]]), []);
  await ctx.close();
});

test('a locked-out citizen recovers the account on a phone', async () => {
  // A person registers (the answer shows the recovery code once), then
  // someone locks the account with wrong passwords.
  const reg = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'person', name: '找回', id_number: '330106199506061005',
      phone: '13700000009', password: 'first-pass-2026' }),
  });
  assert.equal(reg.status, 201);
  const code = (await reg.json()).recovery_code;
  for (let i = 0; i < 5; i++) {
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: '330106199506061005', password: 'someone-else-1' }),
    });
  }
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  // The sign-in form links to the recovery page.
  await p.goto(`${base}/certificates.html`);
  await p.click('text=账户被锁定或忘记密码？');
  await p.waitForURL(/recover\.html/);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390));
  await p.fill('#rc-id', '330106199506061005');
  await p.fill('#rc-code', 'AAAAA-AAAAA-AAAAA-AAAAA');
  await p.fill('#rc-pw', 'new-pass-2026');
  await p.fill('#rc-pw2', 'new-pass-2026');
  await p.click('#recover button[type=submit]');
  await p.waitForFunction(() => document.getElementById('rc-msg').textContent !== '');
  assert.match(await p.textContent('#rc-msg'), /恢复码不正确/);
  await p.fill('#rc-code', code.toLowerCase());
  await p.click('#recover button[type=submit]');
  await p.locator('#rc-done').waitFor();
  const next = await p.textContent('#rc-new');
  assert.match(next, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
  assert.notEqual(next, code);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: '330106199506061005', password: 'new-pass-2026' }),
  });
  assert.equal(login.status, 200);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a business agent manages the agents on a 390 px phone', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
  p.on('dialog', (d) => d.accept());
  await p.goto(`${base}/agents.html`);
  await p.locator('#signin').waitFor();
  await p.fill('#login-id', '330106198505052313'); // 李四, agent of 杭州西湖示例科技有限公司
  await p.fill('#login-pw', 'tongban-demo');
  await p.click('#login button');
  const biz = p.locator('article.cert', { hasText: '杭州西湖示例科技有限公司' });
  await biz.locator('li', { hasText: '李四（本人）' }).waitFor();
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390));
  // A wrong name: told plainly, nothing added.
  await biz.locator('input').nth(0).fill('330102199203154022');
  await biz.locator('input').nth(1).fill('王六');
  await biz.locator('button[type=submit]').click();
  await biz.locator('p.bad', { hasText: '没有找到' }).waitFor();
  await biz.locator('input').nth(1).fill('王五');
  await biz.locator('button[type=submit]').click();
  await p.locator('p.ok', { hasText: '已添加 王五' }).waitFor();
  const again = p.locator('article.cert', { hasText: '杭州西湖示例科技有限公司' });
  await again.locator('li', { hasText: '王五' }).waitFor();
  // 王五 removed again; then 李四 is the last agent and cannot leave.
  await again.locator('li', { hasText: '王五' }).locator('button').click();
  await p.locator('p.ok', { hasText: '已移除经办人 王五' }).waitFor();
  const last = p.locator('article.cert', { hasText: '杭州西湖示例科技有限公司' });
  await last.locator('li', { hasText: '李四（本人）' }).locator('button').click();
  await last.locator('p.bad', { hasText: '至少要保留一名经办人' }).waitFor();
  // The page asks who is signed in first (401); the refusals above are
  // expected answers of the API (400, 409).
  assert.deepEqual(unexpectedErrors(errors, [
    [401, '/api/v1/me'],
    [400, '/api/v1/organisations/15/agents'],
    [409, '/api/v1/organisations/15/agents/2'],
  ]), []);
  await ctx.close();
});

test('the general window takes a paper application and prints the receipt or the one-time notice', async () => {
  // 王窗口, window clerk of 杭州市西湖区政务服务中心, for 张三 at the counter.
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
  const evil = '<img src=x onerror=alert(1)>';
  // Screenshots for the README, wherever the test is run from.
  const run = async (width, height) => {
    const ctx = await browser.newContext({ viewport: { width, height } });
    const p = await ctx.newPage();
    const errors = [];
    const dialogs = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
    p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await p.goto(`${base}/window/`);
    await p.fill('#si-id', '330106198808081015');
    await p.fill('#si-pw', 'tongban-demo');
    await p.press('#si-pw', 'Enter');
    await p.locator('#centre', { hasText: '杭州市西湖区政务服务中心' }).waitFor();
    // By keyboard: the number, Enter.
    await p.fill('#applicant-code', '33010619900101123x');
    await p.press('#applicant-code', 'Enter');
    await p.locator('#applicant dd', { hasText: '张三' }).waitFor();
    assert.match(await p.textContent('#applicant'), /330106\*{8}123X/);
    await p.selectOption('#dept', { label: '杭州市西湖区市场监督管理局' });
    await p.locator('#item option[value="11330106024892795E4010010201000"]').waitFor({ state: 'attached' });
    await p.selectOption('#item', '11330106024892795E4010010201000');
    await p.click('#choose-form button[type=submit]');
    await p.locator('#materials tbody tr').first().waitFor();
    return { ctx, p, errors, dialogs };
  };

  // At 1280 px: a scan of the application form, the lease checked in the
  // original, a form field holding markup: submitted, the receipt.
  let { ctx, p, errors, dialogs } = await run(1280, 900);
  const form = p.locator('tr[data-material="个体工商户登记（备案）申请书"]');
  await form.locator('input.scan').setInputFiles({ name: '申请书.pdf', mimeType: 'application/pdf', buffer: pdf });
  await p.locator('tr[data-material="经营场所使用相关证明"] input.original').check();
  await p.getByLabel('联系地址').fill(evil);
  await p.getByLabel('联系电话').fill('13900000001');
  await p.click('#submit');
  await p.locator('#outcome p.ok').waitFor();
  const receipt = await p.textContent('#doc');
  assert.match(receipt, /受\s*理\s*回\s*执|受理回执/);
  assert.match(receipt, /11330106024892795E4010010201000\d{12}/);
  assert.match(receipt, /查询码\d{8}/);
  assert.match(receipt, /杭州市西湖区政务服务中心/);
  assert.match(receipt, /已上传扫描件/);
  assert.match(receipt, /原件已在窗口核验/);
  assert.match(receipt, /progress\.html/);
  assert.ok(receipt.includes(evil), 'the markup shows as text');
  assert.equal(await p.locator('#doc img').count(), 0);
  await p.screenshot({ path: shot('window-receipt-1280.png'), fullPage: true });
  // The clerk accepts it at the window; the department decides later.
  await p.getByRole('button', { name: '受理', exact: true }).click();
  await p.locator('#outcome p.ok', { hasText: '已受理' }).waitFor();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await ctx.close();

  // At 390 px: nothing given for the two papers: the one-time notice
  // lists both at once; no sideways scrolling.
  ({ ctx, p, errors, dialogs } = await run(390, 844));
  await p.screenshot({ path: shot('window-apply-390.png'), fullPage: true });
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
  await p.click('#submit');
  await p.locator('#outcome p.bad', { hasText: '尚缺 2 项' }).waitFor();
  const notice = await p.textContent('#doc');
  assert.match(notice, /一次性告知书/);
  assert.match(notice, /个体工商户登记（备案）申请书/);
  assert.match(notice, /经营场所使用相关证明/);
  assert.match(notice, /11330106024892795E4010010201000\d{12}/);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
  await p.locator('#outcome').screenshot({ path: shot('window-outcome-390.png') });
  await p.locator('#doc').screenshot({ path: shot('window-notice-390.png') });
  assert.deepEqual(dialogs, []);
  // The refused submission answered 400: expected.
  assert.deepEqual(unexpectedErrors(errors, [
    [400, /^\/api\/v1\/cases\/11330106024892795E4010010201000\d{12}\/submit$/],
  ]), []);
  await ctx.close();
});

// ---- the department workbench (/workbench/) --------------------------------

// Signs in over the API; answers {cookie, csrf}.
async function apiSignIn(login) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: 'tongban-demo' }),
  });
  assert.equal(r.status, 200);
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}

// A call as s (body: an object as JSON, or FormData); answers {status, body}.
async function apiAs(s, method, path, body) {
  const headers = { cookie: s.cookie, 'X-CSRF-Token': s.csrf };
  if (body && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${base}${path}`, {
    method, headers, body: body instanceof FormData ? body : body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

async function uploadAs(s, no, material) {
  const fd = new FormData();
  fd.append('material', material);
  fd.append('file', new Blob([Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n')],
    { type: 'application/pdf' }), 'scan.pdf');
  const r = await apiAs(s, 'POST', `/api/v1/cases/${no}/materials`, fd);
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function officialPage(width, login) {
  const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
  const p = await ctx.newPage();
  const errors = [];
  const dialogs = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await p.goto(`${base}/workbench/`);
  await p.locator('#si-id').waitFor();
  await p.fill('#si-id', login);
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  await p.waitForFunction(() => document.getElementById('count')?.textContent);
  return { p, ctx, errors, dialogs };
}

const noSideways = (p) => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('workbench: a reviewer finds, claims and corrects a case, the approver completes it, another department sees nothing', async () => {
  const ITEM = '11330106024892795E4010010201000'; // 个体工商户设立登记, 西湖区市场监督管理局
  const XSS = '<img src=x onerror=alert(1)>';
  const zhang = await apiSignIn('33010619900101123X');
  const made = await apiAs(zhang, 'POST', '/api/v1/cases', {
    item: ITEM,
    form: { name: `西湖${XSS}小店`, address: '杭州市西湖区文三路1号', business_scope: '日用百货零售' },
  });
  assert.equal(made.status, 201);
  const no = made.body.case_no;
  for (const m of ['个体工商户登记（备案）申请书', '经营场所使用相关证明']) await uploadAs(zhang, no, m);
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);

  // 赵审核 finds it in the queue by keyboard alone: Tab to its row, Enter opens.
  const zhao = await officialPage(1280, '330106198707072021');
  let { p } = zhao;
  const row = p.locator(`#queue tr[data-case="${no}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /张三/);
  assert.match(await row.textContent(), /未认领/);
  await p.screenshot({ path: shot('workbench-queue-1280.png'), fullPage: false });
  await p.locator('#f-mine').focus();
  let found = false;
  for (let i = 0; i < 400 && !found; i++) {
    await p.keyboard.press('Tab');
    found = await p.evaluate((n) => document.activeElement?.closest('tr')?.dataset.case === n
      && document.activeElement.tagName === 'A', no);
  }
  assert.ok(found, 'the case is reachable by Tab');
  await p.keyboard.press('Enter');
  await p.waitForURL(/\/workbench\/case\.html\?no=/);
  await p.locator('#case-title').waitFor();
  // The form's text with markup shows as text.
  await p.locator('dd', { hasText: `西湖${XSS}小店` }).waitFor();
  // Files open in the browser.
  const href = await p.locator('tr[data-material="经营场所使用相关证明"] a').getAttribute('href');
  const file = await p.request.get(`${base}${href}`);
  assert.equal(file.status(), 200);
  assert.equal(file.headers()['content-type'], 'application/pdf');
  assert.equal(file.headers()['content-disposition'], 'inline');
  // Buttons only for what the reviewer may do now.
  const events = await p.locator('#main button[data-event]').evaluateAll((bs) => bs.map((b) => b.dataset.event));
  assert.deepEqual(events.sort(), ['accept', 'reject', 'request_correction']);
  await p.click('#claim');
  await p.locator('.flash', { hasText: '已认领' }).waitFor();
  assert.match(await p.textContent('#assign-form .current'), /赵审核（我）/);
  // One notice with two materials checked and a free text.
  await p.click('button[data-event=request_correction]');
  await p.check('input[data-material="个体工商户登记（备案）申请书"]');
  await p.check('input[data-material="经营场所使用相关证明"]');
  await p.fill('input[data-reason-for="经营场所使用相关证明"]', '租赁协议缺少出租方签字');
  await p.fill('#corr-other', `经营范围请写明具体品类 ${XSS}`);
  await p.click('#form-request_correction button[type=submit]');
  await p.locator('.flash', { hasText: '待补正' }).waitFor();
  const c1 = await apiAs(zhang, 'GET', `/api/v1/cases/${no}`);
  assert.equal(c1.body.state, 'needs_correction');
  assert.equal(c1.body.corrections.length, 3);

  // The citizen fixes both and submits again.
  for (const m of ['个体工商户登记（备案）申请书', '经营场所使用相关证明']) await uploadAs(zhang, no, m);
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);

  // 赵审核 accepts and moves it to review.
  await p.reload();
  await p.click('button[data-event=accept]');
  await p.fill('#op-accept', '材料齐全，予以受理');
  await p.click('#form-accept button[type=submit]');
  await p.locator('.flash', { hasText: '已受理' }).waitFor();
  await p.click('button[data-event=review]');
  await p.click('#form-review button[type=submit]');
  await p.locator('.flash', { hasText: '审查中' }).waitFor();
  assert.equal(await p.locator('button[data-event=approve]').count(), 0); // not a reviewer's
  await p.screenshot({ path: shot('workbench-case-1280.png'), fullPage: true });
  assert.deepEqual(zhao.dialogs, []);
  assert.deepEqual(zhao.errors, []);
  await zhao.ctx.close();

  // 钱审批 approves and completes with the certificate's face prefilled.
  const qian = await officialPage(1280, '330106198606063011');
  p = qian.p;
  await p.goto(`${base}/workbench/case.html?no=${no}`);
  await p.click('button[data-event=approve]');
  await p.fill('#op-approve', '准予登记');
  await p.click('#form-approve button[type=submit]');
  await p.locator('.flash', { hasText: '已批准' }).waitFor();
  await p.click('button[data-event=complete]');
  await p.locator('#face-address').waitFor();
  assert.equal(await p.inputValue('#face-address'), '杭州市西湖区文三路1号');
  assert.equal(await p.inputValue('#face-business_scope'), '日用百货零售');
  await p.fill('#face-entity_type', '个体工商户');
  await p.fill('#holder-name', '西湖小店');
  await p.fill('#holder-code', '92330106MA2T000150');
  await p.click('#form-complete button[type=submit]');
  await p.locator('.flash', { hasText: '已办结' }).waitFor();
  await p.locator('.certs .ok', { hasText: '有效' }).waitFor();
  assert.deepEqual(qian.dialogs, []);
  assert.deepEqual(qian.errors, []);
  await qian.ctx.close();

  // 冯登记 of 西湖区民政局 sees neither the case in the queue nor the case.
  const feng = await officialPage(1280, '330106198910103022');
  p = feng.p;
  assert.equal(await p.locator(`#queue tr[data-case="${no}"]`).count(), 0);
  await p.goto(`${base}/workbench/case.html?no=${no}`);
  await p.locator('#case p.bad', { hasText: '没有找到' }).waitFor();
  assert.deepEqual(unexpectedErrors(feng.errors, [[404, `/api/v1/cases/${no}`]]), []);
  await feng.ctx.close();

  // On a 390 px phone: no sideways scroll on the queue nor on a case.
  const phone = await officialPage(390, '330106198707072021');
  p = phone.p;
  assert.ok(await noSideways(p), 'queue fits 390 px');
  await p.screenshot({ path: shot('workbench-queue-390.png'), fullPage: false });
  await p.locator('#queue tbody tr a').first().click();
  await p.locator('#case-title').waitFor();
  assert.ok(await noSideways(p), 'case fits 390 px');
  await p.screenshot({ path: shot('workbench-case-390.png'), fullPage: true });
  assert.deepEqual(phone.errors, []);
  await phone.ctx.close();
});

// 事项管理 (/catalog/): 孙目录, catalog manager over 杭州市, signs in to the
// list of the city's items (drafts included), opens a county's item,
// is refused with the API's reason beside the promised limit, fixes it,
// renames a material, publishes, and compares the two versions; a
// condition holding markup stays text; the pages fit a 390 px phone.
async function catalogSignIn(p, url) {
  await p.goto(url);
  await p.locator('#signin').waitFor();
  await p.fill('#si-id', '330102198505054022');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
}

test('catalog: a catalog manager edits, publishes and compares versions of an item', async () => {
  const { p, ctx, errors } = await page();
  await p.setViewportSize({ width: 1280, height: 900 });
  let dialogs = 0;
  p.on('dialog', (d) => { dialogs++; d.dismiss(); });
  const code = '11330106024892795E4010010201000'; // 西湖区 个体工商户设立登记
  await catalogSignIn(p, `${base}/catalog/`);
  await p.locator('#items tbody tr[data-code]').first().waitFor();
  await p.fill('#f-q', '个体工商户');
  await p.click('#filters button[type=submit]');
  const row = p.locator(`#items tr[data-code="${code}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /杭州市西湖区市场监督管理局/);
  assert.match(await row.textContent(), /已发布/);
  await p.screenshot({ path: shot('catalog-list-1280.png') });
  await row.locator('a.name').click();
  await p.waitForURL(/\/catalog\/item\.html\?code=/);
  const promised = p.locator('#editor [name=promised_days]');
  await promised.waitFor();

  // Above the statutory limit (3): said as typed, and the API's refusal
  // appears beside that field when saving.
  await promised.fill('9');
  await p.locator('#promised-client-error').waitFor();
  await p.click('#save');
  const refusal = p.locator('#editor [name=promised_days] + p.field-error:not(.client)');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /承诺办结时限不能超过法定办结时限/);
  assert.equal(await promised.getAttribute('aria-invalid'), 'true');
  assert.match(await p.textContent('#status'), /未能保存/);
  await p.screenshot({ path: shot('catalog-refused-1280.png') });

  // Fixed; a material renamed; a condition holding markup added.
  await promised.fill('2');
  await p.fill('#editor [name="materials[2].name"]', '经营场所使用证明（产权证明或租赁协议）');
  await p.click('#editor button.add >> text=添加受理条件');
  await p.fill('#editor [name="conditions[3]"]', '<img src=x onerror=alert(1)>');
  await p.click('#save');
  await p.locator('#status.ok', { hasText: '已保存为草稿（第2版）' }).waitFor();
  assert.equal(await p.inputValue('#editor [name="conditions[3]"]'), '<img src=x onerror=alert(1)>');
  // What the form does not show went back unchanged.
  const draft = await p.evaluate(async (c) => (await fetch(`/api/v1/items/${c}?version=2`)).json(), code);
  assert.equal(draft.state, 'draft');
  assert.equal(draft.materials[1].sharing_resource, '公安部人口基础信息库');
  assert.deepEqual(draft.events, ['开办企业', '就业']);
  assert.equal(draft.valid_from, '2026-01-01');

  await p.click('#publish');
  await p.locator('#status.ok', { hasText: '已发布第2版' }).waitFor();
  await p.locator('#status a', { hasText: '查看版本对比' }).click();
  await p.waitForURL(/\/catalog\/versions\.html/);
  const mat = p.locator('.cmp-row.changed[data-path="materials[2]"]');
  await mat.waitFor();
  assert.match(await mat.locator('.col.old mark').textContent(), /经营场所使用相关证明/);
  assert.match(await mat.locator('.col.new mark').textContent(), /经营场所使用证明（产权证明或租赁协议）/);
  assert.match(await mat.locator('.col.old .col-head').textContent(), /第1版/);
  assert.match(await mat.locator('.col.new .col-head').textContent(), /第2版/);
  await p.locator('.cmp-row.changed[data-path=promised_days]').waitFor();
  assert.equal(await p.locator('.cmp-row[data-path=name].changed').count(), 0);
  // The markup is text on the page, not an element.
  assert.match(await p.textContent('.cmp-row[data-path=conditions] .col.new'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await p.locator('main img').count(), 0);
  await p.screenshot({ path: shot('catalog-versions-1280.png'), fullPage: true });

  // Consistency of 个体工商户设立登记 across 杭州市: 余杭区 differs.
  await p.goto(`${base}/catalog/consistency.html?basic_code=010010201000&region=330100`);
  const odd = p.locator('section[data-field=online_depth] .variant.odd');
  await odd.waitFor();
  assert.match(await odd.textContent(), /余杭区/);
  await p.screenshot({ path: shot('catalog-consistency-1280.png'), fullPage: true });
  await odd.locator('a', { hasText: '余杭区' }).click();
  await p.waitForURL(/code=11330110024944348Y4010010201000/);
  await p.locator('#editor [name=name]').waitFor();
  assert.equal(dialogs, 0);
  // The refused save answered 400 and the draft probe 404: expected.
  assert.deepEqual(unexpectedErrors(errors, [
    [400, `/api/v1/items/${code}`],
    [404, '/api/v1/items/11330110024944348Y4010010201000?version=2'],
  ]), []);
  await ctx.close();
});

test('catalog: the pages fit a 390 px phone and work by keyboard', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await catalogSignIn(p, `${base}/catalog/`);
  await p.locator('#items tbody tr[data-code]').first().waitFor();
  const fits = () => p.evaluate(() => document.documentElement.scrollWidth <= 390);
  assert.ok(await fits());
  await p.screenshot({ path: shot('catalog-list-390.png') });
  // By keyboard: the search field, then the search button.
  await p.focus('#f-q');
  await p.keyboard.type('结婚');
  await p.keyboard.press('Enter');
  await p.locator('#items tr[data-code="11330106024903108G4070081601000"]').waitFor();
  await p.locator('#items tr[data-code="11330106024903108G4070081601000"] a.name').focus();
  await p.keyboard.press('Enter');
  await p.locator('#editor [name=name]').waitFor();
  assert.ok(await fits());
  await p.locator('#editor [name="materials[0].name"]').scrollIntoViewIfNeeded();
  await p.screenshot({ path: shot('catalog-item-390.png') });
  await p.goto(`${base}/catalog/versions.html?code=11330106024892795E4010010201000`);
  await p.locator('.cmp-row').first().waitFor();
  assert.ok(await fits());
  await p.check('#only');
  await p.locator('.cmp-row.changed').first().scrollIntoViewIfNeeded();
  await p.screenshot({ path: shot('catalog-versions-390.png') });
  await p.goto(`${base}/catalog/consistency.html?basic_code=010010201000&region=330100`);
  await p.locator('.variant').first().waitFor();
  assert.ok(await fits());
  await p.screenshot({ path: shot('catalog-consistency-390.png') });
  assert.deepEqual(errors, []);
  await ctx.close();
});

// ---- openness (/open/) and supervision (/supervision/) ----------------------

// Today in China and the first day of its month, as the pages count.
const chinaToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
// The formats of web/open/dash.js (a rate in per cent, visits, counts).
const fmtPct = (x) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const fmtAvg = (x) => (x === null ? '—' : x.toFixed(2));
const FIGURES = {
  items_published: String, online_rate: fmtPct, avg_visits: fmtAvg, cases_received: String,
  cases_completed: String, on_time_rate: fmtPct, overdue: String, reuse_rate: fmtPct,
  good_rating_rate: fmtPct, followup_rate: fmtPct,
};

// Checks the page's table (each child region and the total) against the
// API's figures of region over [from, to]; answers the API's answer.
async function tableMatchesApi(p, region, from, to) {
  const r = await fetch(`${base}/api/v1/indicators?region=${region}&from=${from}&to=${to}`);
  const d = await r.json();
  await p.locator('#region-name', { hasText: `${d.name} · 政务服务指标` }).waitFor();
  const shown = await p.$$eval('#children tbody tr', (rows) => rows.map((tr) => ({
    region: tr.dataset.region,
    cells: Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.key, td.textContent])),
  })));
  const want = [...d.children, d];
  assert.equal(shown.length, want.length);
  for (let i = 0; i < want.length; i++) {
    assert.equal(shown[i].region, want[i].region);
    for (const [key, fmt] of Object.entries(FIGURES)) {
      assert.equal(shown[i].cells[key], fmt(want[i][key]), `${want[i].name} ${key}`);
    }
  }
  // The figures at the top are the region's own.
  assert.equal(await p.textContent('#kpis [data-key=cases_received] dd'), String(d.cases_received));
  return d;
}

const chartDrawn = (p) => p.locator('#chart canvas').first().waitFor();

test('open: the public indicators drill down from the province to 杭州市 and 西湖区, charted and tabled', async () => {
  for (const width of [1280, 390]) {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
    const p = await ctx.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
    await p.goto(`${base}/open/`);
    // The navigation offers the page to everyone.
    await p.locator('.topnav a[href="/open/"][aria-current=page]').waitFor();
    const to = chinaToday();
    const from = `${to.slice(0, 8)}01`;
    const prov = await tableMatchesApi(p, '330000', from, to);
    assert.equal(prov.name, '浙江省');
    await chartDrawn(p);
    assert.ok(await noSideways(p));
    await p.screenshot({ path: shot(`open-province-${width}.png`), fullPage: true });
    // Drill down by the table's links: 杭州市, then 西湖区.
    await p.locator('#children a', { hasText: '杭州市' }).click();
    await tableMatchesApi(p, '330100', from, to);
    await chartDrawn(p);
    assert.match(p.url(), /region=330100/);
    await p.locator('#children a', { hasText: '西湖区' }).click();
    const xihu = await tableMatchesApi(p, '330106', from, to);
    assert.ok(xihu.cases_received > 0);
    await chartDrawn(p);
    assert.ok(await noSideways(p));
    await p.screenshot({ path: shot(`open-xihu-${width}.png`), fullPage: true });
    // The trail leads back up; the year is a period too.
    await p.locator('.trail a', { hasText: '杭州市' }).click();
    await tableMatchesApi(p, '330100', from, to);
    await p.selectOption('#period-kind', 'year');
    await tableMatchesApi(p, '330100', `${to.slice(0, 4)}-01-01`, to);
    await p.goBack();
    await tableMatchesApi(p, '330100', from, to);
    // No personal data: no identity number, no name of a person.
    const text = await p.textContent('main');
    assert.doesNotMatch(text, /\d{17}[\dX]|张三|王五/);
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});

test('open: the dashboard works by keyboard', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/open/`);
  await p.locator('#children a', { hasText: '杭州市' }).waitFor();
  await p.focus('#period-kind');
  await p.keyboard.press('ArrowDown'); // 按季度
  await p.locator('#period-range', { hasText: '统计区间' }).waitFor();
  await p.waitForURL(/period=quarter/);
  await p.locator('#children a', { hasText: '杭州市' }).focus();
  await p.keyboard.press('Enter');
  await p.locator('#region-name', { hasText: '杭州市' }).waitFor();
  // Focus moves to the region's heading after a drill-down.
  assert.equal(await p.evaluate(() => document.activeElement.id), 'region-name');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('supervision: the supervisor sees the overdue cases and the follow-ups; a citizen does not get the page', async () => {
  const wu = await apiSignIn('330106198303036024');
  const overdueApi = await apiAs(wu, 'GET', '/api/v1/cases?view=overdue&region=330000&limit=200');
  assert.equal(overdueApi.status, 200);
  assert.ok(overdueApi.body.items.length > 0);
  const followApi = await apiAs(wu, 'GET', '/api/v1/ratings/followups');
  assert.equal(followApi.status, 200);
  for (const width of [1280, 390]) {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
    const p = await ctx.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
    await p.goto(`${base}/supervision/`);
    await p.fill('#si-id', '330106198303036024');
    await p.fill('#si-pw', 'tongban-demo');
    await p.click('#signin button[type=submit]');
    await p.locator('.topnav a[href="/supervision/"][aria-current=page]').waitFor();
    await p.locator('#overdue-list tbody tr').first().waitFor();
    // The province's overdue cases, as many as the indicators count.
    const to = chinaToday();
    const prov = await tableMatchesApi(p, '330000', `${to.slice(0, 8)}01`, to);
    assert.equal(await p.locator('#overdue-list tbody tr').count(), overdueApi.body.items.length);
    assert.equal(overdueApi.body.items.length, prov.overdue);
    const first = overdueApi.body.items[0];
    const row = p.locator(`#overdue-list tr[data-case="${first.case_no}"]`);
    assert.match(await row.textContent(), new RegExp(first.department_name));
    assert.match(await row.textContent(), /超期 \d+ 个工作日/);
    // The follow-ups of bad ratings, with the figures.
    await p.locator('#followup-list tbody tr').first().waitFor();
    assert.equal(await p.locator('#followup-list tbody tr').count(), followApi.body.items.length);
    assert.match(await p.textContent('#followup-figures'), new RegExp(`差评 ${followApi.body.bad_ratings} 件`));
    await chartDrawn(p);
    assert.ok(await noSideways(p));
    await p.screenshot({ path: shot(`supervision-${width}.png`), fullPage: true });
    // Drilling down narrows the overdue list to the region.
    await p.locator('#children a', { hasText: '杭州市' }).click();
    await p.locator('#overdue-h', { hasText: '杭州市' }).waitFor();
    assert.ok(await noSideways(p));
    assert.deepEqual(errors, []);
    await ctx.close();
  }
  // A citizen: no link to the page, the page says so, the API refuses.
  const { p, ctx, errors } = await page();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.goto(`${base}/supervision/`);
  await p.fill('#si-id', '33010619900101123X');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  await p.locator('main', { hasText: '没有监督权限' }).waitFor();
  assert.equal(await p.locator('.topnav a[href="/supervision/"]').count(), 0);
  assert.equal(await p.locator('#overdue-list').count(), 0);
  assert.ok(await noSideways(p));
  await p.screenshot({ path: shot('supervision-citizen-390.png') });
  const zhang = await apiSignIn('33010619900101123X');
  assert.equal((await apiAs(zhang, 'GET', '/api/v1/cases?view=overdue&region=330106')).status, 403);
  assert.equal((await apiAs(zhang, 'GET', '/api/v1/ratings/followups')).status, 403);
  assert.deepEqual(errors, []);
  await ctx.close();
});
