// Registration (/register.html, issue #13 item 6) on a 360 px phone: a
// visitor finds 注册 in the top bar, each refused field is marked beside it
// with the Chinese reason, a person registers, keeps the one-time recovery
// code, is signed in and lands where they came from; registering twice is
// refused beside the identity number. 王五 adds his business as its legal
// representative (a wrong name refused beside the field) and acts for it.
// The home page's 常用服务 lead to the guides, and the 404 page has the bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  axeClean, base, noSideways, serve, shot, unexpectedErrors, watchedPage,
} from './harness.mjs';

serve();

// The reason shown beside the field with that id ('' when none).
const besideOf = (p, id) => p.evaluate((i) => {
  const f = document.getElementById(i);
  const next = f.nextElementSibling;
  return next && next.classList.contains('field-error') && f.getAttribute('aria-invalid') === 'true'
    ? next.textContent : '';
}, id);

const CHINESE = /^[^A-Za-z]*[\u4e00-\u9fff][^A-Za-z]*$/;

test('register: a person registers on a phone, refused fields marked in Chinese, and lands where they came from', async () => {
  const { ctx, p, errors, dialogs } = await watchedPage(360);
  await p.goto(`${base}/services.html`);
  await p.locator('.topnav .user a', { hasText: '注册' }).click();
  await p.waitForURL(/\/register\.html\?next=%2Fservices\.html$/);
  await p.locator('#person-form').waitFor();
  assert.ok(await noSideways(p), 'no sideways scrolling at 360 px');

  // Nothing filled: each empty field asks beside itself.
  await p.click('#person-form button[type=submit]');
  assert.equal(await besideOf(p, 'reg-name'), '请填写姓名');
  assert.equal(await besideOf(p, 'reg-id'), '请填写公民身份号码');
  assert.equal(await besideOf(p, 'reg-phone'), '请填写手机号码');
  assert.equal(await besideOf(p, 'reg-pw'), '请设置密码');

  // A wrong check digit: the API's reason, in Chinese, beside the number.
  await p.fill('#reg-name', '赵六');
  await p.fill('#reg-id', '330106199103037319');
  await p.fill('#reg-phone', '13600000001');
  await p.fill('#reg-pw', 'zhao-liu-2026');
  await p.fill('#reg-pw2', 'zhao-liu-2027');
  await p.click('#person-form button[type=submit]');
  assert.equal(await besideOf(p, 'reg-pw2'), '两次输入的密码不一致');
  await p.fill('#reg-pw2', 'zhao-liu-2026');
  await p.click('#person-form button[type=submit]');
  await p.locator('#reg-id + .field-error').waitFor();
  const idReason = await besideOf(p, 'reg-id');
  assert.match(idReason, CHINESE, `a Chinese reason beside the identity number: ${idReason}`);
  assert.equal(await besideOf(p, 'reg-pw2'), '', 'earlier marks are cleared');
  // A phone that is no mobile number, then a password of digits only.
  await p.fill('#reg-id', '330106199103037318');
  await p.fill('#reg-phone', '2360000000');
  await p.click('#person-form button[type=submit]');
  await p.locator('#reg-phone + .field-error').waitFor();
  assert.match(await besideOf(p, 'reg-phone'), CHINESE);
  await p.fill('#reg-phone', '13600000001');
  await p.fill('#reg-pw', '12345678');
  await p.fill('#reg-pw2', '12345678');
  await p.click('#person-form button[type=submit]');
  await p.locator('#reg-pw + .field-error').waitFor();
  assert.match(await besideOf(p, 'reg-pw'), CHINESE);
  await p.screenshot({ path: shot('register-refused-360.png'), fullPage: true });
  await axeClean(p, '/register.html');

  // Right: registered, the recovery code shown once, signed in.
  await p.fill('#reg-pw', 'zhao-liu-2026');
  await p.fill('#reg-pw2', 'zhao-liu-2026');
  await p.dblclick('#person-form button[type=submit]');
  await p.locator('#done').waitFor();
  assert.match(await p.textContent('#recovery'), /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
  await p.locator('.topnav .who', { hasText: '赵六' }).waitFor();
  // A number the population registry does not know: not proven, no business yet.
  assert.equal(await p.isVisible('#unproven'), true);
  assert.equal(await p.isVisible('#business'), false);
  await p.screenshot({ path: shot('register-done-360.png'), fullPage: true });
  await p.click('#go-on');
  await p.waitForURL(`${base}/services.html`);
  await p.locator('.topnav .who', { hasText: '赵六' }).waitFor();

  // Registered twice (signed out, another tab): refused beside the number.
  const again = await watchedPage(360);
  await again.p.goto(`${base}/register.html`);
  await again.p.fill('#reg-name', '赵六');
  await again.p.fill('#reg-id', '330106199103037318');
  await again.p.fill('#reg-phone', '13600000001');
  await again.p.fill('#reg-pw', 'zhao-liu-2026');
  await again.p.fill('#reg-pw2', 'zhao-liu-2026');
  await again.p.click('#person-form button[type=submit]');
  await again.p.locator('#reg-id + .field-error').waitFor();
  assert.match(await besideOf(again.p, 'reg-id'), CHINESE);
  assert.deepEqual(unexpectedErrors(again.errors, [[409, '/api/v1/auth/register']]), []);
  await again.ctx.close();

  assert.deepEqual(dialogs, []);
  assert.deepEqual(unexpectedErrors(errors, [[400, '/api/v1/auth/register']]), []);
  await ctx.close();
});

test('register: 王五 adds his business as its legal representative and acts for it', async () => {
  const { ctx, p, errors, dialogs } = await watchedPage(360);
  await p.goto(`${base}/register.html?next=%2Fmy%2F`);
  // The sign-in form of the page, and its link to register.
  await p.click('#to-signin');
  assert.equal(await p.locator('#person a', { hasText: '注册' }).count(), 1);
  await p.fill('#si-id', '330102199203154022');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#person button[type=submit]');
  await p.locator('#org-form').waitFor();
  assert.equal(await p.isVisible('#person'), false);

  await p.fill('#org-name', '杭州西湖示例文化公司');
  await p.fill('#org-code', '91330106024899997A');
  await p.click('#org-form button[type=submit]');
  await p.locator('#org-name + .field-error').waitFor();
  assert.match(await besideOf(p, 'org-name'), CHINESE);
  // Another's business: he is not its representative, said beside the code.
  await p.fill('#org-name', '杭州西湖示例科技有限公司');
  await p.fill('#org-code', '91330106MA2H3K7L3H');
  await p.click('#org-form button[type=submit]');
  await p.locator('#org-code + .field-error').waitFor();
  assert.match(await besideOf(p, 'org-code'), CHINESE);

  await p.fill('#org-name', '杭州西湖示例文化有限公司');
  await p.fill('#org-code', '91330106024899997a');
  await p.click('#org-form button[type=submit]');
  await p.locator('#org-done').waitFor();
  assert.match(await p.textContent('#org-msg'), /杭州西湖示例文化有限公司/);
  assert.ok(await noSideways(p));
  await p.screenshot({ path: shot('register-business-360.png'), fullPage: true });
  await p.click('#act');
  await p.waitForURL(`${base}/my/`);
  await p.locator('.acting', { hasText: '杭州西湖示例文化有限公司' }).waitFor();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(unexpectedErrors(errors, [
    [400, '/api/v1/auth/register'], [403, '/api/v1/auth/register']]), []);
  await ctx.close();
});

test('home: 常用服务 lead to the guides; the sign-in form links to registration; the 404 page has the bar', async () => {
  const { ctx, p, errors } = await watchedPage(360);
  await p.goto(`${base}/`);
  const first = p.locator('#popular a').first();
  await first.waitFor();
  assert.equal(await p.locator('#popular a').count(), 8);
  // The most used item of the demo comes first.
  assert.equal(await first.textContent(), '个体工商户设立登记');
  assert.equal(await first.getAttribute('href'), '/guide.html?item=11330106024892795E4010010201000');
  await first.click();
  await p.locator('#guide h2').first().waitFor();
  assert.match(await p.textContent('#item-name'), /个体工商户设立登记/);

  await p.goto(`${base}/`);
  await p.locator('.topnav .user a', { hasText: '登录' }).click();
  await p.locator('#signin a', { hasText: '注册' }).waitFor();
  assert.equal(await p.locator('#signin a', { hasText: '注册' }).getAttribute('href'), '/register.html?next=%2F');

  const r = await p.goto(`${base}/no/such/page`);
  assert.equal(r.status(), 404);
  await p.locator('.topnav a.brand').waitFor();
  assert.equal(await p.locator('.topnav .user a', { hasText: '注册' }).count(), 1);
  assert.ok(await noSideways(p));
  assert.deepEqual(unexpectedErrors(errors, [[404, '/no/such/page']]), []);
  await ctx.close();
});
