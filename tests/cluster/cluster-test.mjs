// make cluster-test (issue 17): submissions through haproxy to two
// tongban nodes on a pg_auto_failover PostgreSQL (scripts/cluster.sh up),
// while one node is killed and restarted and then the PostgreSQL primary
// crashes. Beside them, makers open new cases (each issues a case number)
// and withdraw them. Every acknowledged submission or make (HTTP 2xx) must
// be in the new primary in its acknowledged state or a later one, no case
// number issued or acknowledged twice, the audit chain intact.
//
//   node tests/cluster/cluster-test.mjs DIR     (DIR: a running cluster)
//
// Node.js 20, no packages. Anything but a 2xx with the case's number and
// state is "not acknowledged": counted by status, never taken as success.
// The last line is
//   cluster-test: acknowledged N, lost L, failover S s (X submissions, Y makes)
// (S: from the kill -9 of the primary to the first acknowledged submission
// sent after it); exit 0 only when nothing acknowledged was lost and the
// checks hold.
//   CLUSTER_CLIENTS (16) concurrent clients submitting drafts;
//   CLUSTER_MAKERS (2) clients opening and withdrawing new cases, each on
//   its own item; CLUSTER_STEADY (5) seconds of
//   load before the first kill and between the steps; CLUSTER_AFTER (8)
//   seconds of load after the failover.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tests/cluster/cluster-test.mjs DIR');
  process.exit(2);
}
const root = new URL('../..', import.meta.url).pathname;
const clusterSh = `${root}scripts/cluster.sh`;
const env = Object.fromEntries(
  readFileSync(`${dir}/cluster.env`, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'(.*)'$/, '$1')]),
);
const base = `http://127.0.0.1:${env.LB_PORT}`;
const CLIENTS = Number(process.env.CLUSTER_CLIENTS ?? 16);
const MAKERS = Number(process.env.CLUSTER_MAKERS ?? 2);
const STEADY = Number(process.env.CLUSTER_STEADY ?? 5) * 1000;
const AFTER = Number(process.env.CLUSTER_AFTER ?? 8) * 1000;
const drafts = readFileSync(`${dir}/drafts`, 'utf8').split('\n').filter(Boolean);
const CITIZEN = { login: '33010619900101123X', password: 'tongban-demo' }; // 张三, the drafts' applicant
const MAKER = { login: '330106198505052313', password: 'tongban-demo' }; // 李四, who opens new cases

const started = Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secs = (ms) => (ms / 1000).toFixed(1);
const log = (msg) => console.log(`[${secs(Date.now() - started).padStart(5)} s] ${msg}`);
const problems = []; // what the servers did wrong, for the report
const problem = (msg) => {
  problems.push(msg);
  log(`PROBLEM: ${msg}`);
};

// The states a case can reach from each state (src/cases/transitions.tsv):
// an acknowledged state may since have moved on, never back.
const edges = new Map();
for (const line of readFileSync(`${root}src/cases/transitions.tsv`, 'utf8').split('\n')) {
  if (!line || line.startsWith('#')) continue;
  const [from, , , to] = line.split('\t');
  if (!edges.has(from)) edges.set(from, new Set());
  edges.get(from).add(to);
}
function reachable(state) {
  const seen = new Set([state]);
  const todo = [state];
  while (todo.length) for (const s of edges.get(todo.pop()) ?? []) if (!seen.has(s)) seen.add(s), todo.push(s);
  return seen;
}

function errorCode(e) {
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  const c = e.cause;
  return c?.code ? `${c.code}${c.message ? ` (${c.message})` : ''}` : (c?.message ?? e.message);
}

async function signIn(who = CITIZEN) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
    signal: AbortSignal.timeout(15000),
  });
  const body = await res.json().catch(() => ({}));
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (res.status !== 200 || !body.csrf_token || !cookie) throw new Error(`sign-in answered ${res.status}`);
  return { Cookie: cookie, 'X-CSRF-Token': body.csrf_token };
}

// ---- the load -------------------------------------------------------------
const attempts = []; // {no, start, end, phase, status, state?, node, reason?}
let phase = 'steady';
let next = 0;
let stopping = false;
let ranOut = false;

async function client(headers) {
  while (!stopping) {
    if (next >= drafts.length) {
      ranOut = true;
      return;
    }
    const a = { no: drafts[next++], start: Date.now(), phase };
    try {
      const res = await fetch(`${base}/api/v1/cases/${a.no}/submit`, {
        method: 'POST',
        headers,
        signal: AbortSignal.timeout(20000),
      });
      const text = await res.text();
      a.status = res.status;
      a.node = res.headers.get('x-tongban-node') ?? 'haproxy';
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {}
      if (res.ok && body?.case_no === a.no && typeof body.state === 'string') {
        a.state = body.state;
      } else if (res.ok) {
        a.status = `${res.status} without the case's number and state`;
        a.reason = text.slice(0, 120);
      } else {
        a.reason = body ? `${body.error ?? ''}: ${body.reason ?? ''}` : text.replace(/<[^>]*>|\s+/g, ' ').trim().slice(0, 80);
      }
    } catch (e) {
      a.status = errorCode(e);
      a.node = '?';
    }
    a.end = Date.now();
    attempts.push(a);
    // Not acknowledged: that draft is left as it is (it may or may not
    // have been submitted), and the client waits a little, as people do.
    if (!a.state) await sleep(100);
  }
}

// ---- makers: open a case (the node issues its number), withdraw it -------
// Each maker has its own item: one applicant has one open draft per item,
// so a make that was committed but not acknowledged shows as a 409 naming
// that draft on the next try, and the maker withdraws it and goes on.
const makes = []; // {no?, start, end, phase, status, state?, node, reason?, kind}

async function post(headers, path, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, node: res.headers.get('x-tongban-node') ?? 'haproxy', json, text };
}

// One attempt of KIND ('make' or 'withdraw') -> the record, kept in makes
async function attempt(kind, headers, path, body, no) {
  const m = { kind, no, start: Date.now(), phase };
  try {
    const r = await post(headers, path, body);
    m.status = r.status;
    m.node = r.node;
    if (r.status >= 200 && r.status < 300 && typeof r.json?.case_no === 'string' && typeof r.json.state === 'string') {
      if (kind === 'make' || r.json.case_no === no) {
        m.no = r.json.case_no;
        m.state = r.json.state;
      } else m.reason = `answered for ${r.json.case_no}`;
    } else {
      m.other = r.json?.case_no; // a 409 names the open draft
      m.reason = r.json ? `${r.json.error ?? ''}: ${r.json.reason ?? ''}` : r.text.replace(/<[^>]*>|\s+/g, ' ').trim().slice(0, 80);
    }
  } catch (e) {
    m.status = errorCode(e);
    m.node = '?';
  }
  m.end = Date.now();
  makes.push(m);
  return m;
}

async function maker(headers, item) {
  let open = null; // a draft of ours to withdraw before the next make
  while (!stopping) {
    if (open) {
      const w = await attempt('withdraw', headers, `/api/v1/cases/${open}/events`, { event: 'withdraw' }, open);
      // 409: already withdrawn (an earlier try was committed, not answered)
      if (w.state || w.status === 409) open = null;
      else await sleep(100);
      continue;
    }
    const m = await attempt('make', headers, '/api/v1/cases', { item }, undefined);
    if (m.state) open = m.no;
    else if (m.status === 409 && m.other) open = m.other;
    else await sleep(100);
  }
}

// -> MAKERS distinct items 李四 can apply for entirely online
async function makerItems(headers) {
  const res = await fetch(`${base}/api/v1/items?online_depth=4&per_page=100`, { headers, signal: AbortSignal.timeout(15000) });
  const body = await res.json();
  const seenCode = new Set();
  const out = [];
  for (const it of body.items ?? []) {
    if (out.length === MAKERS) break;
    if (!it.service_objects?.includes(1) || seenCode.has(it.implementation_code)) continue;
    seenCode.add(it.implementation_code);
    // The item must take a draft from 李四: try one, withdraw it.
    const m = await post(headers, '/api/v1/cases', { item: it.implementation_code });
    const no = m.json?.case_no;
    if (!no || (m.status !== 201 && m.status !== 409)) continue;
    const w = await post(headers, `/api/v1/cases/${no}/events`, { event: 'withdraw' });
    if (w.status === 200 || w.status === 201) out.push(it.implementation_code);
  }
  if (out.length < MAKERS) throw new Error(`found ${out.length} items for ${MAKERS} makers`);
  return out;
}

// ---- watchers: haproxy's view, each node's /healthz, the monitor's view --
const seen = { haproxy: {}, healthz: {}, pg: '' };

function haproxyStat() {
  return new Promise((resolve) => {
    let buf = '';
    const s = net.createConnection(`${dir}/haproxy.sock`);
    s.setTimeout(1000, () => s.destroy());
    s.on('data', (d) => (buf += d));
    s.on('close', () => {
      const out = {};
      const lines = buf.split('\n');
      const cols = (lines[0] ?? '').replace(/^# /, '').split(',');
      const sv = cols.indexOf('svname');
      const st = cols.indexOf('status');
      for (const l of lines.slice(1)) {
        const f = l.split(',');
        if (f[sv] === 'tb1' || f[sv] === 'tb2') out[f[sv]] = f[st];
      }
      resolve(out);
    });
    s.on('error', () => resolve({}));
    s.write('show stat\n');
  });
}

async function healthz(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    const body = await res.json().catch(() => ({}));
    return `${res.status} ${body.status ?? ''}`.trim();
  } catch (e) {
    return errorCode(e);
  }
}

let watching = true;
async function watch(what, intervalMs, read) {
  while (watching) {
    const now = await read();
    for (const [k, v] of Object.entries(now)) {
      if (seen[what][k] !== v) log(`${what} ${k}: ${seen[what][k] ?? '-'} -> ${v}`);
      seen[what][k] = v;
    }
    await sleep(intervalMs);
  }
}
async function watchPg() {
  while (watching) {
    const { stdout } = await run(clusterSh, ['state', dir]).catch((e) => ({ stdout: `(${e.message.split('\n')[0]})` }));
    const s = stdout.trim();
    if (s !== seen.pg) log(`pg_auto_failover: ${s}`);
    seen.pg = s;
    await sleep(300);
  }
}

async function waitFor(cond, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = cond();
    if (v) return v;
    await sleep(50);
  }
  return null;
}

const cluster = async (...args) => (await run(clusterSh, [...args.slice(0, 1), dir, ...args.slice(1)])).stdout;

// ---- verification on the new primary -------------------------------------
async function psql(query) {
  const { stdout } = await run('psql', [env.DB_URL, '-XAtq', '-F', '\t', '-c', query], { maxBuffer: 256 << 20 });
  return stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

function counted(list, key) {
  const m = new Map();
  for (const x of list) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}

function logTails() {
  for (const f of ['tb1.err', 'tb2.err', 'haproxy.log', 'pg1.log', 'pg2.log', 'monitor.log']) {
    let text = '';
    try {
      text = readFileSync(`${dir}/${f}`, 'utf8');
    } catch {
      continue;
    }
    console.log(`---- ${dir}/${f} (last lines)`);
    console.log(text.trimEnd().split('\n').slice(-12).join('\n'));
  }
}

// The nodes' warnings and errors (stderr, one JSON object a line), counted.
function nodeLogSummary() {
  for (const n of ['tb1', 'tb2']) {
    let lines = [];
    try {
      lines = readFileSync(`${dir}/${n}.err`, 'utf8').split('\n').filter(Boolean);
    } catch {}
    const msgs = lines.map((l) => {
      try {
        const j = JSON.parse(l);
        return j.level === 'info' ? null : `${j.level} ${j.mod}: ${String(j.msg).replace(/\s+/g, ' ').trim()}`;
      } catch {
        return l.slice(0, 160);
      }
    });
    const c = counted(msgs.filter(Boolean), (x) => x.slice(0, 160));
    console.log(`node ${n} stderr: ${c.length ? '' : 'no warnings or errors'}`);
    for (const [m, k] of c.slice(0, 8)) console.log(`  ${String(k).padStart(6)} x ${m}`);
  }
}

async function main() {
  const sessions = [];
  for (let i = 0; i < CLIENTS; i++) sessions.push(await signIn());
  log(`${CLIENTS} clients signed in as 张三 through haproxy ${base}; ${drafts.length} drafts to submit`);
  const makerSessions = [];
  for (let i = 0; i < MAKERS; i++) makerSessions.push(await signIn(MAKER));
  const items = MAKERS ? await makerItems(makerSessions[0]) : [];
  log(`${MAKERS} makers signed in as 李四, on items ${items.join(' ')}`);
  const watchers = [
    watch('haproxy', 100, haproxyStat),
    watch('healthz', 200, async () => ({ tb1: await healthz(env.TB1_PORT), tb2: await healthz(env.TB2_PORT) })),
    watchPg(),
  ];
  await waitFor(() => seen.haproxy.tb1 === 'UP' && seen.haproxy.tb2 === 'UP', 5000);
  const load = [...sessions.map((h) => client(h)), ...makerSessions.map((h, i) => maker(h, items[i]))];
  await sleep(STEADY);

  // 1. A tongban node dies: haproxy must take it out, the load go on.
  phase = 'node-kill';
  const nodeKill = Date.now();
  await cluster('kill-node', '1');
  log('kill -9 tongban node tb1');
  if (await waitFor(() => seen.haproxy.tb1?.startsWith('DOWN'), 10000))
    log(`haproxy marked tb1 down ${secs(Date.now() - nodeKill)} s after the kill`);
  else problem('haproxy did not mark tb1 down within 10 s');
  await sleep(STEADY / 2);
  log('starting tb1 again');
  await cluster('start-node', '1');
  if (!(await waitFor(() => seen.haproxy.tb1 === 'UP', 15000))) problem('haproxy did not mark tb1 up again within 15 s');
  phase = 'steady-2';
  await sleep(STEADY);

  // 2. The PostgreSQL primary crashes.
  phase = 'failover';
  const [victim, ms] = (await cluster('kill-primary')).trim().split(' ');
  const killAt = Number(ms);
  log(`kill -9 PostgreSQL primary ${victim} (its pg_autoctl, postmaster and backends)`);
  const first = await waitFor(() => attempts.find((a) => a.state && a.start >= killAt), 90000);
  const failover = first ? (first.end - killAt) / 1000 : null;
  if (first) log(`first acknowledged submission after the kill: ${secs(first.end - killAt)} s (via ${first.node})`);
  phase = 'after';
  const afterAt = Date.now();
  await sleep(AFTER);
  stopping = true;
  await Promise.all(load);
  watching = false;
  await Promise.all(watchers);
  log('load stopped');

  // ---- what the clients saw -------------------------------------------------
  const acked = attempts.filter((a) => a.state);
  const failed = attempts.filter((a) => !a.state);
  // Every answer, kept with the logs: case number, phase, status, state or
  // reason, node, milliseconds from the start to the answer.
  writeFileSync(
    `${dir}/submissions.tsv`,
    attempts.map((a) => [a.no, a.phase, a.status, a.state ?? a.reason ?? '', a.node, a.end - started].join('\t')).join('\n') + '\n',
  );
  writeFileSync(
    `${dir}/makes.tsv`,
    makes.map((m) => [m.kind, m.no ?? m.other ?? '', m.phase, m.status, m.state ?? m.reason ?? '', m.node, m.end - started].join('\t')).join('\n') + '\n',
  );
  console.log(`submissions: ${attempts.length} sent, ${acked.length} acknowledged, ${failed.length} not acknowledged`);
  for (const p of ['steady', 'node-kill', 'steady-2', 'failover', 'after']) {
    const in_ = attempts.filter((a) => a.phase === p);
    const bad = counted(in_.filter((a) => !a.state), (a) => `${a.status}`);
    console.log(`  ${p.padEnd(9)} ${String(in_.length).padStart(6)} sent, ${String(in_.filter((a) => a.state).length).padStart(6)} acknowledged` +
      (bad.length ? `; not: ${bad.map(([s, n]) => `${s} x${n}`).join(', ')}` : ''));
  }
  if (failed.length) {
    console.log('not acknowledged, by status, node and reason:');
    for (const [k, n] of counted(failed, (a) => `${a.status} from ${a.node}${a.reason ? ` (${a.reason})` : ''}`).slice(0, 12))
      console.log(`  ${String(n).padStart(6)} x ${k}`);
  }
  const madeOk = makes.filter((m) => m.kind === 'make' && m.state);
  const withdrawnOk = makes.filter((m) => m.kind === 'withdraw' && m.state);
  console.log(`makes: ${makes.filter((m) => m.kind === 'make').length} sent, ${madeOk.length} acknowledged; ` +
    `withdrawals: ${makes.filter((m) => m.kind === 'withdraw').length} sent, ${withdrawnOk.length} acknowledged`);
  const wBad = counted(makes.filter((m) => m.kind === 'withdraw' && !m.state), (m) => `${m.phase} ${m.status}`);
  if (wBad.length) console.log(`  withdrawals not acknowledged: ${wBad.map(([k, n]) => `${k} x${n}`).join(', ')}`);
  for (const p of ['steady', 'node-kill', 'steady-2', 'failover', 'after']) {
    const in_ = makes.filter((m) => m.phase === p && m.kind === 'make');
    const bad = counted(in_.filter((m) => !m.state), (m) => `${m.status}`);
    console.log(`  ${p.padEnd(9)} ${String(in_.length).padStart(6)} makes, ${String(in_.filter((m) => m.state).length).padStart(6)} acknowledged` +
      (bad.length ? `; not: ${bad.map(([st, n]) => `${st} x${n}`).join(', ')}` : ''));
  }
  // After the failover, per node: a node that does not recover keeps
  // failing behind haproxy while /healthz may say it is fine.
  const late = attempts.filter((a) => a.start >= afterAt);
  for (const n of ['tb1', 'tb2']) {
    const mine = late.filter((a) => a.node === n);
    const bad = mine.filter((a) => !a.state);
    console.log(`  after the failover via ${n}: ${mine.length - bad.length} acknowledged, ${bad.length} not`);
    if (bad.length && bad.length * 2 > mine.length)
      problem(`${n} still failed ${bad.length} of ${mine.length} submissions ${secs(AFTER)} s after the failover (${counted(bad, (a) => a.status).map(([s, k]) => `${s} x${k}`).join(', ')})`);
  }
  nodeLogSummary();

  // ---- checks on the new primary -------------------------------------------
  const fail = [];
  if (ranOut) fail.push(`ran out of drafts (${drafts.length}): raise CLUSTER_DRAFTS`);
  if (!first) fail.push('no submission was acknowledged within 90 s of the primary crash');
  if (MAKERS && !madeOk.some((m) => m.start >= killAt)) fail.push('no make was acknowledged after the primary crash');
  const dupMakes = counted(madeOk, (m) => m.no).filter(([, n]) => n > 1);
  if (dupMakes.length) fail.push(`case numbers acknowledged as new twice: ${dupMakes.map(([no]) => no).join(' ')}`);
  const dupAcks = counted(acked, (a) => a.no).filter(([, n]) => n > 1);
  if (dupAcks.length) fail.push(`case numbers acknowledged twice: ${dupAcks.map(([no]) => no).join(' ')}`);
  const rows = new Map((await psql('SELECT case_no, state FROM cases')).map(([no, st]) => [no, st]));
  const lost = [];
  for (const a of acked) {
    const now = rows.get(a.no);
    if (!now || !reachable(a.state).has(now)) lost.push(`${a.no} (acknowledged ${a.state} by ${a.node} at ${secs(a.end - started)} s, now ${now ?? 'missing'})`);
  }
  for (const m of [...madeOk, ...withdrawnOk]) {
    const now = rows.get(m.no);
    if (!now || !reachable(m.state).has(now)) lost.push(`${m.no} (${m.kind} acknowledged ${m.state} by ${m.node} at ${secs(m.end - started)} s, now ${now ?? 'missing'})`);
  }
  // Not acknowledged yet done: the client cannot tell (a second submit of
  // the same draft is a no-op that answers its state).
  const doneAnyway = failed.filter((a) => rows.get(a.no) && rows.get(a.no) !== 'draft');
  console.log(`not acknowledged but submitted all the same: ${doneAnyway.length}` +
    (doneAnyway.length ? ` (${counted(doneAnyway, (a) => `${a.phase} ${a.status}`).map(([k, n]) => `${k} x${n}`).join(', ')})` : ''));
  const dups = await psql('SELECT case_no, count(*) FROM cases GROUP BY case_no HAVING count(*) > 1');
  if (dups.length) fail.push(`case numbers issued twice: ${dups.map(([no, n]) => `${no} x${n}`).join(' ')}`);
  const twice = await psql(
    "SELECT c.case_no, count(*) FROM case_steps s JOIN cases c ON c.id = s.case_id WHERE s.event = 'submit' GROUP BY c.case_no HAVING count(*) > 1",
  );
  if (twice.length) fail.push(`cases submitted twice (two submit steps): ${twice.map(([no]) => no).join(' ')}`);
  // Against the checkpoint signed before the load, with the platform key
  // sealed in the database: the chains still hold what it signed.
  const audit = await run(env.BIN, ['audit', 'verify', '--db', env.DB_URL, '--master-key', `${dir}/master.key`,
    '--checkpoint', `${dir}/seed/checkpoints/latest.json`]).then(
    (r) => ({ ok: true, out: r.stdout.trim() }),
    (e) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message }),
  );
  console.log(`audit verify on the new primary: ${audit.out}`);
  if (!audit.ok || !/intact/.test(audit.out)) fail.push('the audit chain is not intact');
  if (problems.length) {
    console.log('server problems seen:');
    for (const p of problems) console.log(`  - ${p}`);
  }
  if (lost.length) {
    console.log(`LOST: ${lost.length} acknowledged submissions are not in the database as acknowledged:`);
    for (const l of lost) console.log(`  ${l}`);
  }
  for (const f of fail) console.log(`FAILED: ${f}`);
  if (lost.length || fail.length) {
    logTails();
    console.log(`cluster-test: logs kept in ${dir}`);
  }
  console.log(`cluster-test: took ${secs(Date.now() - started)} s after the cluster was up`);
  console.log(`cluster-test: acknowledged ${acked.length + madeOk.length}, lost ${lost.length}, failover ${failover === null ? 'none' : failover.toFixed(1)} s` +
    ` (${acked.length} submissions, ${madeOk.length} makes)`);
  process.exit(lost.length || fail.length ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAILED: ${e.stack ?? e}`);
  logTails();
  console.log(`cluster-test: failed before the end (see above); logs kept in ${dir}`);
  process.exit(1);
});
