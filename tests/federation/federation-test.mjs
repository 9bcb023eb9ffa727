// make federation-test (issue 18): two real platforms on loopback, 浙江
// (serve --demo) and 广东 (serve --demo --province 440000), each with its
// own store and keys. Their administrators register each other; 浙江 syncs
// 广东's offered items; then
//   1. 全程网办: 张三 of 浙江 takes his identity to 广东 and is signed in there;
//   2. 异地代收代办: 浙江's window forwards applications for 广东's
//      个体工商户设立登记 (each a different applicant, with three files);
//      广东 makes each a case and submits it, and the state comes back;
//   3. 多地联办: 陈粤 of 广东, signed in at 浙江 with his 广东 account, applies
//      once at 浙江 to move his household registration to 杭州 (户口迁入);
//      浙江's police send the leaving part to 广东 (户口迁出), where 广东's
//      police decide it; its steps come back; 浙江 approves only then;
//      his new 居民户口簿 (issued at 浙江) verifies at 广东 and he keeps it there;
//   4. the exchange under faults: bursts of messages while 广东, and then
//      浙江, is killed with kill -9 in the middle and started again on its
//      data: every message must arrive exactly once (received at the one
//      = delivered at the other = sent, no message id twice).
// It prints the exchange's throughput (messages a second between the two
// platforms), the latency of a forwarded case (from the window's POST
// to the state "submitted" back at the window) and of the joint part
// (from its sending to 广东's completion seen at 浙江). The last line is
//   federation-test: ok (N messages exactly once, F forwards, ...)
// and the exit status 0, or a line saying what failed and exit 1.
//
//   node tests/federation/federation-test.mjs [BIN]     (default build/tongban)
//   FED_MESSAGES (300) messages a burst, FED_FORWARDS (10) forwards.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = process.argv[2] || 'build/tongban';
const MESSAGES = Number(process.env.FED_MESSAGES ?? 300);
const FORWARDS = Number(process.env.FED_FORWARDS ?? 10);
const started = Date.now();
const log = (m) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failed = false;
function check(ok, what) {
  if (!ok) {
    failed = true;
    console.log(`FAILED: ${what}`);
  }
  return ok;
}

// ---- the platforms ------------------------------------------------------
const env = { ...process.env, TB_PWHASH_MEM_KIB: '8192', TB_PWHASH_OPS: '1', TB_EXCHANGE_RETRY_MAX_S: '1' };

function platform(name, args) {
  return { name, args, dir: mkdtempSync(join(tmpdir(), `tongban-fed-${name}-`)), port: 0, proc: null };
}

// Starts p (on its port once it has one, so that the peer's base URL holds).
async function start(p) {
  const listen = `127.0.0.1:${p.port}`;
  p.proc = spawn(bin, ['serve', '--listen', listen, '--data', p.dir, '--quiet', ...p.args], {
    stdio: ['ignore', 'pipe', 'pipe'], env,
  });
  p.proc.stderr.on('data', (d) => { p.err = (p.err || '') + d; });
  p.port = await new Promise((resolve, reject) => {
    let out = '';
    p.proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (?:http:\/\/)?127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    p.proc.on('exit', (code) => reject(new Error(`${p.name} exited with ${code}: ${(p.err || '').slice(-400)}`)));
  });
  p.base = `http://127.0.0.1:${p.port}`;
}

async function kill9(p) {
  const done = new Promise((r) => p.proc.on('exit', r));
  p.proc.kill('SIGKILL');
  await done;
}

async function stop(p) {
  if (!p.proc || p.proc.exitCode !== null) return;
  const done = new Promise((r) => p.proc.on('exit', r));
  p.proc.kill('SIGTERM');
  await done;
}

// ---- HTTP ----------------------------------------------------------------
async function signIn(p, login) {
  const r = await fetch(`${p.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: 'tongban-demo' }),
  });
  if (r.status !== 200) throw new Error(`sign-in of ${login} at ${p.name}: ${r.status}`);
  return { p, cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}

// s may be null (anonymous); s.p is the platform it belongs to.
async function call(s, method, path, body, p = s.p) {
  const headers = { 'Content-Type': 'application/json' };
  if (s) Object.assign(headers, { cookie: s.cookie, 'X-CSRF-Token': s.csrf });
  const r = await fetch(`${p.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

async function until(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// The message counts of the peer of province as p's administrator sees them.
async function counts(admin, province) {
  const r = await call(admin, 'GET', '/api/v1/federation/peers');
  const peer = (r.body.items || []).find((x) => x.province === province);
  return peer ? peer.messages : null;
}

// A valid identity number of 西湖区 that no demo person has (GB 11643).
let serial = 0;
function idNumber() {
  const body = `3301061985${String(1 + (serial % 12)).padStart(2, '0')}${String(1 + (serial % 28)).padStart(2, '0')}${String(500 + serial++).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n').toString('base64');
const SHOP = '11440106024861868N4010010201000'; // 广东's 个体工商户设立登记, offered across provinces
const MOVE_IN = '1133010002485155523010051002000'; // 浙江's 户口迁入（跨省迁移）, with a joint part
const MOVE_OUT = '11440100024830930B3010051003000'; // 广东's 户口迁出（跨省迁移）

// A person of home signs in at there with their home account (全程网办):
// the session there.
async function signInAcross(home, login, there, province) {
  const s = await signIn(home, login);
  const as = await call(s, 'POST', '/api/v1/federation/assertions', { audience: province });
  const r = await fetch(`${there.base}/api/v1/auth/federated`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ assertion: as.body.assertion, signature: as.body.signature }),
  });
  if (r.status !== 200) throw new Error(`${login} signing in at ${there.name}: ${r.status}`);
  return { p: there, cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}

async function upload(s, no, material) {
  const fd = new FormData();
  fd.append('material', material);
  fd.append('file', new Blob([Buffer.from(PDF, 'base64')], { type: 'application/pdf' }), 'scan.pdf');
  const r = await fetch(`${s.p.base}/api/v1/cases/${no}/materials`, {
    method: 'POST', headers: { cookie: s.cookie, 'X-CSRF-Token': s.csrf }, body: fd,
  });
  if (r.status !== 201) throw new Error(`upload of ${material}: ${r.status} ${await r.text()}`);
}

async function event(s, no, ev, want = 200, extra = {}) {
  const r = await call(s, 'POST', `/api/v1/cases/${no}/events`, { event: ev, opinion: '同意', ...extra });
  check(r.status === want, `${ev} of ${no} at ${s.p.name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

// 多地联办: 陈粤 of 广东 moves his household registration to 杭州.
async function jointly(zj, gd) {
  const chen = await signInAcross(gd, '440106199203151236', zj, '330000');
  let r = await call(chen, 'POST', '/api/v1/cases', {
    item: MOVE_IN,
    form: { 联系电话: '13600000001', 迁出地址: '广州市天河区体育西路1号', 迁入地址: '杭州市西湖区文三路100号' },
  });
  if (!check(r.status === 201, `陈粤 applies at 浙江: ${r.status} ${JSON.stringify(r.body)}`)) throw new Error('no case');
  const no = r.body.case_no;
  for (const m of ['申请人居民身份证', '居民户口簿', '落户条件证明材料']) await upload(chen, no, m);
  await event(chen, no, 'submit');
  const police = await signIn(zj, '330102198612125025'); // 褚户政
  const chief = await signIn(zj, '33010519850101601X'); // 卫户籍
  await event(police, no, 'accept');
  await event(police, no, 'review');
  r = await event(chief, no, 'approve', 409); // not before 广东's part
  check(r.body.field === 'joint', `approve refused on joint (${r.body.field})`);
  const t0 = Date.now();
  r = await call(police, 'POST', `/api/v1/cases/${no}/joint`, { peer: '440000', item: MOVE_OUT });
  check(r.status === 201, `the joint part sent: ${r.status} ${JSON.stringify(r.body)}`);
  const part = async (state) => {
    const j = (await call(police, 'GET', `/api/v1/cases/${no}/joint`)).body;
    const p = j.parts?.[0];
    return p && p.state === state ? p : null;
  };
  const sub = await until('the joint part submitted at 广东', () => part('submitted'));
  const submitted = Date.now() - t0;
  const gdPolice = await signIn(gd, '44010419860606501X'); // 许户政
  const gdChief = await signIn(gd, '440104198712126023'); // 郭户籍
  for (const [s, ev] of [[gdPolice, 'accept'], [gdPolice, 'review'], [gdChief, 'approve'], [gdChief, 'complete']]) {
    await event(s, sub.peer_case_no, ev);
  }
  const t1 = Date.now();
  const done = await until('the joint part completed, seen at 浙江', () => part('completed'));
  const back = Date.now() - t1;
  check(done.approved === true, 'the part was approved at 广东');
  await event(chief, no, 'approve');
  // The result: the 居民户口簿 of the new registration.
  await event(chief, no, 'complete', 200, {
    certificate: { face: { household_type: '家庭户', address: '杭州市西湖区文三路100号' } },
  });
  // 跨省互认: the new 居民户口簿, issued at 浙江, verifies at 广东 once 广东
  // synced 浙江's keys, and 陈粤 keeps it in his 广东 account.
  const c = (await call(chief, 'GET', `/api/v1/cases/${no}`)).body;
  const doc = (await call(chief, 'GET', `/api/v1/certificates/${c.certificates?.[0]}`)).body;
  const gdAdmin = await signIn(gd, '44010619820202701X');
  const synced = await call(gdAdmin, 'POST', '/api/v1/federation/peers/1/catalog-sync', {});
  check(synced.status === 202, `广东 syncs 浙江: ${synced.status}`);
  const verdict = await until('浙江\'s certificate valid at 广东', async () => {
    const v = await call(null, 'POST', '/api/v1/certificates/verify', doc, gd);
    return v.body.status === 'valid' ? v.body : null;
  });
  check(verdict.platform?.province === '330000' && verdict.register_checked === true,
    `verified at 广东 with 浙江's register: ${JSON.stringify(verdict.platform)} ${verdict.register_checked}`);
  const chenAtHome = await signIn(gd, '440106199203151236');
  const kept = await call(chenAtHome, 'POST', '/api/v1/me/certificates/across', { document: doc });
  check(kept.status === 201, `陈粤 keeps it at 广东: ${kept.status} ${JSON.stringify(kept.body)}`);
  return { case_no: no, gd_no: sub.peer_case_no, submitted, back, certificate: doc.record?.identifier };
}

async function main() {
  const zj = platform('zhejiang', ['--demo']);
  const gd = platform('guangdong', ['--demo', '--province', '440000']);
  const platforms = [zj, gd];
  try {
    await start(zj);
    await start(gd);
    log(`浙江 ${zj.base}, 广东 ${gd.base}`);
    let zjAdmin = await signIn(zj, '330106198202027014');
    let gdAdmin = await signIn(gd, '44010619820202701X');
    const self = async (p) => (await call(null, 'GET', '/api/v1/federation/self', undefined, p)).body;
    check((await call(zjAdmin, 'POST', '/api/v1/federation/peers', {
      province: '440000', name: '广东政务服务网', base_url: gd.base, public_pem: (await self(gd)).public_pem,
    })).status === 201, '浙江 registers 广东');
    check((await call(gdAdmin, 'POST', '/api/v1/federation/peers', {
      province: '330000', name: '浙江政务服务网', base_url: zj.base, public_pem: (await self(zj)).public_pem,
    })).status === 201, '广东 registers 浙江');
    await call(zjAdmin, 'POST', '/api/v1/federation/peers/1/catalog-sync', {});
    const offered = await until('广东\'s items at 浙江', async () => {
      const j = (await call(null, 'GET', '/api/v1/federation/items', undefined, zj)).body;
      return j.total >= 8 ? j.total : null;
    });
    log(`catalog: 广东 offers ${offered} items, synced to 浙江`);

    // 1. 全程网办.
    const zhang = await signIn(zj, '33010619900101123X');
    const as = await call(zhang, 'POST', '/api/v1/federation/assertions', { audience: '440000' });
    const arrived = await call(null, 'POST', '/api/v1/auth/federated',
      { assertion: as.body.assertion, signature: as.body.signature }, gd);
    check(arrived.status === 200 && arrived.body.account?.name === '张三', '张三 signs in at 广东 with his 浙江 account');
    const replay = await call(null, 'POST', '/api/v1/auth/federated',
      { assertion: as.body.assertion, signature: as.body.signature }, gd);
    check(replay.status === 401, 'the same assertion again is refused');
    log(`全程网办: 张三 signed in at 广东 (account ${arrived.body.account?.id}); a replay refused (${replay.status})`);

    // 2. 异地代收代办: forwards, each a different applicant.
    const clerk = await signIn(zj, '330106198808081015'); // 王窗口
    const latencies = [];
    const forwards = [];
    for (let i = 0; i < FORWARDS; i++) {
      const id = idNumber();
      const t0 = Date.now();
      const r = await call(clerk, 'POST', '/api/v1/federation/forwards', {
        peer: '440000', item: SHOP,
        applicant: { name: '测试申请人', id_number: id, phone: '13900000009' },
        form: {
          经营者姓名: '测试申请人', 经营者身份证件号码: id, 联系电话: '13900000009', 经营场所: '广州市天河区天河路385号',
          组成形式: '个人经营', 经营范围: '日用百货零售', 资金数额: '10', 从业人数: '2',
        },
        materials: ['个体工商户登记（备案）申请书', '经营者居民身份证', '经营场所使用相关证明']
          .map((material) => ({ material, name: 'scan.pdf', content: PDF })),
      });
      if (!check(r.status === 201, `forward ${i}: ${r.status} ${JSON.stringify(r.body)}`)) continue;
      forwards.push({ no: r.body.forward_no, t0 });
    }
    for (const f of forwards) {
      const got = await until(`forward ${f.no} submitted at 广东`, async () => {
        const j = (await call(clerk, 'GET', `/api/v1/federation/forwards/${f.no}`)).body;
        return j.state === 'submitted' ? j : null;
      });
      latencies.push(Date.now() - f.t0);
      f.case_no = got.peer_case_no;
    }
    const cases = new Set(forwards.map((f) => f.case_no));
    check(cases.size === forwards.length, `${forwards.length} forwards became ${cases.size} distinct cases at 广东`);
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)];
    log(`异地代收代办: ${forwards.length} forwards, each a case submitted at 广东 and reported back; latency median ${median} ms, max ${latencies.at(-1)} ms`);
    // The first decided at 广东 and its 营业执照 handed out at 浙江's window.
    const decided = forwards[0];
    const gdReviewer = await signIn(gd, '440106198707072027'); // 黄审核
    const gdApprover = await signIn(gd, '440106198606063017'); // 梁审批
    for (const [s, body] of [[gdReviewer, { event: 'accept' }], [gdReviewer, { event: 'review' }],
      [gdApprover, { event: 'approve', opinion: '准予登记' }],
      [gdApprover, {
        event: 'complete',
        certificate: {
          holder: { code: '92330106MA2T000150', name: '测试日用百货店' },
          face: { entity_type: '个体工商户', address: '广州市天河区天河路385号', business_scope: '日用百货零售' },
        },
      }]]) {
      const r = await call(s, 'POST', `/api/v1/cases/${decided.case_no}/events`, body);
      check(r.status === 200, `${body.event} of ${decided.case_no} at 广东: ${r.status} ${JSON.stringify(r.body)}`);
    }
    await until('the completion seen at 浙江', async () => {
      const j = (await call(clerk, 'GET', `/api/v1/federation/forwards/${decided.no}`)).body;
      return j.state === 'completed' ? j : null;
    });
    const handed = await call(clerk, 'POST', `/api/v1/federation/forwards/${decided.no}/hand-out`, { delivery: 'post', note: 'EMS 1234567890' });
    check(handed.status === 200, `hand-out at 浙江's window: ${handed.status} ${JSON.stringify(handed.body)}`);
    await until('广东 told of the hand-out', async () => {
      const out = execFileSync('sqlite3', [join(gd.dir, 'tongban.db'),
        `SELECT delivery FROM forwarded_in WHERE origin_no = '${decided.no}'`], { encoding: 'utf8' }).trim();
      return out === 'post' ? out : null;
    });
    log(`统一窗口出件: ${decided.no} completed at 广东, posted from 浙江's window, 广东 told`);

    // 3. 多地联办: one case at 浙江, its leaving part done at 广东.
    const joint = await jointly(zj, gd);
    log(`多地联办: ${joint.case_no} at 浙江 approved after 广东's part ${joint.gd_no} (sent -> submitted there ${joint.submitted} ms, decided there -> seen at 浙江 ${joint.back} ms)`);
    log(`跨省互认: 浙江's 居民户口簿 ${joint.certificate} verified at 广东 (浙江's keys synced, 浙江's register asked) and kept in 陈粤's 广东 account`);

    // 4. The exchange under faults.
    const base0 = { zj: await counts(zjAdmin, '440000'), gd: await counts(gdAdmin, '330000') };
    const sent0 = base0.zj.delivered + base0.zj.pending;
    const burst = async () => {
      for (let i = 0; i < MESSAGES; i++) await call(zjAdmin, 'POST', '/api/v1/federation/peers/1/ping', {});
    };
    const delivered = async () => (await counts(zjAdmin, '440000')).delivered;
    // The throughput: a burst queued while 广东 is stopped, then delivered
    // from the first delivery to the last once it is back.
    await stop(gd);
    await burst();
    await start(gd);
    const d0 = await delivered();
    const first = await until('the first of the burst delivered', async () => ((await delivered()) > d0 ? Date.now() : null));
    const d1 = d0 + MESSAGES;
    await until('the burst delivered', async () => ((await delivered()) >= d1 ? true : null), 120000);
    const rate = (MESSAGES - 1) / ((Date.now() - first) / 1000);
    log(`throughput: ${MESSAGES} signed messages 浙江 -> 广东 delivered at ${rate.toFixed(0)} a second (each signed, posted, checked, recorded and audited at 广东 in its own transaction, marked and audited at 浙江)`);
    gdAdmin = await signIn(gd, '44010619820202701X');

    // 广东 killed in the middle of a burst, then started again.
    await burst();
    await until('some of the second burst delivered', async () => ((await delivered()) >= d1 + 20 ? true : null));
    await kill9(gd);
    const mid = await counts(zjAdmin, '440000');
    log(`kill -9 广东 with ${mid.pending} messages still to deliver`);
    await sleep(2000);
    await start(gd);
    gdAdmin = await signIn(gd, '44010619820202701X');
    log('广东 started again on its data');
    await until('the second burst delivered', async () => ((await delivered()) >= d1 + MESSAGES ? true : null), 120000);
    // 浙江 killed while its worker delivers a burst, then started again.
    await stop(gd);
    await burst();
    await start(gd);
    await until('some of the third burst delivered', async () => ((await delivered()) >= d1 + MESSAGES + 20 ? true : null));
    await kill9(zj);
    log('kill -9 浙江 in the middle of delivering');
    await start(zj);
    zjAdmin = await signIn(zj, '330106198202027014');
    log('浙江 started again on its data');
    const total = sent0 + 3 * MESSAGES;
    const end = await until('every message delivered', async () => {
      const c = await counts(zjAdmin, '440000');
      return c.pending === 0 ? c : null;
    }, 180000);
    const got = await counts(gdAdmin, '330000');
    check(end.dead === 0, `no message dead (${end.dead})`);
    check(end.delivered === total, `delivered at 浙江 ${end.delivered} = sent ${total}`);
    check(got.received - base0.gd.received === end.delivered - base0.zj.delivered,
      `received at 广东 ${got.received - base0.gd.received} = delivered since ${end.delivered - base0.zj.delivered}`);
    // Each message id once at 广东, and every sent one there.
    const ids = (dir, sql) => execFileSync('sqlite3', [join(dir, 'tongban.db'), sql], { encoding: 'utf8' })
      .split('\n').filter(Boolean);
    const sentIds = ids(zj.dir, "SELECT msg_id FROM exchange_out WHERE peer_id = 1");
    const recvIds = ids(gd.dir, "SELECT msg_id FROM exchange_in WHERE peer_id = 1");
    const recvSet = new Set(recvIds);
    check(recvSet.size === recvIds.length, 'no message id twice at 广东');
    check(sentIds.every((id) => recvSet.has(id)), 'every message sent by 浙江 is at 广东');
    // Duplicates the receiver saw and refused (a message delivered before a
    // kill whose answer was lost): changed nothing, audited.
    const dups = ids(gd.dir, "SELECT count(*) FROM audit_log WHERE action = 'exchange.duplicate'")[0];
    log(`after the kills: ${end.delivered} delivered, ${got.received} received, ${dups} duplicate deliveries answered without a change`);
    // Both audit trails intact.
    for (const p of platforms) {
      const out = execFileSync(bin, ['audit', 'verify', '--data', p.dir], { encoding: 'utf8' }).trim();
      check(/intact/.test(out), `${p.name}'s audit trail: ${out}`);
    }
    await stop(zj);
    await stop(gd);
    if (failed) {
      console.log(`federation-test: FAILED (logs in ${zj.dir} and ${gd.dir})`);
      process.exit(1);
    }
    console.log(`federation-test: ok (${sentIds.length} messages exactly once across two kill -9, ${forwards.length} forwards (1 handed out), 1 joint case, 1 certificate across, 2 federated sign-ins, ${rate.toFixed(0)} messages/s, forwarded case latency median ${median} ms)`);
    for (const p of platforms) rmSync(p.dir, { recursive: true, force: true });
  } catch (e) {
    console.log(`FAILED: ${e.stack || e}`);
    for (const p of platforms) {
      console.log(`---- ${p.name} stderr (last lines)`);
      console.log((p.err || '').trimEnd().split('\n').slice(-10).join('\n'));
      await stop(p).catch(() => {});
    }
    console.log(`federation-test: FAILED (logs in ${zj.dir} and ${gd.dir})`);
    process.exit(1);
  }
}

main();
