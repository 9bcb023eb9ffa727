// Real service guides as published (issue #16, catalog format 2): two of
// tests/catalog/guides imported as an operator would (published here, so
// that the public sees them): 重庆 曾家镇's 生育服务证登记 (a township, no
// code, 即办件、承诺件 with the deciding situation, a complaint number written
// 023—65751638) and 山东 曲阜's 独生子女父母年老奖励扶助 (codes of
// Shandong's own scheme, no stated case kind or limits). A citizen finds
// each by what she types or by the printed code, reads 未公布 where the
// guide is silent, the source it was taken from, and is not offered an
// online application the catalog cannot yet handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  axeClean, base, importCatalog, noSideways, serve, shot, unexpectedErrors, watchedPage,
} from './harness.mjs';

serve();

function published(name) {
  const doc = JSON.parse(readFileSync(new URL(`../catalog/guides/${name}`, import.meta.url), 'utf8'));
  for (const it of doc.items) it.state = 'published';
  const file = join(mkdtempSync(join(tmpdir(), 'tongban-guide-')), name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

test('a real guide: found by what people type and by its printed code, 未公布 where it is silent, no online application', async () => {
  assert.match(importCatalog(published('08-chongqing-zengjia-birth-service-registration.json')), /1 item versions imported/);
  assert.match(importCatalog(published('04-shandong-qufu-only-child-parents-award.json')), /1 item versions imported/);
  const { ctx, p, errors } = await watchedPage(390);

  await p.goto(`${base}/services.html`);
  // The picker starts at this platform's province (浙江); the guide is 重庆's.
  await p.getByLabel('关键词').fill('生育服务证');
  await p.getByLabel('省').selectOption({ label: '重庆市' });
  await p.getByRole('button', { name: '查找' }).click();
  const link = p.getByRole('link', { name: '生育服务证登记' }).first();
  await link.waitFor();
  await link.click();
  await p.locator('#guide section').first().waitFor();
  const text = await p.textContent('#guide');
  assert.match(text, /办件类型即办件、承诺件/);
  assert.match(text, /何种情形即办户籍人口及时办理/);
  assert.match(text, /投诉电话023—65751638/);
  assert.match(text, /实施主体曾家镇/);
  assert.match(text, /办理流程未公布/);
  assert.match(text, /本指南录自.*生育登记服务/);
  // No address in the guide: where to turn instead, not a window "地址未公布".
  assert.match(text, /办理地点未公布，请以本页末尾所列原发布页面为准/);
  assert.doesNotMatch(text, /登录后可查看哪些材料平台已有/);
  assert.equal(await p.getByRole('link', { name: '在线申请' }).count(), 0);
  assert.ok(await noSideways(p));
  await axeClean(p, 'guide 08');
  await p.screenshot({ path: shot('guide-real-390.png'), fullPage: true });

  // Nothing found: the page says what to try.
  await p.goto(`${base}/services.html`);
  await p.getByLabel('关键词').fill('护照');
  await p.getByRole('button', { name: '查找' }).click();
  await p.locator('#count', { hasText: '可以换个说法' }).waitFor();

  // Shandong's basic code, as printed, finds its item.
  await p.goto(`${base}/services.html`);
  await p.getByLabel('关键词').fill('JN370881WJW372023023000');
  await p.getByLabel('省').selectOption({ label: '山东省' });
  await p.getByRole('button', { name: '查找' }).click();
  await p.getByRole('link', { name: '城镇其他居民中独生子女父母年老奖励扶助' }).first().click();
  await p.locator('#guide section').first().waitFor();
  const t2 = await p.textContent('#guide');
  assert.match(t2, /基本编码：JN370881WJW372023023000；实施编码：11370881004339781C4372023023000/);
  assert.match(t2, /承诺时限1 个工作日/);
  assert.match(t2, /法定时限未公布/);
  assert.match(t2, /指南原文法定办结时限：无时限/);
  assert.match(t2, /本平台暂不受理本事项的网上申请（办事指南未载明办件类型、法定时限）/);
  assert.equal(await p.getByRole('link', { name: '在线申请' }).count(), 0);
  assert.deepEqual(unexpectedErrors(errors, []), []);
  await ctx.close();
});
