// Browser tests of the pages, in Debian's chromium driven by
// playwright-core, against the real binary with demo data on a loopback
// port: the start page, "my e-certificates" (sign-in, the certificates
// with their QR codes), the public verification page, and applying online
// (materials already satisfied shown as such, an upload, the submission)
// with the public progress page it links to, the service catalog and the
// service guide (办事指南) it links to, and a
// business agent adding and removing agents on a 390 px phone; the public
// indicators (/open/) with their drill-down and the supervision page.
// TB_TEST_BIN names the binary (default build/tongban, from the repository root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs, apiSignIn, axeClean, axeFindings, base, browser, consoleText, creditCode, everyPage,
  fillShopForm, noSideways, openDraft, page, pdfFile, serve, shellSignIn, shopForm, shot, unexpectedErrors,
  uploadAs, walkPages, watchedPage, windowOpensShop,
} from './harness.mjs';

serve();


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

test('applying online: what is already satisfied is shown, reviewed and submitted', async () => {
  const { p, ctx, errors } = await page();
  // 生育登记 has no form of its own; it needs 结婚证 (张三 holds one) and
  // an identity card (his library has one).
  await p.goto(`${base}/apply.html?item=1133010002486186853200032801000`);
  await p.locator('#signin:not([hidden]) #si-id').waitFor();
  await p.fill('#si-id', '33010619900101123X');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  await p.locator('#materials tbody tr').first().waitFor();
  assert.match(await p.textContent('#item-name'), /生育登记/);
  assert.equal(await p.locator('#steps [data-step=form]').count(), 0);
  assert.match(await p.textContent('tr[data-material="结婚证"]'), /电子证照/);
  assert.match(await p.textContent('tr[data-material="夫妻双方居民身份证"]'), /材料库/);
  await p.click('#to-review');
  await p.locator('#step-review:not([hidden])').waitFor();
  assert.match(await p.textContent('#review-materials'), /结婚证：已由电子证照提供/);
  // The promise is asked for before anything is sent.
  await p.click('#submit');
  await p.locator('#submit-form [role=alert]', { hasText: '请阅读并勾选承诺' }).waitFor();
  await p.check('#promise');
  await p.click('#submit');
  await p.locator('#done:not([hidden])').waitFor();
  const facts = await p.textContent('#done-facts');
  assert.match(facts, /办件编号1133010002486186853200032801000\d{12}/);
  assert.match(facts, /查询码\d{8}/);
  // The public progress page, from the link with the number and query code.
  await p.locator('#to-progress').click();
  await p.waitForURL(/progress\.html#/);
  await p.locator('#progress dl').waitFor();
  assert.match(await p.textContent('#progress'), /生育登记/);
  // A wrong code looks like no case at all.
  await p.fill('#code', '00000000');
  await p.click('#query button');
  await p.locator('#progress p.bad').waitFor();
  assert.match(await p.textContent('#progress'), /没有找到/);
  assert.deepEqual(unexpectedErrors(errors, [
    [404, /^\/api\/v1\/progress\/1133010002486186853200032801000\d{12}\?code=00000000$/],
  ]), []);
  await ctx.close();
});

test('the service catalog finds items by words and a region picked by name, and leads to applying or to where to go', async () => {
  const { p, ctx, errors } = await page();
  await p.goto(`${base}/services.html`);
  await p.locator('#items article').first().waitFor();
  await p.fill('#q', '结婚');
  // 西湖区 picked by name: 浙江省 (the deployment's), 杭州市, 西湖区.
  await p.locator('#city option[value="330100"]').waitFor({ state: 'attached' });
  await p.selectOption('#city', '330100');
  await p.locator('#county option[value="330106"]').waitFor({ state: 'attached' });
  await p.selectOption('#county', { label: '西湖区' });
  assert.equal(await p.locator('#search input[inputmode=numeric]').count(), 0, 'no code to type');
  await p.click('#search button');
  await p.locator('#items article[data-code="11330106024903108G4070081601000"]').waitFor();
  assert.match(await p.textContent('#count'), /找到 \d+ 项/);
  const marriage = p.locator('article[data-code="11330106024903108G4070081601000"]');
  assert.match(await marriage.textContent(), /内地居民结婚登记/);
  assert.match(await marriage.textContent(), /即办/);
  // Online depth II: no online application, the guide says where to go.
  assert.equal(await marriage.locator('a', { hasText: '在线申请' }).count(), 0);
  await marriage.locator('a', { hasText: '查看办理地点' }).click();
  await p.waitForURL(/guide\.html\?item=11330106024903108G4070081601000/);
  await p.locator('#guide', { hasText: '请到以下地点办理' }).waitFor();
  // 个体工商户设立登记 (depth IV) is applied for online.
  await p.goto(`${base}/services.html?region=330106&q=${encodeURIComponent('个体工商户')}`);
  assert.equal(await p.inputValue('#county'), '330106');
  const shop = p.locator('article[data-code="11330106024892795E4010010201000"]');
  await shop.locator('a', { hasText: '在线申请' }).click();
  await p.waitForURL(/apply\.html\?item=11330106024892795E4010010201000/);
  await p.locator('#item-name', { hasText: '个体工商户设立登记' }).waitFor();
  // A region the platform does not know (a hand-made link) is refused, in Chinese.
  await p.goto(`${base}/services.html?region=99`);
  await p.locator('#count.bad', { hasText: '输入有误：' }).waitFor();
  assert.match(await p.textContent('#count'), /^输入有误：[^A-Za-z]*[\u4e00-\u9fff][^A-Za-z]*$/);
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
    // By keyboard: the number (its check character in lower case), Enter.
    await windowOpensShop(p, '33010619900101123x');
    assert.match(await p.textContent('#applicant'), /张三/);
    assert.match(await p.textContent('#applicant'), /330106\*{8}123X/);
    return { ctx, p, errors, dialogs };
  };

  // At 1280 px: a scan of the application form, the lease checked in the
  // original, a form field holding markup: submitted, the receipt.
  let { ctx, p, errors, dialogs } = await run(1280, 900);
  const form = p.locator('tr[data-material="个体工商户登记（备案）申请书"]');
  await form.locator('input.scan').setInputFiles(pdfFile('申请书.pdf'));
  await p.locator('tr[data-material="经营场所使用相关证明"] input.original').check();
  await fillShopForm(p, { 经营场所: evil });
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

async function officialPage(width, login) {
  const { ctx, p, errors, dialogs } = await watchedPage(width);
  await p.goto(`${base}/workbench/`);
  await p.locator('#si-id').waitFor();
  await p.fill('#si-id', login);
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  await p.waitForFunction(() => document.getElementById('count')?.textContent);
  return { p, ctx, errors, dialogs };
}

// Presses Tab (at most max times) until the link of case no in the
// workbench queue has the focus; whether it got there.
async function tabToCase(p, no, max) {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate((n) => document.activeElement?.closest('tr')?.dataset.case === n
      && document.activeElement.tagName === 'A', no)) return true;
  }
  return false;
}

test('workbench: a reviewer finds, claims and corrects a case, the approver completes it, another department sees nothing', async () => {
  const ITEM = '11330106024892795E4010010201000'; // 个体工商户设立登记, 西湖区市场监督管理局
  const XSS = '<img src=x onerror=alert(1)>';
  const zhang = await apiSignIn('33010619900101123X');
  const { no } = await openDraft(zhang, ITEM, shopForm({ 名称: `西湖${XSS}小店`, 经营场所: '杭州市西湖区文三路1号' }));
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
  assert.ok(await tabToCase(p, no, 400), 'the case is reachable by Tab');
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
  assert.match(await refusal.textContent(), /承诺时限不能超过法定时限/);
  assert.equal(await promised.getAttribute('aria-invalid'), 'true');
  assert.match(await p.textContent('#status'), /未能保存/);
  await p.screenshot({ path: shot('catalog-refused-1280.png') });

  // Fixed; a material renamed; a condition holding markup added.
  await promised.fill('2');
  // (materials[3]: no other test of this run uses its name; the other
  // tests apply for this same item on the same server afterwards.)
  await p.fill('#editor [name="materials[3].name"]', '家庭成员关系证明（户口簿或结婚证）');
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
  const v1 = await p.evaluate(async (c) => (await fetch(`/api/v1/items/${c}?version=1`)).json(), code);
  assert.equal(draft.form_fields.length, 9);
  assert.deepEqual(draft.form_fields, v1.form_fields);

  await p.click('#publish');
  await p.locator('#status.ok', { hasText: '已发布第2版' }).waitFor();
  await p.locator('#status a', { hasText: '查看版本对比' }).click();
  await p.waitForURL(/\/catalog\/versions\.html/);
  const mat = p.locator('.cmp-row.changed[data-path="materials[3]"]');
  await mat.waitFor();
  assert.match(await mat.locator('.col.old mark').textContent(), /家庭成员关系证明/);
  assert.match(await mat.locator('.col.new mark').textContent(), /家庭成员关系证明（户口簿或结婚证）/);
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

const XIHU_SAMR = '杭州市西湖区市场监督管理局';

// From a county's page, drills down to its department name (the last
// level): the departments' table matches the API (departments=true), the
// department's page shows its figures, the trail ends with it. Answers the
// department's entry.
async function drillToDepartment(p, region, name, from, to) {
  const r = await fetch(`${base}/api/v1/indicators?region=${region}&from=${from}&to=${to}&departments=true`);
  const d = await r.json();
  const shown = await p.$$eval('#departments tbody tr', (rows) => rows.map((tr) => ({
    id: tr.dataset.department,
    name: tr.querySelector('th').textContent,
    cells: Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.key, td.textContent])),
  })));
  assert.equal(shown.length, d.departments.length);
  for (let i = 0; i < shown.length; i++) {
    assert.equal(shown[i].id, String(d.departments[i].department_id));
    assert.equal(shown[i].name, d.departments[i].name);
    for (const [key, fmt] of Object.entries(FIGURES)) {
      assert.equal(shown[i].cells[key], fmt(d.departments[i][key]), `${d.departments[i].name} ${key}`);
    }
  }
  // The departments add up to the county.
  for (const key of ['items_published', 'cases_received', 'cases_completed', 'overdue']) {
    assert.equal(d.departments.reduce((n, x) => n + x[key], 0), d[key], key);
  }
  const dept = d.departments.find((x) => x.name === name);
  assert.ok(dept, `${name} among the departments`);
  await p.locator('#departments a', { hasText: name }).click();
  await p.locator('#region-name', { hasText: `${name} · 政务服务指标` }).waitFor();
  assert.match(p.url(), new RegExp(`dept=${dept.department_id}`));
  assert.equal(await p.textContent('.trail [aria-current=page]'), name);
  for (const [key, fmt] of Object.entries(FIGURES)) {
    assert.equal(await p.textContent(`#kpis [data-key=${key}] dd`), fmt(dept[key]), `${name} ${key}`);
  }
  // The last level: no table of a level below.
  assert.equal(await p.locator('#children').isVisible(), false);
  assert.equal(await p.locator('#departments a').count(), 0);
  return dept;
}

test('open: the public indicators drill down from the province to 杭州市 and 西湖区, charted and tabled', async () => {
  for (const width of [1280, 390]) {
    const { ctx, p, errors } = await watchedPage(width);
    await p.goto(`${base}/open/`);
    // The navigation offers the page to everyone.
    await p.locator('.topnav a[href="/open/"][aria-current=page]').waitFor();
    const to = chinaToday();
    const from = `${to.slice(0, 8)}01`;
    const prov = await tableMatchesApi(p, '330000', from, to);
    assert.equal(prov.name, '浙江省');
    await chartDrawn(p);
    // The audit checkpoint the server signed at start, as its API gives it.
    const cp = await (await fetch(`${base}/api/v1/audit/checkpoint`)).json();
    const line = await p.locator('#audit-checkpoint').textContent();
    assert.ok(line.includes(`共 ${cp.count} 条记录`) && line.includes(cp.head.slice(0, 16)) &&
      line.includes(cp.key_id), line);
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
    // The last level: 西湖区 -> its market regulation bureau.
    const samr = await drillToDepartment(p, '330106', XIHU_SAMR, from, to);
    assert.ok(samr.cases_received > 0 && samr.items_published > 0);
    await chartDrawn(p);
    assert.ok(await noSideways(p));
    await p.locator('.trail a', { hasText: '西湖区' }).click();
    await tableMatchesApi(p, '330106', from, to);
    await p.goBack();
    await p.locator('#region-name', { hasText: XIHU_SAMR }).waitFor();
    await p.goBack();
    await tableMatchesApi(p, '330106', from, to);
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
  // The quarter's figures redraw the table: focus its link once they are in
  // (a link focused before is replaced, and Enter on it goes nowhere).
  await p.waitForLoadState('networkidle');
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
    const { ctx, p, errors } = await watchedPage(width);
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
    // Down to 西湖区 and its market regulation bureau: the overdue list is
    // the bureau's own.
    await p.locator('#children a', { hasText: '西湖区' }).click();
    await p.locator('#overdue-h', { hasText: '西湖区' }).waitFor();
    const samr = await drillToDepartment(p, '330106', XIHU_SAMR, `${to.slice(0, 8)}01`, to);
    await p.locator('#overdue-h', { hasText: XIHU_SAMR }).waitFor();
    const rows = await p.locator('#overdue-list tbody tr').count();
    assert.equal(rows, samr.overdue);
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

// ---- accessibility (axe-core) ------------------------------------------------

// Every page (harness.mjs, everyPage), signed in as its person, is checked by
// axe-core at 1280 and 390 px once it shows its content; each is kept as a
// screenshot (page-<name>-<width>.png).
test('axe: no serious or critical accessibility violation on any page, at 1280 and 390 px', async () => {
  const pages = await everyPage('无障碍小店');
  const found = [];
  for (const width of [1280, 390]) {
    const errors = await walkPages(pages, width, async (p, name) => {
      found.push(...await axeFindings(p, `${width}px ${name}`));
      await p.screenshot({ path: shot(`page-${name}-${width}.png`), fullPage: true });
    });
    assert.deepEqual(errors, []);
  }
  assert.deepEqual(found, []);
});

test('my cases: a correction answered on the same case, ratings and a follow-up, a business, at 360 px', async () => {
  const ITEM = '11330106024892795E4010010201000';
  const XSS = '<img src=x onerror=alert(1)>';
  const PLACE = '经营场所使用相关证明';
  const zhang = await apiSignIn('33010619900101123X');
  const reviewer = await apiSignIn('330106198707072021');
  // A case of 张三's, submitted, for which 赵审核 asks corrections (a
  // material and a field), the reason carrying a script.
  const { no } = await openDraft(zhang, ITEM, shopForm({ 名称: '补正小店' }));
  for (const m of ['个体工商户登记（备案）申请书', PLACE]) await uploadAs(zhang, no, m);
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);
  const asked = [
    { material: PLACE, reason: `租赁合同已过期，请上传有效期内的合同 ${XSS}` },
    { field: '名称', reason: '名称与核名结果不一致' },
  ];
  const corr = await apiAs(reviewer, 'POST', `/api/v1/cases/${no}/events`,
    { event: 'request_correction', corrections: asked });
  assert.equal(corr.status, 200, JSON.stringify(corr.body));
  // And a draft of another item, to show among his cases.
  await openDraft(zhang, '11330106024892795E4010020301001', {});
  const before = (await apiAs(zhang, 'GET', '/api/v1/cases?view=mine&limit=200')).body.items.length;

  const ctx = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const p = await ctx.newPage();
  const errors = [];
  const dialogs = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(consoleText(m)); });
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

  // 张三 signs in on /my/ and finds the case that needs correction.
  await p.goto(`${base}/my/`);
  await p.fill('#si-id', '33010619900101123X');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('.signin button[type=submit]');
  const mine = p.locator(`#cases li[data-case="${no}"]`);
  await mine.waitFor();
  assert.equal(await mine.getAttribute('data-state'), 'needs_correction');
  assert.match(await mine.textContent(), /需要补正材料/);
  await p.locator('.topnav a[aria-current=page]', { hasText: '我的办件' }).waitFor();
  for (const state of ['draft', 'under_review', 'completed']) {
    await p.locator(`#cases li[data-state=${state}]`).first().waitFor();
  }
  await p.locator('#cases li.clock-green, #cases li.clock-yellow, #cases li.clock-red').first().waitFor();
  await p.locator('#cases .track li.current').first().waitFor();
  assert.ok(await noSideways(p), '/my/ fits 360 px');
  await p.screenshot({ path: shot('my-cases.png') });
  await axeClean(p, '/my/');
  await p.click('.tabs button[data-tab=needs_correction]');
  await p.waitForURL(/tab=needs_correction/);
  await mine.waitFor();
  assert.equal(await p.locator('#cases li[data-state]:not([data-state=needs_correction])').count(), 0);

  // The case: exactly what is asked, the script as text.
  await mine.locator('a').click();
  await p.locator('#corrections').waitFor();
  const items = p.locator('#correction-list .corr-item');
  assert.equal(await items.count(), 2);
  assert.equal(await items.nth(0).locator('.what').textContent(), `材料：${PLACE}`);
  assert.equal(await items.nth(0).locator('.why').textContent(), asked[0].reason);
  assert.equal(await items.nth(1).locator('.why').textContent(), asked[1].reason);
  assert.equal(await p.locator('#corrections img').count(), 0);
  assert.ok(await noSideways(p), 'case fits 360 px');
  await p.screenshot({ path: shot('my-correction.png'), fullPage: true });
  await axeClean(p, '/my/case.html');

  // Upload the new file and resubmit the same case.
  const up = p.locator(`#corrections form[data-material="${PLACE}"]`);
  await up.locator('input[type=file]').setInputFiles(pdfFile('租赁合同.pdf', 'new'));
  await up.locator('button[type=submit]').click();
  await p.locator('#flash', { hasText: `已上传：${PLACE}` }).waitFor();
  await p.click('#resubmit');
  await p.locator('#flash', { hasText: '已提交' }).waitFor();
  await p.locator('#summary .badge', { hasText: '已提交' }).waitFor();
  assert.equal(new URL(p.url()).searchParams.get('no'), no);
  const after = await apiAs(zhang, 'GET', `/api/v1/cases/${no}`);
  assert.equal(after.body.state, 'submitted');
  assert.ok(after.body.given.some((g) => g.material === PLACE && g.at >= after.body.steps.at(-2).at));
  assert.equal((await apiAs(zhang, 'GET', '/api/v1/cases?view=mine&limit=200')).body.items.length, before);
  await p.screenshot({ path: shot('my-resubmitted.png') });

  // A new query code, shown once, that opens the public progress.
  await p.click('#new-code');
  const code = (await p.locator('#query-code .qcode').textContent()).trim();
  assert.match(code, /^\d{8}$/);
  assert.equal((await fetch(`${base}/api/v1/progress/${no}?code=${code}`)).status, 200);

  // Rating a completed case 非常满意; a bad rating's follow-up as it goes.
  const done = (await apiAs(zhang, 'GET', '/api/v1/cases?view=mine&state=completed&limit=200')).body.items;
  let unrated = null;
  let bad = null;
  for (const c of done) {
    const full = (await apiAs(zhang, 'GET', `/api/v1/cases/${c.case_no}`)).body;
    const r = full.ratings.find((x) => x.stage === 'completed');
    if (!r && !unrated && c.item === ITEM) unrated = c.case_no;
    if (r && r.followup && r.followup.state === 'open' && !bad && c.item === ITEM) bad = c.case_no;
  }
  assert.ok(unrated && bad, 'the demo has an unrated and a badly rated completed case');
  await p.goto(`${base}/my/case.html?no=${unrated}`);
  await p.locator('#rate').waitFor();
  await p.check('#score-1');
  await p.click('#rate button[type=submit]');
  await p.locator('#rating .given', { hasText: '非常满意' }).waitFor();
  assert.equal(await p.locator('#rate').count(), 0);
  await p.locator('#rating').scrollIntoViewIfNeeded();
  await p.screenshot({ path: shot('my-rated.png') });
  await p.goto(`${base}/my/case.html?no=${bad}`);
  await p.locator('#rating [data-followup=open]').waitFor();
  await p.locator('#rating').scrollIntoViewIfNeeded();
  await p.screenshot({ path: shot('my-followup-open.png') });
  const supervisor = await apiSignIn('330106198303036024');
  const fu = (await apiAs(supervisor, 'GET', '/api/v1/ratings/followups')).body.items
    .find((f) => f.case_no === bad && f.state === 'open');
  const closed = await apiAs(reviewer, 'POST', `/api/v1/ratings/followups/${fu.id}`, { note: `已电话回访，增设预约窗口 ${XSS}` });
  assert.equal(closed.status, 200);
  await p.reload();
  await p.locator('#rating [data-followup=done]', { hasText: `增设预约窗口 ${XSS}` }).waitFor();
  await p.locator('#rating').scrollIntoViewIfNeeded();
  await p.screenshot({ path: shot('my-followup-done.png') });

  // The inbox and the library.
  await p.goto(`${base}/my/messages.html`);
  await p.locator('#messages li h2').first().waitFor();
  assert.ok(await noSideways(p), 'messages fit 360 px');
  await p.screenshot({ path: shot('my-messages.png') });
  await p.goto(`${base}/my/materials.html`);
  await p.locator('#materials li a[download]').first().waitFor();
  assert.ok(await noSideways(p), 'materials fit 360 px');
  await p.screenshot({ path: shot('my-materials.png') });
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await ctx.close();

  // 李四 switches to act for his business and sees its cases, not his own.
  const li = await apiSignIn('330106198505052313');
  assert.equal((await apiAs(li, 'POST', '/api/v1/auth/act-for', { credit_code: '91330106MA2H3K7L3H' })).status, 200);
  const biz = await openDraft(li, ITEM, shopForm({ 名称: '示例科技门店' }));
  const own = (await apiAs(li, 'POST', '/api/v1/auth/act-for', { credit_code: null }));
  assert.equal(own.status, 200);
  const liCase = (await apiAs(li, 'GET', '/api/v1/cases?view=mine')).body.items[0].case_no;
  const c2 = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const q = await c2.newPage();
  const errs = [];
  q.on('pageerror', (e) => errs.push(e.message));
  await q.goto(`${base}/my/`);
  await q.fill('#si-id', '330106198505052313');
  await q.fill('#si-pw', 'tongban-demo');
  await q.click('.signin button[type=submit]');
  await q.locator(`#cases li[data-case="${liCase}"]`).waitFor();
  await Promise.all([q.waitForNavigation(), q.selectOption('.topnav select', '91330106MA2H3K7L3H')]);
  await q.locator('.acting', { hasText: '杭州西湖示例科技有限公司' }).waitFor();
  await q.locator(`#cases li[data-case="${biz.no}"]`).waitFor();
  assert.equal(await q.locator(`#cases li[data-case="${liCase}"]`).count(), 0);
  assert.match(await q.textContent('h1'), /杭州西湖示例科技有限公司的办件/);
  assert.ok(await noSideways(q), 'business cases fit 360 px');
  await q.screenshot({ path: shot('my-business.png') });
  assert.deepEqual(errs, []);
  await c2.close();
});

// ---- the journey of issue 12 ("Done means") ---------------------------------

test('journey: a paper application at the window is corrected, approved, completed, handed out, in 张三\'s certificates and the indicators', async () => {
  const LEASE = '经营场所使用相关证明';
  const APPFORM = '个体工商户登记（备案）申请书';
  const to = chinaToday();
  const from = `${to.slice(0, 8)}01`;
  const figures = async () => (await fetch(`${base}/api/v1/indicators?region=330106&from=${from}&to=${to}`)).json();
  const before = await figures();
  const credit = creditCode('92330106MA2T0J7Q');
  assert.equal(creditCode('92330106MA2T0001'), '92330106MA2T000150'); // the demo's valid code
  const shop = '西湖示例小吃店';

  // 1. 王窗口 at the window: 张三, the item, the form (with the fields of
  // the licence added by name), a scan of each paper, submitted; the receipt printed.
  const win = await watchedPage(1280);
  let p = win.p;
  await shellSignIn(p, '/window/', '330106198808081015');
  await p.locator('#centre', { hasText: '杭州市西湖区政务服务中心' }).waitFor();
  await windowOpensShop(p, '33010619900101123X');
  await p.getByLabel('联系电话').fill('13900000002');
  await fillShopForm(p, { 名称: shop, 经营场所: '杭州市西湖区文二路2号', 经营范围: '小吃服务' });
  // A note the paper carries beyond the item's form.
  await p.click('#add-field');
  const extra = p.locator('#fields .field').last();
  await extra.locator('input.key').fill('备注');
  await extra.locator('input.value').fill('申请人当场签字');
  await p.locator(`tr[data-material="${APPFORM}"] input.scan`).setInputFiles(pdfFile('申请书.pdf'));
  await p.locator(`tr[data-material="${LEASE}"] input.scan`).setInputFiles(pdfFile('租赁协议.pdf'));
  await p.click('#submit');
  await p.locator('#outcome p.ok', { hasText: '已提交' }).waitFor();
  const receipt = await p.textContent('#doc');
  const no = receipt.match(/11330106024892795E4010010201000\d{12}/)[0];
  assert.match(receipt, /受理回执/);
  assert.match(receipt, /查询码\d{8}/);
  assert.match(receipt, new RegExp(shop));
  // Printing: the button prints, and on paper only the receipt is left.
  await p.evaluate(() => { window.printed = 0; window.print = () => { window.printed++; }; });
  await p.getByRole('button', { name: '打印受理回执' }).click();
  assert.equal(await p.evaluate(() => window.printed), 1);
  await p.emulateMedia({ media: 'print' });
  assert.ok(await p.locator('#doc').isVisible());
  assert.ok(!(await p.locator('#find').isVisible()));
  assert.ok(!(await p.locator('.topnav').isVisible()));
  await p.screenshot({ path: shot('journey-receipt-print.png'), fullPage: true });
  await p.emulateMedia({ media: 'screen' });

  // 2. 赵审核 finds the case in the queue by keyboard alone (Tab from the
  // top of the page, Enter), claims it and asks for a corrected lease.
  const zhao = await watchedPage(1280);
  p = zhao.p;
  await shellSignIn(p, '/workbench/', '330106198707072021');
  await p.locator(`#queue tr[data-case="${no}"]`).waitFor();
  await p.evaluate(() => document.activeElement?.blur());
  assert.ok(await tabToCase(p, no, 500), 'the case is reachable by Tab from the top');
  await p.keyboard.press('Enter');
  await p.waitForURL(/\/workbench\/case\.html\?no=/);
  await p.locator('#case-title').waitFor();
  await p.locator('dd', { hasText: shop }).waitFor();
  await p.click('#claim');
  await p.locator('.flash', { hasText: '已认领' }).waitFor();
  await p.click('button[data-event=request_correction]');
  await p.check(`input[data-material="${LEASE}"]`);
  await p.fill(`input[data-reason-for="${LEASE}"]`, '租赁协议缺少出租方签字');
  await p.click('#form-request_correction button[type=submit]');
  await p.locator('.flash', { hasText: '待补正' }).waitFor();

  // 3. 张三 brings the signed lease to the window: the clerk reopens the
  // case from the centre's list, uploads the new scan and submits again.
  p = win.p;
  await p.goto(`${base}/window/`);
  await p.locator('#centre', { hasText: '杭州市西湖区政务服务中心' }).waitFor();
  await p.selectOption('#list-state', 'needs_correction');
  const waiting = p.locator(`#cases li[data-case="${no}"]`);
  await waiting.waitFor();
  await waiting.getByRole('button', { name: '继续办理' }).click();
  await p.locator(`tr[data-material="${LEASE}"] input.scan`).setInputFiles(pdfFile('租赁协议（已签字）.pdf'));
  assert.equal(await p.getByLabel('联系电话').inputValue(), '13900000002');
  await p.click('#submit');
  await p.locator('#outcome p.ok', { hasText: '已提交' }).waitFor();

  // 4. 赵审核 accepts it and moves it to review.
  p = zhao.p;
  await p.reload();
  await p.click('button[data-event=accept]');
  await p.fill('#op-accept', '补正材料齐全，予以受理');
  await p.click('#form-accept button[type=submit]');
  await p.locator('.flash', { hasText: '已受理' }).waitFor();
  await p.click('button[data-event=review]');
  await p.click('#form-review button[type=submit]');
  await p.locator('.flash', { hasText: '审查中' }).waitFor();

  // 5. 钱审批 approves and completes; the licence's face comes from the form.
  const qian = await watchedPage(1280);
  p = qian.p;
  await shellSignIn(p, `/workbench/case.html?no=${no}`, '330106198606063011');
  await p.click('button[data-event=approve]');
  await p.fill('#op-approve', '准予登记');
  await p.click('#form-approve button[type=submit]');
  await p.locator('.flash', { hasText: '已批准' }).waitFor();
  await p.click('button[data-event=complete]');
  await p.locator('#face-address').waitFor();
  assert.equal(await p.inputValue('#face-address'), '杭州市西湖区文二路2号');
  assert.equal(await p.inputValue('#face-business_scope'), '小吃服务');
  assert.equal(await p.inputValue('#holder-name'), shop);
  await p.fill('#face-entity_type', '个体工商户');
  await p.fill('#holder-code', credit);
  await p.click('#form-complete button[type=submit]');
  await p.locator('.flash', { hasText: '已办结' }).waitFor();
  await p.locator('.certs .ok', { hasText: '有效' }).waitFor();

  // 6. Handed out at the window (统一窗口出件).
  p = win.p;
  await p.goto(`${base}/window/`);
  await p.locator('#centre', { hasText: '杭州市西湖区政务服务中心' }).waitFor();
  const done = p.locator(`#cases li[data-case="${no}"]`);
  await done.waitFor();
  await done.getByRole('button', { name: '出件' }).click();
  await done.getByRole('button', { name: '确认出件' }).click();
  // (Handing out once re-issued the licence and was refused: fixed in
  // src/cases/cases.c, the result is issued only by the completing step.)
  await done.locator('p.ok', { hasText: '已登记窗口领取' }).waitFor();

  // 7. 张三, the operator, registers the shop and, acting for it, finds the
  // licence among the certificates.
  const zhang = await watchedPage(390);
  p = zhang.p;
  await p.goto(`${base}/agents.html`);
  await p.fill('#login-id', '33010619900101123X');
  await p.fill('#login-pw', 'tongban-demo');
  await p.click('#login button');
  await p.locator('#reg-name').waitFor();
  await p.fill('#reg-name', shop);
  await p.fill('#reg-code', credit);
  await p.click('#reg button[type=submit]');
  await p.locator('#list p.ok', { hasText: shop }).waitFor();
  await p.goto(`${base}/certificates.html`);
  await p.selectOption('select[aria-label="以何种身份办事"]', credit);
  await p.waitForLoadState('load');
  await p.locator('.acting', { hasText: shop }).waitFor();
  const licence = p.locator('article.cert', { hasText: '营业执照' });
  await licence.waitFor();
  assert.match(await licence.textContent(), /小吃服务/);
  assert.match(await licence.textContent(), /状态：有效/);
  assert.match(await licence.textContent(), new RegExp(credit));
  await p.screenshot({ path: shot('journey-certificates-390.png'), fullPage: true });

  // 8. The public indicators of 西湖区: one more case received and completed.
  const after = await figures();
  assert.equal(after.cases_received, before.cases_received + 1);
  assert.equal(after.cases_completed, before.cases_completed + 1);
  const open = await watchedPage(1280);
  await open.p.goto(`${base}/open/?region=330106`);
  await open.p.locator('#region-name', { hasText: '西湖区' }).waitFor();
  assert.equal(await open.p.textContent('#kpis [data-key=cases_received] dd'), String(after.cases_received));
  assert.equal(await open.p.textContent('#kpis [data-key=cases_completed] dd'), String(after.cases_completed));
  // The supervisor's page shows the same figures.
  const sup = await watchedPage(1280);
  await shellSignIn(sup.p, '/supervision/?region=330106', '330106198303036024');
  await tableMatchesApi(sup.p, '330106', from, to);

  for (const s of [win, zhao, qian, zhang, open, sup]) {
    assert.deepEqual(s.dialogs, []);
    await s.ctx.close();
  }
  assert.deepEqual(win.errors, []);
  assert.deepEqual(zhao.errors, []);
  assert.deepEqual(qian.errors, []);
  assert.deepEqual(open.errors, []);
  assert.deepEqual(sup.errors, []);
  assert.deepEqual(unexpectedErrors(zhang.errors, [[401, '/api/v1/me']]), []);
});

// ---- an expired session ------------------------------------------------------

test('expired session: the clerk signs in again in the dialog, what was typed stays and the submission goes through', async () => {
  const w = await watchedPage(1280);
  const { p, ctx } = w;
  await shellSignIn(p, '/window/', '330106198808081015');
  await p.locator('#centre', { hasText: '杭州市西湖区政务服务中心' }).waitFor();
  await windowOpensShop(p, '33010619900101123X');
  const no = (await p.textContent('#case-line')).match(/\d{43}|[0-9A-Z]{31}\d{12}/)[0];
  await p.getByLabel('联系电话').fill('13900000003');
  await fillShopForm(p, { 经营场所: '杭州市西湖区文三路3号' });
  await p.locator('tr[data-material="个体工商户登记（备案）申请书"] input.scan').setInputFiles(pdfFile('申请书.pdf'));
  await p.locator('tr[data-material="经营场所使用相关证明"] input.original').check();

  // Meanwhile the session is ended elsewhere (signed out in another tab).
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = await p.evaluate(() => sessionStorage.getItem('tongban.csrf'));
  const out = await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'X-CSRF-Token': csrf } });
  assert.ok(out.ok, `logout answered ${out.status}`);

  await p.click('#submit');
  const dlg = p.locator('dialog.dialog[open]');
  await dlg.waitFor();
  assert.match(await dlg.textContent(), /登录已过期/);
  // What was typed is still on the page, behind the dialog.
  assert.equal(await p.getByLabel('联系电话').inputValue(), '13900000003');
  assert.equal(await p.locator('[name="form.经营场所"]').inputValue(), '杭州市西湖区文三路3号');
  assert.ok(await p.locator('tr[data-material="经营场所使用相关证明"] input.original').isChecked());
  // The dialog itself passes axe (name, labels, focus inside a modal).
  await axeClean(p, 'sign-in dialog');
  await p.screenshot({ path: shot('session-expired-dialog-1280.png') });
  await dlg.locator('#si-id').fill('330106198808081015');
  await dlg.locator('#si-pw').fill('tongban-demo');
  await dlg.locator('#si-pw').press('Enter');
  await dlg.waitFor({ state: 'detached' });
  // The submission went through with what was typed: the receipt.
  await p.locator('#outcome p.ok', { hasText: '已提交' }).waitFor();
  assert.match(await p.textContent('#doc'), /杭州市西湖区文三路3号/);
  const zhang = await apiSignIn('33010619900101123X');
  const c = await apiAs(zhang, 'GET', `/api/v1/cases/${no}`);
  assert.equal(c.body.state, 'submitted');
  assert.equal(c.body.form['联系电话'], '13900000003');
  assert.deepEqual(w.dialogs, []);
  // The PUT refused once with 401 before the sign-in: expected.
  assert.deepEqual(unexpectedErrors(w.errors, [[401, `/api/v1/cases/${no}`]]), []);
  await ctx.close();
});

// ---- script in text ------------------------------------------------------------

test('script in text: a name, opinion or reason holding markup shows as text to officials and citizens, no dialog opens', async () => {
  const ITEM = '11330106024892795E4010010201000';
  const XSS = '<img src=x onerror=alert(1)>';
  // A person's name holding markup is refused at registration (no
  // symbols in a person's name); a business's name is not: see below.
  const reg = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'person', name: `恶意${XSS}`, id_number: '33010619900101123X',
      phone: '13700000017', password: 'evil-pass-2026' }),
  });
  assert.equal(reg.status, 400);
  assert.equal((await reg.json()).field, 'name');
  // 张三's case: a form, a correction, opinions and the licence's face all
  // holding markup.
  const zhang = await apiSignIn('33010619900101123X');
  const { no, code } = await openDraft(zhang, ITEM,
    shopForm({ 名称: `小店${XSS}`, 经营场所: `文三路${XSS}`, 经营范围: `百货${XSS}` }));
  for (const m of ['个体工商户登记（备案）申请书', '经营场所使用相关证明']) await uploadAs(zhang, no, m);
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);
  const zhao = await apiSignIn('330106198707072021');
  const ev = (s, body) => apiAs(s, 'POST', `/api/v1/cases/${no}/events`, body);
  let r = await ev(zhao, { event: 'request_correction', opinion: `意见${XSS}`,
    corrections: [{ material: '经营场所使用相关证明', reason: `理由${XSS}` }] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const noScript = async (p) => {
    assert.equal(await p.locator('img[src="x"]').count(), 0, 'no element made of the markup');
  };
  // The case page (赵审核) while the correction is asked for: the reason.
  let w = await watchedPage(1280);
  await shellSignIn(w.p, `/workbench/case.html?no=${no}`, '330106198707072021');
  await w.p.locator('li', { hasText: `理由${XSS}` }).waitFor();
  await noScript(w.p);
  await uploadAs(zhang, no, '经营场所使用相关证明');
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);
  assert.equal((await ev(zhao, { event: 'accept', opinion: `受理${XSS}` })).status, 200);
  assert.equal((await ev(zhao, { event: 'review' })).status, 200);
  const qian = await apiSignIn('330106198606063011');
  assert.equal((await ev(qian, { event: 'approve', opinion: `批准${XSS}` })).status, 200);
  const credit = creditCode('92330106MA2T0K5R');
  const shop = `小店${XSS}`;
  r = await ev(qian, { event: 'complete', opinion: `办结${XSS}`, certificate: {
    holder: { code: credit, name: shop },
    face: { entity_type: '个体工商户', address: `文三路${XSS}`, business_scope: `百货${XSS}` } } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // 张三 registers the shop over the API (its name holds the markup too).
  r = await apiAs(zhang, 'POST', '/api/v1/auth/register', { kind: 'organisation', name: shop, credit_code: credit });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  // The case page once completed (the form, the opinions), and the queue.
  await w.p.reload();
  await w.p.locator('#case-title').waitFor();
  await w.p.locator('dd', { hasText: `小店${XSS}` }).waitFor();
  await w.p.locator('.certs .ok', { hasText: '有效' }).waitFor();
  const caseText = await w.p.textContent('main');
  for (const t of [`受理${XSS}`, `批准${XSS}`, `办结${XSS}`]) assert.ok(caseText.includes(t), `${t} shows as text`);
  await noScript(w.p);
  await w.p.goto(`${base}/workbench/?state=`);
  await w.p.locator('#queue tbody tr').first().waitFor();
  await noScript(w.p);
  assert.deepEqual(w.dialogs, []);
  assert.deepEqual(w.errors, []);
  await w.ctx.close();
  // The window (王窗口): the shop, whose name holds markup, at the counter.
  w = await watchedPage(390);
  await shellSignIn(w.p, '/window/', '330106198808081015');
  await w.p.locator('#centre:not(:empty)').waitFor();
  await w.p.fill('#applicant-code', credit);
  await w.p.press('#applicant-code', 'Enter');
  await w.p.locator('#applicant dd', { hasText: shop }).waitFor();
  await noScript(w.p);
  assert.deepEqual(w.dialogs, []);
  assert.deepEqual(w.errors, []);
  await w.ctx.close();
  // The public progress of the case, and 张三's certificates acting for the shop.
  w = await watchedPage(390);
  await w.p.goto(`${base}/progress.html#${no}:${code}`);
  await w.p.locator('#progress dl').waitFor();
  await noScript(w.p);
  await w.p.goto(`${base}/certificates.html`);
  await w.p.fill('#login-id', '33010619900101123X');
  await w.p.fill('#login-pw', 'tongban-demo');
  await w.p.click('#login button');
  await w.p.locator('article.cert').first().waitFor();
  await w.p.reload(); // the bar offers acting for the shop once signed in
  await w.p.selectOption('select[aria-label="以何种身份办事"]', credit);
  const licence = w.p.locator('article.cert', { hasText: '营业执照' });
  await licence.waitFor();
  const face = await licence.textContent();
  assert.ok(face.includes(`百货${XSS}`) && face.includes(shop), 'the face shows the markup as text');
  await w.p.locator('.acting', { hasText: shop }).waitFor();
  await noScript(w.p);
  assert.deepEqual(w.dialogs, []);
  assert.deepEqual(unexpectedErrors(w.errors, [[401, '/api/v1/me/certificates']]), []);
  await w.ctx.close();
});

test('guide: 张三 finds 结婚登记 by typing 结婚 on the home page and opens its guide', async () => {
  const { p, ctx, errors } = await page();
  await p.setViewportSize({ width: 360, height: 780 });
  const code = '11330106024903108G4070081601000';
  await p.goto(`${base}/`);
  await p.fill('#q', '结婚');
  await p.click('#search button');
  await p.waitForURL(/services\.html\?q=/);
  const marriage = p.locator(`#items article[data-code="${code}"]`);
  await marriage.waitFor();
  await marriage.locator('h3 a', { hasText: '内地居民结婚登记' }).click();
  await p.waitForURL(new RegExp(`guide\\.html\\?item=${code}`));
  await p.locator('#item-name', { hasText: '内地居民结婚登记' }).waitFor();
  const guide = p.locator('#guide');
  await guide.locator('h2', { hasText: '受理条件' }).waitFor();
  assert.ok(await guide.locator('section[aria-label="受理条件"] li').count() > 0, 'the conditions are listed');
  assert.ok(await guide.locator('section[aria-label="申请材料"] li').count() > 0, 'the materials are listed');
  assert.match(await guide.locator('section[aria-label="办理时限"]').textContent(), /即办/);
  // Online depth II (both parties come in person): where to go, no online application.
  assert.match(await guide.textContent(), /请到以下地点办理/);
  assert.equal(await guide.locator('a.apply').count(), 0);
  assert.ok(await noSideways(p), 'no sideways scroll at 360 px');
  await p.screenshot({ path: shot('guide-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await ctx.close();
});
