// Data sharing (issue #15) as the people it concerns see it, on a phone:
// 张三 reads who checked his data (the demo's 西湖区民政局 for his marriage
// case); 李四's business applies for 食品经营许可 and its 营业执照 is not
// asked for: the apply page says it will be checked online, the
// submission checks it, and the business then finds that check on its
// own 数据使用记录 page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs, apiSignIn, axeClean, base, noSideways, openDraft, serve, shot, unexpectedErrors,
  pageAs, uploadAs,
} from './harness.mjs';

serve();

const FOOD = '11330106024892795E4010020301001';
const TECH = '91330106MA2H3K7L3H';

test('数据使用记录: 张三 sees which department and official checked what, why, for which case', async () => {
  const zhang = await apiSignIn('33010619900101123X');
  const { ctx, p, errors } = await pageAs(zhang, 360);
  await p.goto(`${base}/my/data-usage.html`);
  await p.locator('#uses li.use').first().waitFor();
  const text = await p.textContent('#uses');
  assert.match(text, /杭州市西湖区民政局/);
  assert.match(text, /工作人员 陈民政/);
  assert.match(text, /居民户籍信息：查询字段：姓名、户籍地址、户籍状态/);
  assert.match(text, /婚姻登记信息：核验：婚姻状况为未婚/);
  assert.match(text, /用途：办理内地居民结婚登记/);
  assert.equal(await p.locator('#uses a[href^="/my/case.html?no="]').count() >= 2, true);
  assert.equal(await p.locator('nav[aria-label="我的"] a[aria-current=page]').textContent(), '数据使用记录');
  assert.ok(await noSideways(p), 'no sideways scrolling at 360 px');
  await axeClean(p, 'data usage');
  await p.screenshot({ path: shot('data-usage-360.png'), fullPage: true });
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();
});

test('食品经营许可: the business licence is checked online at submission, not asked for, and the business sees the check', async () => {
  const biz = await apiSignIn('330106198505052313');
  assert.equal((await apiAs(biz, 'POST', '/api/v1/auth/act-for', { credit_code: TECH })).status, 200);
  const { no } = await openDraft(biz, FOOD, {
    经营场所: '浙江省杭州市西湖区文三路90号', 主体业态: '餐饮服务经营者', 经营项目: '热食类食品制售', 联系电话: '13900000002',
  });
  for (const m of ['食品经营许可申请书', '法定代表人（负责人、经营者）居民身份证', '与食品经营相适应的主要设备设施布局、操作流程等文件']) {
    await uploadAs(biz, no, m);
  }
  const { ctx, p, errors } = await pageAs(biz, 390);
  await p.goto(`${base}/apply.html?item=${FOOD}`);
  await p.locator('#fields .field').first().waitFor();
  await p.click('#appform button[type=submit]');
  await p.locator('#step-materials:not([hidden])').waitFor();
  const licence = p.locator('tr[data-material="营业执照"]');
  assert.match(await licence.textContent(), /在线核验，无需上传/);
  await p.screenshot({ path: shot('apply-online-check-390.png'), fullPage: true });
  await p.click('#to-review');
  await p.locator('#step-review:not([hidden])').waitFor();
  assert.match(await p.textContent('label[for=promise], #step-review'), /同意办理部门通过数据共享在线核验/);
  await p.check('#promise');
  await p.click('#submit');
  await p.locator('#done:not([hidden])').waitFor();

  // The case counts the licence as verified online.
  const c = (await apiAs(biz, 'GET', `/api/v1/cases/${no}`)).body;
  assert.equal(c.materials.find((m) => m.name === '营业执照').source, 'sharing');
  // The business's own record of the check.
  await p.goto(`${base}/my/data-usage.html`);
  await p.locator('#uses li.use').first().waitFor();
  const first = await p.locator('#uses li.use').first().textContent();
  assert.match(first, /杭州市西湖区市场监督管理局/);
  assert.match(first, /提交申请时平台在线核验（经您同意）/);
  assert.match(first, /市场主体登记信息：核验：持有有效营业执照/);
  assert.match(first, new RegExp(no));
  assert.match(await p.textContent('h1'), /杭州西湖示例科技有限公司的数据使用记录/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await p.screenshot({ path: shot('data-usage-business-390.png'), fullPage: true });
  // The apply page opens the draft: 409 names the one already open.
  assert.deepEqual(unexpectedErrors(errors, [[409, '/api/v1/cases']]), []);
  await ctx.close();
});

test('数据共享 console: the police\'s sharing officer answers an application with fewer fields; a supervisor sees every application', async () => {
  const police = await apiSignIn('330105198404045011'); // 周共享, 杭州市公安局
  const { ctx, p, errors } = await pageAs(police, 390);
  await p.goto(`${base}/sharing/`);
  assert.equal(await p.locator('.topnav a[aria-current=page]').textContent(), '数据共享');
  const pending = p.locator('.grants li', { hasText: '杭州市西湖区人力资源和社会保障局 申请使用「居民户籍信息」' });
  await pending.waitFor();
  assert.match(await pending.textContent(), /待答复/);
  assert.match(await pending.textContent(), /应于 .* 前答复/);
  assert.match(await p.textContent('main'), /杭州市公安局共享的资源/);
  assert.match(await p.textContent('main'), /在押人员信息/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await axeClean(p, 'sharing console');
  await p.screenshot({ path: shot('sharing-console-390.png'), fullPage: true });
  // Grant only 户籍状态 of the two fields asked.
  await pending.locator('label', { hasText: '姓名' }).locator('input').uncheck();
  await pending.getByRole('button', { name: '批准', exact: true }).click();
  await p.locator('#flash', { hasText: '已批准' }).waitFor();
  const done = p.locator('.grants li', { hasText: '杭州市西湖区人力资源和社会保障局 申请使用「居民户籍信息」' });
  assert.match(await done.textContent(), /已批准/);
  assert.match(await done.textContent(), /获准信息项：户籍状态；/);
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();

  const supervisor = await apiSignIn('330106198303036024'); // 吴监督
  const s = await pageAs(supervisor, 390);
  await s.p.goto(`${base}/sharing/`);
  await s.p.locator('.grants li').first().waitFor();
  assert.match(await s.p.textContent('main'), /共享申请（逾期未答复 0 件）/);
  assert.ok(await s.p.locator('.grants li').count() >= 4);
  assert.equal(await s.p.locator('.grants button').count(), 0, 'a supervisor reads, never answers');
  await axeClean(s.p, 'sharing supervision');
  assert.deepEqual(unexpectedErrors(s.errors, []), []);
  await s.ctx.close();
});

test('在线核验 on the workbench: 陈民政 checks 张三\'s marital status for his marriage case; refusals shown in Chinese', async () => {
  const registrar = await apiSignIn('33010619871111401X'); // 陈民政, approver of 西湖区民政局
  const zhang = await apiSignIn('33010619900101123X');
  const cases = (await apiAs(zhang, 'GET', '/api/v1/cases?limit=200')).body.items;
  const marriage = cases.find((c) => c.item === '11330106024903108G4070081601000');
  const { ctx, p, errors } = await pageAs(registrar, 390);
  await p.goto(`${base}/workbench/case.html?no=${marriage.case_no}`);
  await p.locator('#check-resource').waitFor();
  await p.selectOption('#check-resource', { label: '婚姻登记信息（杭州市民政局）' });
  await p.locator('#check-what label', { hasText: '婚姻状况为已婚' }).locator('input').check();
  await p.getByRole('button', { name: '核验', exact: true }).click();
  await p.locator('#check-answer p.ok', { hasText: '婚姻状况为已婚：是' }).waitFor();
  assert.match(await p.textContent('#check-answer'), /申请人可在“数据使用记录”中看到/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await axeClean(p, 'workbench online check');
  await p.screenshot({ path: shot('workbench-online-check-390.png'), fullPage: true });
  // Not granted: 社会保险 is refused, said why in Chinese.
  await p.selectOption('#check-resource', { label: '社会保险参保缴费信息（浙江省人力资源和社会保障厅）' });
  await p.locator('#check-what label', { hasText: '正常参保' }).locator('input').check();
  await p.getByRole('button', { name: '核验', exact: true }).click();
  await p.locator('#check-answer p.bad').waitFor();
  assert.equal(await p.textContent('#check-answer p.bad'), '未能核验：本部门未获得该资源的共享授权');
  assert.deepEqual(unexpectedErrors(errors, [[403, '/api/v1/verify']]), []);
  await ctx.close();
});

test('出件 on the workbench: the approver chooses how the result is delivered, in Chinese', async () => {
  const registrar = await apiSignIn('33010619871111401X');
  const zhang = await apiSignIn('33010619900101123X');
  const cases = (await apiAs(zhang, 'GET', '/api/v1/cases?limit=200')).body.items;
  const marriage = cases.find((c) => c.item === '11330106024903108G4070081601000');
  const { ctx, p, errors } = await pageAs(registrar, 390);
  await p.goto(`${base}/workbench/case.html?no=${marriage.case_no}`);
  await p.locator('button[data-event=hand_out]', { hasText: '出件（送达）' }).click();
  await p.locator('#form-hand_out input[value=post]').check();
  await p.click('#form-hand_out button[type=submit]');
  // Posted without saying how: refused beside the opinion, in Chinese.
  await p.locator('#form-hand_out .field-error').waitFor();
  assert.match(await p.textContent('#form-hand_out .field-error'), /[\u4e00-\u9fff]/);
  await p.locator('#form-hand_out input[value=window]').check();
  await p.click('#form-hand_out button[type=submit]');
  await p.locator('.history', { hasText: '窗口领取' }).waitFor();
  assert.match(await p.textContent('main'), /配偶姓名/);
  assert.deepEqual(unexpectedErrors(errors, [[400, `/api/v1/cases/${marriage.case_no}/events`]]), []);
  await ctx.close();
});

test('数据共享 console: the police\'s sharing officer registers a resource, is told what is wrong in Chinese, and edits it', async () => {
  const police = await apiSignIn('330105198404045011'); // 周共享, 杭州市公安局
  const { ctx, p, errors } = await pageAs(police, 390);
  await p.goto(`${base}/sharing/`);
  await p.getByRole('button', { name: '登记新资源' }).click();
  const form = p.locator('form.resource-editor');
  await form.getByLabel(/资源代码/).fill('101005001/000001');
  await form.getByLabel('资源名称').fill('机动车驾驶证信息');
  await form.getByLabel(/摘要/).fill('驾驶证的准驾车型、有效期和状态，由公安交通管理部门维护。');
  await form.getByLabel('共享类型').selectOption('unconditional');
  await form.getByLabel('更新周期').selectOption('realtime');
  await form.getByRole('button', { name: '添加信息项' }).click();
  await form.getByLabel('信息项 2 名称').fill('驾驶证状态');
  await form.getByRole('button', { name: '添加可核验事项' }).click();
  await form.getByLabel(/可核验事项 1 代码/).fill('licence_ok');
  await form.getByLabel('可核验事项 1 说明').fill('驾驶证状态正常');
  await form.getByLabel('可核验事项 1 信息项').selectOption('驾驶证状态');
  await form.getByLabel(/可核验事项 1 值/).fill('正常');
  // A field named twice: refused, said where and why in Chinese.
  await form.getByRole('button', { name: '添加信息项' }).click();
  await form.getByLabel('信息项 3 名称').fill('姓名');
  await form.getByRole('button', { name: '登记资源' }).click();
  await form.locator('[role=alert]', { hasText: '信息项第 3 项的名称' }).waitFor();
  assert.equal(await form.locator('[role=alert]').textContent(), '未能保存：信息项第 3 项的名称：名称重复');
  await form.screenshot({ path: shot('sharing-register-390.png') });
  await form.locator('ol.fields li').nth(2).getByRole('button', { name: '删除' }).click();
  await form.getByRole('button', { name: '登记资源' }).click();
  await p.locator('#flash', { hasText: '已登记「机动车驾驶证信息」' }).waitFor();
  const item = p.locator('li[data-resource="101005001/000001"]');
  assert.match(await item.textContent(), /可在线核验：驾驶证状态正常/);
  // Edit: a second check, the summary changed.
  await item.getByRole('button', { name: '编辑机动车驾驶证信息' }).click();
  const edit = p.locator('form.resource-editor');
  assert.equal(await edit.getByLabel(/资源代码/).getAttribute('readonly'), '');
  await edit.getByLabel(/摘要/).fill('驾驶证的准驾车型和状态，由公安交通管理部门实时提供。');
  await edit.getByRole('button', { name: '添加信息项' }).click();
  await edit.getByLabel('信息项 3 名称').fill('准驾车型');
  await edit.getByRole('button', { name: '添加可核验事项' }).click();
  await edit.getByLabel(/可核验事项 2 代码/).fill('may_drive_car');
  await edit.getByLabel('可核验事项 2 说明').fill('准驾车型含小型汽车');
  await edit.getByLabel('可核验事项 2 信息项').selectOption('准驾车型');
  await edit.getByLabel('可核验事项 2 条件').selectOption('in');
  await edit.getByLabel(/可核验事项 2 值/).fill('C1、C2、B1、B2、A1、A2');
  await axeClean(p, 'resource editor');
  await edit.getByRole('button', { name: '保存修改' }).click();
  await p.locator('#flash', { hasText: '已保存「机动车驾驶证信息」' }).waitFor();
  const saved = (await apiAs(police, 'GET', '/api/v1/sharing/resources/101005001/000001')).body;
  assert.equal(saved.summary, '驾驶证的准驾车型和状态，由公安交通管理部门实时提供。');
  assert.deepEqual(saved.assertions[1], {
    name: 'may_drive_car', label: '准驾车型含小型汽车', field: '准驾车型', op: 'in', value: ['C1', 'C2', 'B1', 'B2', 'A1', 'A2'],
  });
  assert.equal(saved.provider.name, '杭州市公安局');
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  assert.deepEqual(unexpectedErrors(errors, [[400, '/api/v1/sharing/resources']]), []);
  await ctx.close();
});
