// Browser tests of applying online (apply.html) as a citizen and as a
// business's agent, on a 390 px phone: the application form drawn from the
// catalog and prefilled, checked beside each field in Chinese, kept over a
// reload; the identity card taken from the library, the rest uploaded; a
// review, one submission for a double click; one draft per applicant and
// item, resumed on return; a correction answered on the same case in 我的办件,
// completion and a rating of 非常满意; an item that is not handled online
// says where to go; a field the catalog manager adds to an item's form in the
// editor is asked for when applying. Screenshots under build/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs, apiSignIn, axeClean, base, noSideways, pdfFile, serve, shellSignIn, shot, unexpectedErrors,
  watchedPage,
} from './harness.mjs';

serve();

const SHOP = '11330106024892795E4010010201000'; // 个体工商户设立登记, 西湖区市场监督管理局
const FOOD = '11330106024892795E4010020301001'; // 食品经营许可（新办）, the same
const MARRIAGE = '11330106024903108G4070081601000'; // 内地居民结婚登记: online depth II
const XSS = '<img src=x onerror=alert(1)>';
const field = (p, name) => p.locator(`[name="form.${name}"]`);

// Uploads file for material on the apply page's materials step.
async function uploadRow(p, material, tag) {
  const row = p.locator(`#materials tr[data-material="${material}"]`);
  await row.locator('input[type=file]').setInputFiles(pdfFile(`${tag}.pdf`, tag));
  await row.locator('button', { hasText: '上传' }).click();
  await p.locator(`#materials tr[data-material="${material}"] td.ok`, { hasText: '已上传' }).waitFor();
}

test('apply: 张三 fills the 个体工商户 form, reviews, submits once; corrects in 我的办件; completed and rated 非常满意', async () => {
  const { p, ctx, errors, dialogs } = await watchedPage(390);
  await shellSignIn(p, `/apply.html?item=${SHOP}`, '33010619900101123X');
  await p.locator('#fields .field').first().waitFor();

  // Prefilled from his account, and said so.
  assert.equal(await field(p, '经营者姓名').inputValue(), '张三');
  assert.equal(await field(p, '经营者身份证件号码').inputValue(), '33010619900101123X');
  assert.equal(await field(p, '联系电话').inputValue(), '13900000001');
  assert.match(await p.locator('.field', { has: field(p, '联系电话') }).textContent(), /已根据您的账户自动填写/);
  await p.locator('#steps li[aria-current=step]', { hasText: '填写申请表' }).waitFor();
  assert.ok(await noSideways(p), 'the form fits 390 px');
  await axeClean(p, 'apply form');

  // Saving with required fields empty marks every one of them at once.
  await p.click('#appform button[type=submit]');
  assert.equal(await p.locator('#appform .field-error').count(), 5);
  await p.screenshot({ path: shot('apply-required-390.png'), fullPage: true });

  // What the server refuses is said beside the field, in Chinese.
  await field(p, '名称').fill(`西湖${XSS}小店`);
  await field(p, '经营场所').fill('浙江省杭州市西湖区文三路90号');
  await field(p, '组成形式').selectOption('个人经营');
  await field(p, '资金数额').fill('10');
  await field(p, '从业人数').fill('三个');
  await field(p, '经营范围').fill('日用百货零售');
  await p.click('#appform button[type=submit]');
  await p.locator('#appform .field-error', { hasText: '请填写整数' }).waitFor();
  assert.equal(await field(p, '从业人数').getAttribute('aria-invalid'), 'true');

  // A reload in the middle loses nothing typed.
  await field(p, '从业人数').fill('3');
  await p.reload();
  await p.locator('#fields .field').first().waitFor();
  assert.equal(await field(p, '从业人数').inputValue(), '3');
  assert.equal(await field(p, '名称').inputValue(), `西湖${XSS}小店`);
  await p.screenshot({ path: shot('apply-form-390.png'), fullPage: true });
  await p.click('#appform button[type=submit]');

  // Materials: the identity card from his library, the rest uploaded.
  await p.locator('#step-materials:not([hidden])').waitFor();
  assert.match(await p.textContent('tr[data-material="经营者居民身份证"]'), /材料库/);
  await p.click('#to-review');
  await p.locator('#mat-error', { hasText: '个体工商户登记（备案）申请书' }).waitFor();
  await uploadRow(p, '个体工商户登记（备案）申请书', 'form');
  await uploadRow(p, '经营场所使用相关证明', 'lease');
  assert.ok(await noSideways(p), 'the materials fit 390 px');
  await p.screenshot({ path: shot('apply-materials-390.png'), fullPage: true });
  await p.click('#to-review');

  // The review shows what will be sent, markup as text.
  await p.locator('#step-review:not([hidden])').waitFor();
  assert.match(await p.textContent('#review-form'), new RegExp(`名称西湖${XSS.replace(/[()]/g, '\\$&')}小店`));
  assert.match(await p.textContent('#review-form'), /从业人数3 人/);
  assert.equal(await p.locator('#review-form img').count(), 0);
  await p.check('#promise');
  await axeClean(p, 'apply review');
  await p.screenshot({ path: shot('apply-review-390.png'), fullPage: true });
  await p.dblclick('#submit');
  await p.locator('#done:not([hidden])').waitFor();
  assert.equal(await p.locator('#steps').isVisible(), false);
  const facts = await p.textContent('#done-facts');
  const no = facts.match(/办件编号(\d{31}\d{12}|\w{31}\d{12})/)[1];
  assert.match(facts, /查询码\d{8}/);
  await p.screenshot({ path: shot('apply-done-390.png'), fullPage: true });
  const zhang = await apiSignIn('33010619900101123X');
  const c = (await apiAs(zhang, 'GET', `/api/v1/cases/${no}`)).body;
  assert.equal(c.state, 'submitted');
  assert.equal(c.steps.filter((s) => s.event === 'submit').length, 1, 'a double click submits once');
  assert.equal(c.form['名称'], `西湖${XSS}小店`);

  // 赵审核 asks for a new lease and a corrected business scope at once.
  const reviewer = await apiSignIn('330106198707072021');
  const ev = (s, body) => apiAs(s, 'POST', `/api/v1/cases/${no}/events`, body);
  assert.equal((await ev(reviewer, { event: 'request_correction', corrections: [
    { material: '经营场所使用相关证明', reason: '租赁合同已过期' },
    { field: '经营范围', reason: '请按规范表述填写' }] })).status, 200);

  // 我的办件: exactly what is asked; the same case answered and resubmitted.
  await p.click('#to-case');
  await p.waitForURL(/\/my\/case\.html\?no=/);
  await p.locator('#corrections').waitFor();
  assert.equal(await p.locator('#correction-list .corr-item').count(), 2);
  const fix = p.locator('#corrections form[data-field-fix="经营范围"]');
  await fix.locator('[name="form.经营范围"]').fill('日用百货销售');
  await fix.locator('button[type=submit]').click();
  await p.locator('#flash', { hasText: '已修改' }).waitFor();
  const up = p.locator('#corrections form[data-material="经营场所使用相关证明"]');
  await up.locator('input[type=file]').setInputFiles(pdfFile('lease2.pdf', 'lease2'));
  await up.locator('button[type=submit]').click();
  await p.locator('#flash', { hasText: '已上传：经营场所使用相关证明' }).waitFor();
  await p.click('#resubmit');
  await p.locator('#summary .badge', { hasText: '已提交' }).waitFor();
  const again = (await apiAs(zhang, 'GET', `/api/v1/cases/${no}`)).body;
  assert.equal(again.case_no, no);
  assert.equal(again.form['经营范围'], '日用百货销售');

  // Accepted, reviewed, approved and completed by the department.
  const approver = await apiSignIn('330106198606063011');
  for (const [s, body] of [[reviewer, { event: 'accept' }], [reviewer, { event: 'review' }],
    [approver, { event: 'approve', opinion: '准予登记' }]]) {
    const r = await ev(s, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const done = await ev(approver, { event: 'complete', certificate: {
    holder: { code: '92330106MA2T000150', name: '西湖小店' },
    face: { entity_type: '个体工商户', address: '浙江省杭州市西湖区文三路90号', business_scope: '日用百货销售' } } });
  assert.equal(done.status, 200, JSON.stringify(done.body));

  // Rated 非常满意 on the case page.
  await p.goto(`${base}/my/case.html?no=${no}`);
  await p.locator('#rate').waitFor();
  await p.check('#score-1');
  await p.click('#rate button[type=submit]');
  await p.locator('#rating .given', { hasText: '非常满意' }).waitFor();
  const rated = (await apiAs(zhang, 'GET', `/api/v1/cases/${no}`)).body.ratings;
  assert.ok(rated.some((r) => r.stage === 'completed' && r.score === 1), JSON.stringify(rated)); // 1: 非常满意
  assert.deepEqual(dialogs, []);
  // The refused save (400) and the draft resumed after the reload (409).
  assert.deepEqual(unexpectedErrors(errors, [
    [400, new RegExp(`^/api/v1/cases/${SHOP}\\d{12}$`)],
    [409, '/api/v1/cases'],
  ]), []);
  await ctx.close();
});

test('apply: a return resumes the same draft; an item not handled online says where to go', async () => {
  const { p, ctx, errors } = await watchedPage(390);
  await shellSignIn(p, `/apply.html?item=${SHOP}`, '330102199203154022'); // 王五: the demo left him a draft
  await p.locator('#resumed:not([hidden])').waitFor();
  const first = (await p.textContent('#resumed')).match(/办件编号 (\w+)/)[1];
  assert.equal(await field(p, '名称').inputValue() !== '', true, 'the draft has its form');
  await p.goto(`${base}/apply.html?item=${SHOP}`);
  await p.locator('#resumed:not([hidden])').waitFor();
  assert.equal((await p.textContent('#resumed')).match(/办件编号 (\w+)/)[1], first);
  const wang = await apiSignIn('330102199203154022');
  const drafts = (await apiAs(wang, 'GET', '/api/v1/cases?view=mine&state=draft')).body.items
    .filter((c) => c.item === SHOP);
  assert.equal(drafts.length, 1);

  await p.goto(`${base}/apply.html?item=${MARRIAGE}`);
  await p.locator('#offline:not([hidden])').waitFor();
  assert.match(await p.textContent('#offline'), /暂不能在网上申请/);
  assert.match(await p.textContent('#offline'), /办理地点/);
  assert.equal(await p.locator('#steps').isVisible(), false);
  await p.screenshot({ path: shot('apply-offline-390.png'), fullPage: true });
  // The guide offers no online application either.
  await p.click('#offline a');
  await p.locator('#guide section').first().waitFor();
  assert.equal(await p.locator('a.apply').count(), 0);
  assert.deepEqual(unexpectedErrors(errors, [[409, '/api/v1/cases']]), []);
  await ctx.close();
});

test('apply: 李四 acts for his business and applies for 食品经营许可', async () => {
  const { p, ctx, errors } = await watchedPage(390);
  await shellSignIn(p, `/apply.html?item=${FOOD}`, '330106198505052313');
  await p.locator('#fields .field').first().waitFor();
  // He switches to act for the business in the bar; the page starts again.
  const who = p.locator('.topnav .user select');
  await who.selectOption('91330106MA2H3K7L3H');
  await p.locator('.acting').waitFor();
  await p.locator('#fields .field').first().waitFor();
  assert.equal(await field(p, '经营者名称').inputValue(), '杭州西湖示例科技有限公司');
  assert.equal(await field(p, '统一社会信用代码').inputValue(), '91330106MA2H3K7L3H');
  assert.equal(await field(p, '法定代表人（负责人）').inputValue(), '李四');
  if (!(await field(p, '经营场所').inputValue())) await field(p, '经营场所').fill('浙江省杭州市西湖区文二路8号');
  await field(p, '主体业态').selectOption('餐饮服务经营者');
  await field(p, '经营项目').fill('热食类食品制售');
  await p.screenshot({ path: shot('apply-business-390.png'), fullPage: true });
  await p.click('#appform button[type=submit]');
  await p.locator('#step-materials:not([hidden])').waitFor();
  const rows = p.locator('#materials tr[data-material]');
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i);
    if ((await row.textContent()).includes('需上传')) await uploadRow(p, await row.getAttribute('data-material'), `m${i}`);
  }
  await p.click('#to-review');
  await p.check('#promise');
  await p.click('#submit');
  await p.locator('#done:not([hidden])').waitFor();
  const no = (await p.textContent('#done-facts')).match(/办件编号(\w{43})/)[1];
  // The case is the business's: 李四 sees it while acting for it.
  await p.goto(`${base}/my/`);
  await p.locator(`#cases li[data-case="${no}"]`).waitFor();
  assert.ok(await noSideways(p));
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();
});

test('catalog: the manager adds a field to the application form; the apply page asks for it', async () => {
  const { p, ctx, errors } = await watchedPage(1280);
  await shellSignIn(p, `/catalog/item.html?code=${FOOD}`, '330102198505054022'); // 孙目录, catalog manager of 杭州市
  await p.locator('.row-field').first().waitFor();
  const before = await p.locator('.row-field').count();
  await p.click('#editor button.add >> text=添加填写项目');
  const i = before; // the new row's index
  await p.fill(`#editor [name="form_fields[${i}].name"]`, '电子邮箱');
  await p.selectOption(`#editor [name="form_fields[${i}].type"]`, 'email');
  await p.fill(`#editor [name="form_fields[${i}].help"]`, '用于接收许可证电子版');
  // A select without choices is refused beside the field.
  await p.selectOption('#editor [name="form_fields[5].type"]', 'select');
  await p.fill('#editor [name="form_fields[5].options"]', '');
  await p.click('#save');
  await p.locator('#editor [name="form_fields[5].options"] ~ p.field-error').waitFor();
  await p.fill('#editor [name="form_fields[5].options"]', '食品销售经营者、餐饮服务经营者、单位食堂');
  await p.click('#save');
  await p.locator('#status.ok', { hasText: '已保存为草稿' }).waitFor();
  await p.click('#publish');
  await p.locator('#status.ok', { hasText: '已发布' }).waitFor();
  const it = await p.evaluate(async (c) => (await fetch(`/api/v1/items/${c}`)).json(), FOOD);
  const added = it.form_fields.find((f) => f.name === '电子邮箱');
  assert.deepEqual(added, { name: '电子邮箱', type: 'email', required: false, help: '用于接收许可证电子版' });
  assert.equal(it.form_fields.length, before + 1);

  // 张三 applying for it now fills the new field, checked as an e-mail.
  const { p: q, ctx: c2, errors: qerrors } = await watchedPage(390);
  await shellSignIn(q, `/apply.html?item=${FOOD}`, '33010619900101123X');
  await field(q, '电子邮箱').waitFor();
  assert.match(await q.locator('.field', { has: field(q, '电子邮箱') }).locator('label').textContent(), /电子邮箱（选填）/);
  await field(q, '电子邮箱').fill('zhang@');
  // Saved as typed a moment later: refused, and said so.
  await q.locator('#saved', { hasText: '暂未保存：请填写正确的电子邮箱地址' }).waitFor();
  await c2.close();
  assert.deepEqual(unexpectedErrors(qerrors, [[400, new RegExp(`^/api/v1/cases/${FOOD}\\d{12}$`)]]), []);
  // The refused save, and the editor's look for a draft (version 2) before there is one.
  assert.deepEqual(unexpectedErrors(errors, [
    [400, `/api/v1/items/${FOOD}`], [404, `/api/v1/items/${FOOD}?version=2`]]), []);
  await ctx.close();
});
