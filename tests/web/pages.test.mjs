// Browser tests of the pages, in Debian's chromium driven by
// playwright-core, against the real binary with demo data on a loopback
// port: the start page, "my e-certificates" (sign-in, the certificates
// with their QR codes), the public verification page, and applying online
// (materials already satisfied shown as such, an upload, the submission)
// with the public progress page it links to, the service catalog, and a
// business agent adding and removing agents on a 390 px phone.
// TB_TEST_BIN names the binary (default build/tongban, from the repository root).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

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

// A fresh page that fails the test on any script error.
async function page() {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { p, ctx, errors };
}

test('the start page shows the platform status', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/`);
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
  // Every QR code loaded as an image.
  const qrs = p.locator('img.qr');
  for (let i = 0; i < await qrs.count(); i++) {
    await qrs.nth(i).evaluate((img) => img.decode());
    assert.ok(await qrs.nth(i).evaluate((img) => img.naturalWidth > 0));
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
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
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
  assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
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
  assert.deepEqual(errors.filter((e) => !/status of (400|404)/.test(e)), []);
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
  assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
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
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
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
  // The refusals above are expected answers of the API (400, 409).
  assert.deepEqual(errors.filter((e) => !/status of (400|401|409)/.test(e)), []);
  await ctx.close();
});
