// What a guide does not state stays unstated (issue #16): 孙目录, catalog
// manager over 杭州市, marks 养犬登记's fees as not stated in the guide (not
// "free") and clears its phone; the completeness page lists the draft with
// both; the province's rule (set by 郑管理, the province's administrator)
// requires fees before publication, so publishing is refused naming 收费;
// with the rule lifted it publishes, and the public guide says 未公布.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs, apiSignIn, axeClean, base, noSideways, pageAs, serve, shot, unexpectedErrors,
} from './harness.mjs';

serve();

const CITY = '1133010002485155523100052101000'; // 杭州市 养犬登记

test('未公布: a manager leaves fees and phone unstated; the report lists them; the province\'s rule decides publication', async () => {
  const manager = await apiSignIn('330102198505054022'); // 孙目录
  const { ctx, p, errors } = await pageAs(manager, 1280);
  await p.goto(`${base}/catalog/item.html?code=${CITY}`);
  const quiet = p.locator('input[data-unstated=fees]');
  await quiet.waitFor();
  assert.equal(await quiet.isChecked(), false);
  await quiet.check();
  await p.getByLabel('咨询电话').fill('');
  await p.click('#save');
  await p.locator('#status.ok', { hasText: '已保存为草稿' }).waitFor();
  const draft = (await apiAs(manager, 'GET', `/api/v1/items/${CITY}?version=2`)).body;
  assert.equal(draft.fees, null);
  assert.equal(draft.phone, null);
  assert.equal(await p.locator('input[data-unstated=fees]').isChecked(), true, 'reloaded as unstated');

  await p.goto(`${base}/catalog/completeness.html?region=330100`);
  const row = p.locator(`#gaps tr[data-code="${CITY}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /收费、咨询电话/);
  assert.match(await row.textContent(), /草稿/);
  assert.match(await p.textContent('#counts'), /收费：1 个事项未公布/);
  assert.equal(await p.locator('#rule-save').isHidden(), true, 'a city manager does not set the province\'s rule');
  await axeClean(p, 'completeness');
  await p.screenshot({ path: shot('catalog-completeness-1280.png'), fullPage: true });
  // The editor probes for a draft before there is one: a 404, expected.
  assert.deepEqual(unexpectedErrors(errors, [[404, `/api/v1/items/${CITY}?version=2`]]), []);
  await ctx.close();

  // The province requires fees before publication.
  const admin = await apiSignIn('330106198202027014'); // 郑管理
  const a = await pageAs(admin, 390);
  await a.p.goto(`${base}/catalog/completeness.html?region=330000`);
  await a.p.locator('#rule:not([hidden]) input[value=fees]').check();
  await a.p.click('#rule-save');
  await a.p.locator('#rule-status.ok').waitFor();
  assert.ok(await noSideways(a.p), 'no sideways scrolling at 390 px');
  assert.deepEqual(unexpectedErrors(a.errors, []), []);
  await a.ctx.close();

  const m = await pageAs(manager, 1280);
  await m.p.goto(`${base}/catalog/item.html?code=${CITY}&v=2`);
  await m.p.locator('#publish').click();
  await m.p.locator('#status.bad', { hasText: '未能发布：收费：本省规定此项须载明后才能发布' }).waitFor();
  assert.equal((await apiAs(admin, 'PUT', '/api/v1/catalog/rules/330000', { stated_for_publication: [] })).status, 200);
  await m.p.locator('#publish').click();
  await m.p.locator('#status.ok', { hasText: '已发布第2版' }).waitFor();
  assert.deepEqual(unexpectedErrors(m.errors, [[409, `/api/v1/items/${CITY}/publish`]]), []);
  await m.ctx.close();

  // The public guide: the fee and the phone are said to be unstated.
  const g = await pageAs(await apiSignIn('33010619900101123X'), 390);
  await g.p.goto(`${base}/guide.html?item=${CITY}`);
  await g.p.locator('main h2', { hasText: '收费' }).waitFor();
  const text = await g.p.textContent('main');
  assert.match(text, /收费未公布（本事项的办事指南未载明，请向实施部门咨询）/);
  assert.doesNotMatch(text, /不收费/);
  assert.match(text, /咨询电话未公布/);
  await g.p.screenshot({ path: shot('guide-unstated-390.png'), fullPage: true });
  assert.deepEqual(unexpectedErrors(g.errors, []), []);
  await g.ctx.close();
});

test('高龄津贴: the guide cites the law article by article and says what the platform checks; 张三, 36, is warned before applying', async () => {
  const ELDER = '11330106024903108G4050081402000'; // 西湖区民政局 高龄津贴发放
  const zhang = await apiSignIn('33010619900101123X');
  const { ctx, p, errors } = await pageAs(zhang, 390);
  await p.goto(`${base}/guide.html?item=${ELDER}`);
  await p.locator('main h2', { hasText: '设定依据' }).waitFor();
  const law = await p.locator('section[aria-label="设定依据"] li').allTextContents();
  assert.deepEqual(law, ['《中华人民共和国老年人权益保障法》 第三十三条：国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。', '《浙江省老年人权益保障条例》']);
  assert.match(await p.textContent('section[aria-label="受理条件"]'), /平台按您的身份证件核对：年满 80 周岁/);
  await p.goto(`${base}/apply.html?item=${ELDER}`);
  await p.locator('#eligibility:not([hidden])').waitFor();
  assert.equal(await p.textContent('#eligibility'),
    '提醒：本事项要求年满 80 周岁；按您的身份证件，您今年 36 周岁。您仍可提交申请，由办理部门依受理条件审查。');
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await axeClean(p, 'apply with an eligibility warning');
  await p.screenshot({ path: shot('apply-eligibility-390.png') });
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();

  // The editor shows the entries one by one and saves a changed article.
  const manager = await apiSignIn('330102198505054022'); // 孙目录
  const m = await pageAs(manager, 1280);
  await m.p.goto(`${base}/catalog/item.html?code=${ELDER}`);
  const article = m.p.locator('[name="legal_basis[0].article"]');
  await article.waitFor();
  assert.equal(await article.inputValue(), '第三十三条');
  assert.equal(await m.p.locator('[name="legal_basis[1].law"]').inputValue(), '《浙江省老年人权益保障条例》');
  assert.doesNotMatch(await m.p.textContent('main'), /object Object/);
  await m.p.locator('[name="legal_basis[1].article"]').fill('第二十条');
  await m.p.click('#save');
  await m.p.locator('#status.ok', { hasText: '已保存为草稿' }).waitFor();
  const v2 = (await apiAs(manager, 'GET', `/api/v1/items/${ELDER}?version=2`)).body;
  assert.deepEqual(v2.legal_basis[1], { law: '《浙江省老年人权益保障条例》', article: '第二十条', text: null });
  assert.deepEqual(v2.eligibility, [{ kind: 'age', min: 80, max: null, sex: null, text: '年满80周岁' }]);
  assert.deepEqual(unexpectedErrors(m.errors, [[404, `/api/v1/items/${ELDER}?version=2`]]), []);
  await m.ctx.close();
});

test('办事指南: several service places, a delegated window, implementing institutions and a conditional material read as written', async () => {
  const SHOP = '11330106024892795E4010010201000'; // 西湖区 个体工商户设立登记
  const BIRTH = '1133010002486186853070031501001'; // 出生医学证明首次签发
  const manager = await apiSignIn('330102198505054022'); // 孙目录
  const doc = (await apiAs(manager, 'GET', `/api/v1/items/${SHOP}`)).body;
  delete doc.version;
  delete doc.state;
  doc.places = [
    { name: '西湖区政务服务中心', address: '杭州市西湖区文三路 100 号', hours: '工作日 9:00-17:00', phone: '0571-87000000' },
    { name: '三墩镇便民服务中心', address: null, hours: null, phone: null },
  ];
  doc.accepting_body = { name: '西湖区政务服务中心市场监管综合窗口', credit_code: null };
  assert.equal((await apiAs(manager, 'PUT', `/api/v1/items/${SHOP}`, doc)).status, 200);
  assert.equal((await apiAs(manager, 'POST', `/api/v1/items/${SHOP}/publish`, {})).status, 200);

  const { ctx, p, errors } = await pageAs(await apiSignIn('33010619900101123X'), 390);
  await p.goto(`${base}/guide.html?item=${SHOP}`);
  const where = p.locator('section[aria-label="办理地点和时间"]');
  await where.locator('ol.places li').first().waitFor();
  assert.match(await where.textContent(), /受理窗口：西湖区政务服务中心市场监管综合窗口/);
  assert.deepEqual(await where.locator('ol.places li strong').allTextContents(), ['西湖区政务服务中心', '三墩镇便民服务中心']);
  assert.match(await where.locator('ol.places li').nth(1).textContent(), /地址未公布/);
  const family = p.locator('ol.materials li', { hasText: '家庭成员关系证明' });
  assert.match(await family.textContent(), /视情形提交/);
  assert.match(await family.textContent(), /需要提交的情形：以家庭共同财产出资、家庭经营的/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await p.screenshot({ path: shot('guide-places-390.png'), fullPage: true });
  await p.goto(`${base}/guide.html?item=${BIRTH}`);
  await p.locator('section[aria-label="办理地点和时间"]').waitFor();
  assert.match(await p.textContent('section[aria-label="办理地点和时间"]'), /实施机构：辖区内各助产机构（分娩所在医疗机构签发）/);
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();
});

test('搜索同义词: 郑管理 teaches the search a word; 张三 then finds the service by it', async () => {
  const admin = await apiSignIn('330106198202027014'); // 郑管理, over 浙江省
  const { ctx, p, errors } = await pageAs(admin, 390);
  await p.goto(`${base}/catalog/synonyms.html`);
  await p.locator('#synonyms tr[data-word="社保"]').waitFor();
  assert.match(await p.textContent('#synonyms tr[data-word="社保"]'), /社会保险、社会保障、社保卡/);
  await p.fill('#word', '娃娃证');
  await p.fill('#expansions', '出生医学证明');
  await p.click('#syn-form button[type=submit]');
  await p.locator('#status.ok', { hasText: '已保存“娃娃证”' }).waitFor();
  await p.locator('#synonyms tr[data-word="娃娃证"]').waitFor();
  // The word itself as its own other name: refused beside the field, in Chinese.
  await p.fill('#word', '低保');
  await p.fill('#expansions', '低保');
  await p.click('#syn-form button[type=submit]');
  await p.locator('#syn-form .field-error').waitFor();
  assert.match(await p.textContent('#syn-form .field-error'), /不能与原词相同/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await axeClean(p, 'synonyms');
  assert.deepEqual(unexpectedErrors(errors, [[400, '/api/v1/catalog/synonyms/%E4%BD%8E%E4%BF%9D']]), []);
  await ctx.close();

  const z = await pageAs(await apiSignIn('33010619900101123X'), 390);
  await z.p.goto(`${base}/services.html?q=${encodeURIComponent('娃娃证')}`);
  await z.p.locator('a', { hasText: '出生医学证明首次签发' }).first().waitFor();
  assert.deepEqual(unexpectedErrors(z.errors, []), []);
  await z.ctx.close();
});
