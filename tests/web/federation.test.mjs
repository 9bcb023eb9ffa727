// 跨省通办 in the pages (issue 18), with two real platforms: 浙江 (the
// demo this harness serves) and 广东 (a second server, the second demo:
// --demo --province 440000), registered as each other's peers over the
// API by their administrators (郑管理, 邓管理). On a phone, 张三 of 浙江 opens 广东's "我的办件",
// finds "使用浙江政务服务网账号登录" under the sign-in form, signs in at
// 浙江, reads what will be given to 广东 and agrees, and arrives at 广东
// signed in as himself, on the page he came from, without registering.
// Then, after 浙江's administrator synced 广东's offered items: 张三
// searches 浙江's services for 异地就医, finds 广东's 跨省异地就医备案 under
// 跨省通办, reads its guide (广东's, with the ways to apply from 浙江), and
// is taken to 广东's application page for it, signed in with his 浙江
// account. Last, 浙江's window clerk 王窗口 receives 张三's application for
// 广东's 个体工商户设立登记 at the counter (异地代收代办), with the form 广东's
// guide asks for and a scan of each material, forwards it, and sees it
// submitted at 广东 with 广东's case number. And 多地联办: 张三 applies once, at
// 浙江, to move his household registration from 广州 to 杭州; 浙江's police
// reviewer 褚户政 sends the leaving part (户口迁出) to 广东 from the
// workbench, on a phone; 广东's police decide it; 褚户政 and 张三 both see
// it approved and completed there, step by step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiAs, apiSignIn, base, noSideways, pageAs, pdfFile, serve, shot, uploadAs, watchedPage,
} from './harness.mjs';

serve();

const bin = process.env.TB_TEST_BIN || 'build/tongban';
const GD_ADMIN = '44010619820202701X'; // 邓管理
let gd; // {server, base, dir}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-web-gd-'));
  const env = { ...process.env, TB_PWHASH_MEM_KIB: '8192', TB_PWHASH_OPS: '1' };
  const server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', dir, '--demo', '--province', '440000', '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'], env });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (?:http:\/\/)?(127\.0\.0\.1:\d+)/);
      if (m) resolve(`http://${m[1]}`);
    });
    server.on('exit', (code) => reject(new Error(`广东 exited with ${code}`)));
  });
  gd = { server, base: url, dir };
});

after(async () => {
  if (gd?.server.exitCode === null) {
    const done = new Promise((resolve) => gd.server.on('exit', resolve));
    gd.server.kill('SIGTERM');
    await done;
  }
  if (gd) rmSync(gd.dir, { recursive: true, force: true });
});

// Signs in at the platform at url; answers {url, cookie, csrf}.
async function signInAt(url, login) {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: 'tongban-demo' }),
  });
  assert.equal(r.status, 200);
  return { url, cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}

// The same page on a desktop screen: nothing wider than it, and a picture.
async function wide(p, name) {
  await p.setViewportSize({ width: 1280, height: 900 });
  assert.ok(await noSideways(p), `no sideways scrolling at 1280 px (${name})`);
  await p.screenshot({ path: shot(name), fullPage: true });
}

async function post(s, path, body) {
  const r = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}


test('federation: the administrators register each other\'s platform on /admin/, and 浙江\'s 张三 signs in at 广东 with his 浙江 account, on a phone', async () => {
  // Each administrator, on their own /admin/, registers the other with the
  // public key shown on the other's page; a bad address is refused beside
  // its field; 测试连接 is delivered.
  const admin = async (url, login) => {
    const w = await watchedPage(390);
    await w.p.goto(`${url}/admin/`);
    await w.p.fill('#si-id', login);
    await w.p.fill('#si-pw', 'tongban-demo');
    await w.p.click('#signin button[type=submit]');
    await w.p.locator('#self textarea').waitFor();
    return w;
  };
  const zjA = await admin(base, '330106198202027014');
  const gdA = await admin(gd.base, GD_ADMIN);
  const register = async (w, province, name, url, pem) => {
    await w.p.fill('#peer-province', province);
    await w.p.fill('#peer-name', name);
    await w.p.fill('#peer-url', url);
    await w.p.fill('#peer-pem', pem);
    await w.p.click('#peer-form button[type=submit]');
  };
  await register(zjA, '440000', '广东政务服务网', 'ftp://127.0.0.1/', await gdA.p.locator('#self textarea').inputValue());
  await zjA.p.locator('#peer-url[aria-invalid=true] + .field-error').waitFor();
  await register(zjA, '440000', '广东政务服务网', gd.base, await gdA.p.locator('#self textarea').inputValue());
  await zjA.p.locator('#peers h3', { hasText: '广东政务服务网' }).waitFor();
  await register(gdA, '330000', '浙江政务服务网', base, await zjA.p.locator('#self textarea').inputValue());
  await gdA.p.locator('#peers h3', { hasText: '浙江政务服务网' }).waitFor();
  await zjA.p.click('#peers button:has-text("测试连接")');
  await zjA.p.locator('#peers [role=status]', { hasText: '已向广东政务服务网发送测试消息' }).waitFor();
  await zjA.p.waitForTimeout(1000);
  await zjA.p.click('#outbox button:has-text("已投递")');
  await zjA.p.locator('#outbox li', { hasText: '测试连接 → 广东政务服务网' }).waitFor();
  assert.ok(await noSideways(zjA.p), 'no sideways scrolling on /admin/ at 390 px');
  await zjA.p.screenshot({ path: shot('federation-0-admin-at-zj.png'), fullPage: true });
  for (const w of [zjA, gdA]) {
    assert.deepEqual(w.errors.filter((e) => !/status of 400/.test(e)), []);
    await w.ctx.close();
  }

  const { ctx, p, errors, dialogs } = await watchedPage(360);
  await p.goto(`${gd.base}/my/`);
  const link = p.locator('.federated a', { hasText: '使用浙江政务服务网账号登录' });
  await link.waitFor();
  await p.screenshot({ path: shot('federation-1-signin-at-gd.png'), fullPage: true });
  await link.click();

  // At 浙江: sign in, then read what goes to 广东.
  await p.waitForURL(`${base}/federation/go.html?to=440000&next=%2Fmy%2F`);
  await p.fill('#si-id', '33010619900101123X');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  const agree = p.locator('button', { hasText: '同意并前往广东政务服务网' });
  await agree.waitFor();
  const facts = await p.locator('dl.facts').innerText();
  assert.match(facts, /张三/);
  assert.match(facts, /330106\*{8}123X/);
  assert.match(facts, /已通过本平台实名核验/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 360 px');
  await p.screenshot({ path: shot('federation-2-consent-at-zj.png'), fullPage: true });
  await agree.click();

  // At 广东: welcomed, signed in, and on the page he came from.
  await p.waitForURL(`${gd.base}/federation/arrive.html`);
  await p.locator('h2', { hasText: '欢迎，张三' }).waitFor();
  assert.ok(!p.url().includes('#'), 'the assertion is taken out of the address');
  await p.screenshot({ path: shot('federation-3-arrived-at-gd.png'), fullPage: true });
  await p.waitForURL(`${gd.base}/my/`);
  await p.locator('.topnav .who', { hasText: '张三' }).waitFor();

  // The same assertion again (the browser's back button, a copied link): refused.
  const gdAdmin = await signInAt(gd.base, GD_ADMIN);
  const history = await (await fetch(`${gd.base}/api/v1/audit?actor=peer:330000`, {
    headers: { cookie: gdAdmin.cookie },
  })).json();
  assert.ok(JSON.stringify(history).includes('account.federated'));
  await p.goto(`${gd.base}/federation/arrive.html#a=%7B%7D&s=00`);
  await p.locator('h2', { hasText: '登录未成功' }).waitFor();

  assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
  assert.deepEqual(dialogs, []);
  await ctx.close();
});

test('federation: 广东\'s offered items are found at 浙江 and applied for online at 广东', async () => {
  const zjAdmin = await signInAt(base, '330106198202027014');
  const r = await post(zjAdmin, '/api/v1/federation/peers/1/catalog-sync', {});
  assert.equal(r.status, 202, JSON.stringify(r.body));
  for (let i = 0; i < 100; i++) {
    const j = await (await fetch(`${base}/api/v1/federation/items`)).json();
    if (j.total === 7) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const { ctx, p, errors, dialogs } = await watchedPage(360);
  await p.goto(`${base}/services.html?q=${encodeURIComponent('异地就医')}`);
  const found = p.locator('#across a', { hasText: '跨省异地就医备案（广东政务服务网 · 广州市医疗保障局）' });
  await found.waitFor();
  await p.locator('.topnav .brand small', { hasText: '浙江省' }).waitFor();
  assert.ok(await noSideways(p), 'no sideways scrolling at 360 px');
  await p.screenshot({ path: shot('federation-4-found-at-zj.png'), fullPage: true });
  await found.click();
  await p.locator('.notice', { hasText: '本事项由广东政务服务网提供' }).waitFor();
  assert.match(await p.locator('#guide').innerText(), /广州市医疗保障局/);
  await p.screenshot({ path: shot('federation-5-guide-at-zj.png'), fullPage: false });
  await p.locator('a', { hasText: '用本平台账号到广东政务服务网在线申请' }).click();
  await p.fill('#si-id', '33010619900101123X');
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  await p.locator('button', { hasText: '同意并前往广东政务服务网' }).click();
  await p.waitForURL(`${gd.base}/apply.html?item=11440100025006206Q3200072502000`, { timeout: 15000 });
  await p.locator('.topnav .brand small', { hasText: '广东省' }).waitFor();
  await p.locator('h2', { hasText: '跨省异地就医备案' }).waitFor();
  await p.screenshot({ path: shot('federation-6-apply-at-gd.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(dialogs, []);
  await ctx.close();
});

test('federation: 浙江\'s window receives an application for 广东\'s item and forwards it (异地代收代办)', async () => {
  const { ctx, p, errors, dialogs } = await watchedPage(390);
  await p.goto(`${base}/window/`);
  await p.fill('#si-id', '330106198808081015'); // 王窗口
  await p.fill('#si-pw', 'tongban-demo');
  await p.click('#signin button[type=submit]');
  await p.locator('#across').waitFor();
  await p.fill('#across-q', '个体工商户');
  await p.click('#across-find button');
  await p.locator('#across-items button', { hasText: '个体工商户设立登记（广东政务服务网' }).click();
  await p.fill('#across-name', '张三');
  await p.fill('#across-id', '33010619900101123X');
  await p.fill('#across-phone', '13900000001');
  const values = {
    经营者姓名: '张三', 经营者身份证件号码: '33010619900101123X', 联系电话: '13900000001',
    经营场所: '广州市天河区天河路385号', 组成形式: '个人经营', 经营范围: '日用百货零售', 资金数额: '10', 从业人数: '2',
  };
  for (const [k, v] of Object.entries(values)) await p.fill(`#across-fields input[data-name="${k}"]`, v);
  // A wrong identity number is refused beside its field, nothing sent.
  await p.fill('#across-id', '330106199001011230');
  for (const i of await p.locator('#across-files input[type=file]').all()) await i.setInputFiles(pdfFile('scan.pdf'));
  await p.click('#across-form button[type=submit]');
  await p.locator('#across-id[aria-invalid=true] + .field-error').waitFor();
  await p.fill('#across-id', '33010619900101123X');
  await p.click('#across-form button[type=submit]');
  await p.locator('#forwards p.ok', { hasText: '已转广东政务服务网办理' }).waitFor();
  // 广东 makes it a case and submits it; the state comes back.
  let text = '';
  for (let i = 0; i < 30 && !/已提交/.test(text); i++) {
    await p.waitForTimeout(500);
    await p.reload();
    await p.locator('#forwards li').first().waitFor();
    text = await p.locator('#forwards').innerText();
  }
  assert.match(text, /个体工商户设立登记\s*已提交/);
  assert.match(text, /对方办件编号 11440106024861868N4010010201000\d{12}/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await p.screenshot({ path: shot('federation-7-window-forwarded.png'), fullPage: true });

  // 广东 decides it; the 营业执照 is handed out at this window (统一窗口出件).
  const gdNo = text.match(/对方办件编号 (\S+)/)[1];
  const gdReviewer = await signInAt(gd.base, '440106198707072027'); // 黄审核
  const gdApprover = await signInAt(gd.base, '440106198606063017'); // 梁审批
  for (const [who, body] of [
    [gdReviewer, { event: 'accept' }], [gdReviewer, { event: 'review' }],
    [gdApprover, { event: 'approve', opinion: '准予登记' }],
    [gdApprover, {
      event: 'complete',
      certificate: {
        holder: { code: '92330106MA2T000150', name: '张三日用百货店' },
        face: { entity_type: '个体工商户', address: '广州市天河区天河路385号', business_scope: '日用百货零售' },
      },
    }]]) {
    const x = await post(who, `/api/v1/cases/${gdNo}/events`, body);
    assert.equal(x.status, 200, JSON.stringify(x.body));
  }
  const done = p.locator('#forwards li', { hasText: '对方已办结' }).first();
  for (let i = 0; i < 30 && !(await done.count()); i++) {
    await p.waitForTimeout(500);
    await p.reload();
    await p.locator('#forwards li').first().waitFor();
  }
  await done.locator('text=对方已办结，请通知申请人领取（联系电话 13900000001）。').waitFor();
  await p.screenshot({ path: shot('federation-7b-window-hand-out.png'), fullPage: true });
  await done.locator('button', { hasText: '申请人已在窗口领取' }).click();
  await p.locator('#forwards li', { hasText: '已在本窗口领取' }).first().waitFor();
  await wide(p, 'federation-7c-window-handed-out-1280.png');
  assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
  assert.deepEqual(dialogs, []);
  await ctx.close();
});

test('federation: 浙江 and 广东 handle one move of household registration jointly (多地联办)', async () => {
  const MOVE_IN = '1133010002485155523010051002000';
  const zhang = await apiSignIn('33010619900101123X');
  const police = await apiSignIn('330102198612125025'); // 褚户政
  let r = await apiAs(zhang, 'POST', '/api/v1/cases', {
    item: MOVE_IN,
    form: { 迁出地址: '广州市天河区体育西路1号', 迁入地址: '杭州市西湖区文三路100号' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const no = r.body.case_no;
  for (const m of ['申请人居民身份证', '居民户口簿', '落户条件证明材料']) await uploadAs(zhang, no, m);
  for (const [who, ev] of [[zhang, 'submit'], [police, 'accept'], [police, 'review']]) {
    r = await apiAs(who, 'POST', `/api/v1/cases/${no}/events`, { event: ev });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  // 褚户政 sends the part from the workbench.
  const { ctx, p, errors, dialogs } = await pageAs(police, 390);
  await p.goto(`${base}/workbench/case.html?no=${no}`);
  const card = p.locator('#joint');
  await card.locator('text=迁出地公安机关办理户口迁出').waitFor();
  assert.match(await p.locator('#joint-offer').innerText(), /广东政务服务网 · 户口迁出（跨省迁移）/);
  await p.click('#joint-form button[type=submit]');
  await p.locator('.flash', { hasText: '已推送广东政务服务网办理' }).waitFor();
  await card.locator('text=对方平台批准并办结前，本办件不能批准。').waitFor();
  assert.ok(await noSideways(p), 'no sideways scrolling at 390 px');
  await p.screenshot({ path: shot('federation-8-joint-sent.png'), fullPage: true });

  // 广东 decides its part.
  let gdNo = null;
  for (let i = 0; i < 40 && !gdNo; i++) {
    await new Promise((ok) => setTimeout(ok, 250));
    const j = await apiAs(police, 'GET', `/api/v1/cases/${no}/joint`);
    gdNo = j.body.parts?.[0]?.peer_case_no;
  }
  assert.ok(gdNo, '广东 made the part a case');
  const gdPolice = await signInAt(gd.base, '44010419860606501X'); // 许户政
  const gdChief = await signInAt(gd.base, '440104198712126023'); // 郭户籍
  for (const [who, ev] of [[gdPolice, 'accept'], [gdPolice, 'review'], [gdChief, 'approve'], [gdChief, 'complete']]) {
    const x = await post(who, `/api/v1/cases/${gdNo}/events`, { event: ev, opinion: '同意迁出' });
    assert.equal(x.status, 200, JSON.stringify(x.body));
  }
  let text = '';
  for (let i = 0; i < 30 && !/对方已批准并办结/.test(text); i++) {
    await p.waitForTimeout(500);
    await p.reload();
    await card.waitFor();
    text = await card.innerText();
  }
  assert.match(text, /对方已批准并办结，本办件可以作出审批决定。/);
  assert.match(text, /批准 → 已批准/);
  await p.screenshot({ path: shot('federation-9-joint-done.png'), fullPage: true });
  await wide(p, 'federation-9-joint-done-1280.png');
  assert.deepEqual(errors, []);
  assert.deepEqual(dialogs, []);
  await ctx.close();

  // 张三 follows it on his own page.
  const mine = await pageAs(zhang, 360);
  await mine.p.goto(`${base}/my/case.html?no=${no}`);
  await mine.p.locator('#joint', { hasText: '对方已办结' }).waitFor();
  assert.ok(await noSideways(mine.p), 'no sideways scrolling at 360 px');
  await mine.p.screenshot({ path: shot('federation-10-joint-applicant.png'), fullPage: true });
  await wide(mine.p, 'federation-10-joint-applicant-1280.png');
  assert.deepEqual(mine.errors, []);
  await mine.ctx.close();
});

test('federation: a certificate issued at 广东 verifies at 浙江 (跨省互认), on a phone', async () => {
  // 广州市公安局 issues 陈粤's 居民户口簿; 浙江 syncs 广东's keys with its catalog.
  const gdChief = await signInAt(gd.base, '440104198712126023'); // 郭户籍
  let r = await post(gdChief, '/api/v1/certificates', {
    type: '居民户口簿', department: '11440100024830930B',
    holder: { code: '440106199203151236', name: '陈粤' },
    face: { household_type: '家庭户', address: '广州市天河区体育西路1号' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const doc = await (await fetch(`${gd.base}/api/v1/certificates/${encodeURIComponent(r.body.identifier)}`, {
    headers: { cookie: gdChief.cookie },
  })).json();
  const admin = await apiSignIn('330106198202027014');
  r = await apiAs(admin, 'POST', '/api/v1/federation/peers/1/catalog-sync', {});
  assert.equal(r.status, 202);
  let verdict = null;
  for (let i = 0; i < 50 && verdict?.status !== 'valid'; i++) {
    await new Promise((ok) => setTimeout(ok, 200));
    const v = await fetch(`${base}/api/v1/certificates/verify`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc),
    });
    verdict = await v.json();
  }
  assert.equal(verdict.status, 'valid');

  // Anyone at 浙江 checks the file 陈粤 shows.
  const { ctx, p, errors, dialogs } = await watchedPage(360);
  await p.goto(`${base}/verify.html`);
  await p.setInputFiles('#doc input[type=file]', { name: '居民户口簿.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await p.click('#doc button[type=submit]');
  await p.locator('#answer', { hasText: '签发平台' }).waitFor();
  const text = await p.locator('#answer').innerText();
  assert.match(text, /有效：由发证机关签发，签名核验通过/);
  assert.match(text, /广州市公安局/);
  assert.match(text, /此证照由广东政务服务网签发：签名已用该平台经跨省通办通道同步的密钥核验，注销状态已向该平台证照库查询。/);
  assert.ok(await noSideways(p), 'no sideways scrolling at 360 px');
  await p.screenshot({ path: shot('federation-11-certificate-across.png'), fullPage: true });
  await wide(p, 'federation-11-certificate-across-1280.png');
  assert.deepEqual(errors, []);
  assert.deepEqual(dialogs, []);
  await ctx.close();

  // 陈粤, signed in at 浙江 with his 广东 account, adds it to 我的电子证照
  // there: it is then used for his applications at 浙江.
  const chenGd = await signInAt(gd.base, '440106199203151236');
  const as = await post(chenGd, '/api/v1/federation/assertions', { audience: '330000' });
  const arrived = await fetch(`${base}/api/v1/auth/federated`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ assertion: as.body.assertion, signature: as.body.signature }),
  });
  assert.equal(arrived.status, 200);
  const chen = { cookie: arrived.headers.get('set-cookie').split(';')[0], csrf: (await arrived.json()).csrf_token };
  const mine = await pageAs(chen, 360);
  await mine.p.goto(`${base}/certificates.html`);
  await mine.p.locator('#across h2', { hasText: '外省电子证照' }).waitFor();
  await mine.p.setInputFiles('#across-form input[type=file]', { name: '居民户口簿.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await mine.p.click('#across-form button[type=submit]');
  await mine.p.locator('#across-msg', { hasText: '已核验并添加' }).waitFor();
  await mine.p.locator('#across-list', { hasText: '签发平台：广东政务服务网（已向该平台核验）' }).waitFor();
  assert.match(await mine.p.locator('#across-list').innerText(), /居民户口簿[\s\S]*广州市公安局[\s\S]*家庭户/);
  assert.ok(await noSideways(mine.p), 'no sideways scrolling at 360 px');
  await mine.p.screenshot({ path: shot('federation-12-certificate-brought.png'), fullPage: true });
  await wide(mine.p, 'federation-12-certificate-brought-1280.png');
  assert.deepEqual(mine.errors, []);
  await mine.ctx.close();
});
