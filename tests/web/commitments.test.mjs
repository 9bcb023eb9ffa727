// 证明事项告知承诺制 as the people it concerns see it, on a phone: 张三
// applies for a residence permit (居住证) and, instead of an employment
// certificate, signs the commitment after reading the notice; the police
// reviewer finds it among the checks to do and checks it online (社会保险
// 6 months): it holds. 王五's commitment about his shop's premises is
// found false on site by the market regulator: the supervisor saw it
// pending, and 王五 finds the record on his 信用记录 page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs, apiSignIn, axeClean, base, fillShopForm, noSideways, openDraft, pdfFile, serve, shellSignIn,
  shopForm, shot, unexpectedErrors, pageAs, uploadAs, watchedPage, windowOpensShop,
} from './harness.mjs';

serve();

const RESIDENCE = '1133010002485155523200052301000';
const SHOP = '11330106024892795E4010010201000';
const JOB = '合法稳定就业证明';
const PLACE = '经营场所使用相关证明';

test('居住证: 张三 signs a commitment instead of an employment certificate; the police check it online', async () => {
  const zhang = await apiSignIn('33010619900101123X');
  const { ctx, p, errors } = await pageAs(zhang, 390);
  // No application form: the page starts at the materials.
  await p.goto(`${base}/apply.html?item=${RESIDENCE}`);
  await p.locator('#step-materials:not([hidden])').waitFor();
  const row = p.locator(`tr[data-material="${JOB}"]`);
  await row.getByRole('button', { name: '以告知承诺代替' }).click();
  const notice = p.locator(`tr[data-commitment="${JOB}"]`);
  assert.match(await notice.textContent(), /本人在居住地连续就业满6个月/);
  assert.match(await notice.textContent(), /20 个工作日内核查/);
  assert.match(await notice.textContent(), /记入信用记录/);
  // Not without ticking that the notice was read.
  await notice.getByRole('button', { name: '签署承诺' }).click();
  assert.equal(await notice.locator('[role=alert]').textContent(), '请先阅读告知内容并勾选承诺');
  await p.screenshot({ path: shot('apply-commitment-390.png'), fullPage: true });
  await notice.locator('input[type=checkbox]').check();
  await notice.getByRole('button', { name: '签署承诺' }).click();
  await row.locator('td', { hasText: '已签署告知承诺' }).waitFor();
  assert.equal(await p.locator('tr.commitment-row').count(), 0);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await axeClean(p, 'apply with a commitment');
  const photo = p.locator('tr[data-material="本人近期免冠彩色照片"]');
  await photo.locator('input[type=file]').setInputFiles(pdfFile('photo.pdf'));
  await photo.getByRole('button', { name: '上传', exact: true }).click();
  await photo.locator('td', { hasText: '已上传' }).waitFor();
  await p.click('#to-review');
  await p.locator('#step-review:not([hidden])').waitFor();
  assert.match(await p.textContent('#review-materials'), /合法稳定就业证明：已签署告知承诺/);
  await p.check('#promise');
  await p.click('#submit');
  await p.locator('#done:not([hidden])').waitFor();
  const no = (await apiAs(zhang, 'GET', '/api/v1/cases?limit=200')).body.items
    .find((c) => c.item === RESIDENCE && c.state === 'submitted').case_no;
  await p.goto(`${base}/my/case.html?no=${no}`);
  await p.locator('#commitments li').waitFor();
  assert.match(await p.textContent('#commitments'), /待核查（办理部门将于 .* 前核查）/);
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();

  const police = await apiSignIn('330102198612125025'); // 褚户政, reviewer of 杭州市公安局
  const w = await pageAs(police, 390);
  await w.p.goto(`${base}/workbench/`);
  const todo = w.p.locator('#commitments li', { hasText: `办件 ${no}` });
  await todo.waitFor();
  assert.match(await todo.textContent(), /居住证签发 · 合法稳定就业证明/);
  await todo.locator('a').click();
  const card = w.p.locator(`li[data-commitment="${JOB}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /待核查/);
  await w.p.screenshot({ path: shot('workbench-commitment-390.png'), fullPage: true });
  await axeClean(w.p, 'workbench commitment check');
  await card.getByRole('button', { name: '在线核查' }).click();
  await w.p.locator('.flash', { hasText: '核查属实' }).waitFor();
  assert.match(await w.p.locator(`li[data-commitment="${JOB}"]`).textContent(), /属实.*在线核查.*本市连续缴纳社会保险满6个月/s);
  assert.ok(await noSideways(w.p), 'no sideways scrolling at 390 px');
  assert.deepEqual(unexpectedErrors(w.errors, []), []);
  await w.ctx.close();
});

test('经营场所: a commitment found false on site; the supervisor saw it pending; 王五 reads his credit record', async () => {
  const wang = await apiSignIn('330102199203154022');
  const { no } = await openDraft(wang, SHOP, shopForm({ 经营者姓名: '王五', 经营者身份证件号码: '330102199203154022', 联系电话: '13900000003' }));
  assert.equal((await apiAs(wang, 'POST', `/api/v1/cases/${no}/commitments`, { material: PLACE })).status, 200);
  const c = (await apiAs(wang, 'GET', `/api/v1/cases/${no}`)).body;
  for (const m of c.materials.filter((x) => x.required === 'required' && x.source === 'missing')) await uploadAs(wang, no, m.name);
  assert.equal((await apiAs(wang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);

  const supervisor = await apiSignIn('330106198303036024'); // 吴监督
  const s = await pageAs(supervisor, 1280);
  await s.p.goto(`${base}/supervision/`);
  await s.p.locator('#commitment-list tr', { hasText: no }).waitFor();
  assert.match(await s.p.textContent('#commitment-figures'), /待核查 1 件/);
  assert.match(await s.p.locator('#commitment-list tr', { hasText: no }).textContent(), /杭州市西湖区市场监督管理局/);
  await axeClean(s.p, 'supervision commitments');
  assert.deepEqual(unexpectedErrors(s.errors, []), []);
  await s.ctx.close();

  const market = await apiSignIn('330106198707072021'); // 赵审核, reviewer of 西湖区市场监管
  const { ctx, p, errors } = await pageAs(market, 390);
  await p.goto(`${base}/workbench/case.html?no=${no}`);
  const card = p.locator(`li[data-commitment="${PLACE}"]`);
  await card.waitFor();
  assert.equal(await card.getByRole('button', { name: '在线核查' }).count(), 0, 'nothing to check it against online');
  await card.locator('select').selectOption('onsite');
  await card.getByLabel('不实（记入申请人信用记录）').check();
  await card.getByRole('button', { name: '提交核查结论' }).click();
  assert.equal(await card.locator('[role=status]').textContent(), '请填写核查情况');
  await card.locator('textarea').fill('现场核查：该地址为住宅，申请人未取得经营场所使用权');
  await card.screenshot({ path: shot('workbench-commitment-onsite-390.png') });
  await card.getByRole('button', { name: '提交核查结论' }).click();
  await p.locator('.flash', { hasText: '已记入申请人信用记录' }).waitFor();
  assert.match(await p.locator(`li[data-commitment="${PLACE}"]`).textContent(), /不实.*现场核查/s);
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();

  const mine = await pageAs(wang, 390);
  await mine.p.goto(`${base}/my/credit.html`);
  const rec = mine.p.locator('#records li.use').first();
  await rec.waitFor();
  const text = await rec.textContent();
  assert.match(text, /告知承诺不实/);
  assert.match(text, /未修复/);
  assert.match(text, /杭州市西湖区市场监督管理局记录/);
  assert.match(text, /该地址为住宅/);
  assert.match(text, new RegExp(no));
  assert.equal(await mine.p.locator('nav[aria-label="我的"] a[aria-current=page]').textContent(), '信用记录');
  assert.ok(await noSideways(mine.p), 'no sideways scrolling at 390 px');
  await axeClean(mine.p, 'credit records');
  await mine.p.screenshot({ path: shot('credit-records-390.png'), fullPage: true });
  await mine.p.goto(`${base}/my/case.html?no=${no}`);
  await mine.p.locator('#commitments li').waitFor();
  assert.match(await mine.p.textContent('#commitments'), /经核查不实：现场核查/);
  assert.deepEqual(unexpectedErrors(mine.errors, []), []);
  await mine.ctx.close();
});

test('一窗受理: the window clerk takes 张三\'s signed commitment letter instead of the lease', async () => {
  const { ctx, p, errors } = await watchedPage(1280);
  await shellSignIn(p, '/window/', '330106198808081015'); // 王窗口
  await p.locator('#centre', { hasText: '杭州市西湖区政务服务中心' }).waitFor();
  await windowOpensShop(p, '33010619900101123X');
  await p.locator('tr[data-material="个体工商户登记（备案）申请书"] input.scan').setInputFiles(pdfFile('申请书.pdf'));
  const place = p.locator(`tr[data-material="${PLACE}"]`);
  assert.match(await place.textContent(), /申请人已签署告知承诺书（承诺：本人承诺对申报的经营场所依法享有使用权/);
  await place.locator('input.promise').check();
  await fillShopForm(p);
  await p.getByLabel('联系电话').fill('13900000001');
  await p.click('#submit');
  await p.locator('#outcome p.ok').waitFor();
  assert.match(await p.textContent('#doc'), new RegExp(`${PLACE}\\s*申请人已签署告知承诺书`));
  const no = (await p.textContent('#case-line')).match(/办件编号 (\S+)/)[1];
  const zhang = await apiSignIn('33010619900101123X');
  const c = (await apiAs(zhang, 'GET', `/api/v1/cases/${no}`)).body;
  assert.equal(c.materials.find((m) => m.name === PLACE).source, 'commitment');
  assert.equal(c.commitments[0].material, PLACE);
  assert.equal(c.commitments[0].state, 'pending');
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();
});
