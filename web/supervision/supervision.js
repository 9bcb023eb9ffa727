// The supervision page (/supervision/): for a supervisor (or an admin)
// over a region, the indicators dashboard of /open/ limited to that region
// and below, the overdue cases of the region shown (GET /api/v1/cases
// ?view=overdue&region=), and the follow-ups of bad ratings with the
// overdue ones marked (GET /api/v1/ratings/followups, the whole region of
// the supervisor's grant), and the commitments (告知承诺) departments have
// still to check, late ones first flagged (GET /api/v1/commitments). Per-department figures: the indicators API has
// none, so the drill-down ends at the county; the overdue list names each
// case's department.
import { api, badge, day, el, h, reasonOf, stateName } from '/ui.js';
import { shell } from '/shell.js';
import { dashboard, pct, today } from '/open/dash.js';

const main = document.getElementById('main');
const who = await shell({ active: 'supervision', signIn: true });
if (who) start(who);

const SCORES = { 1: '非常满意', 2: '满意', 3: '基本满意', 4: '不满意', 5: '非常不满意' };

function start(me) {
  if (!(me.pages || []).includes('supervision')) {
    main.replaceChildren(h('section', { class: 'card' }, el('h2', '没有监督权限'),
      el('p', '监督页面仅供监督人员使用。您可以在“政务公开”查看公开的政务服务指标。'),
      h('p', {}, h('a', { href: '/open/' }, '前往政务公开'))));
    return;
  }
  // The widest region the person supervises (the API asks the policy table).
  const grant = (me.roles || []).find((g) => ['supervisor', 'admin'].includes(g.role) && g.region);
  const top = grant ? grant.region : null;
  const overdue = h('section', { class: 'card', id: 'overdue', 'aria-labelledby': 'overdue-h' });
  const followups = h('section', { class: 'card', id: 'followups', 'aria-labelledby': 'followups-h' });
  const dash = dashboard(main, {
    top,
    onRegion: async (d) => {
      document.getElementById('scope').textContent = `监督范围：${dash.state.path[0]?.name || ''}`;
      await showOverdue(overdue, d);
    },
  });
  const commitments = h('section', { class: 'card', id: 'commitment-checks', 'aria-labelledby': 'commitments-h' });
  main.append(overdue, followups, commitments);
  dash.reload().then(() => showFollowups(followups)).then(() => showCommitments(commitments));
}

// The region's overdue cases, longest overdue first.
async function showOverdue(box, d) {
  const head = h('h2', { id: 'overdue-h' }, `超期办件 · ${d.name}`);
  const r = await api('GET', `/api/v1/cases?view=overdue&region=${d.region}&limit=200`);
  if (!r.ok) {
    box.replaceChildren(head, el('p', `无法读取超期办件：${reasonOf(r.body, r.status)}`, 'bad'));
    return;
  }
  // A department's page (the last level): its own overdue cases only.
  const items = d.department_id
    ? r.body.items.filter((c) => c.department_id === d.department_id) : r.body.items;
  const line = el('p', items.length
    ? `正在办理且已超过承诺时限的办件共 ${items.length} 件，按超期时间由长到短排列。`
    : '目前没有超期办件。', 'muted');
  line.id = 'overdue-count';
  if (!items.length) {
    box.replaceChildren(head, line);
    return;
  }
  const cols = ['办件编号', '事项', '承办部门', '承诺办结日期', '超期', '状态', '经办人'];
  const body = h('tbody', {});
  for (const c of items) {
    const late = -(c.clock.remaining_workdays || 0);
    const cells = [
      el('span', c.case_no, 'caseno'), c.item_name, c.department_name,
      c.clock.promised_due || '—', badge(`超期 ${late} 个工作日`, 'red'), stateName(c.state),
      c.assignee ? c.assignee.name : '未分配'];
    body.append(h('tr', { 'data-case': c.case_no },
      cells.map((v, i) => h('td', { 'data-label': cols[i] }, v))));
  }
  box.replaceChildren(head, line, h('div', { class: 'table-wrap' },
    h('table', { class: 'list stack', id: 'overdue-list' },
      h('caption', { class: 'sr-only' }, `${d.name}超期办件`),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), body)));
}

// The follow-ups of bad ratings in the supervisor's region.
async function showFollowups(box) {
  const head = h('h2', { id: 'followups-h' }, '差评整改');
  const r = await api('GET', '/api/v1/ratings/followups');
  if (!r.ok) {
    box.replaceChildren(head, el('p', `无法读取差评整改：${reasonOf(r.body, r.status)}`, 'bad'));
    return;
  }
  const now = today();
  const { items } = r.body;
  const late = items.filter((f) => f.state === 'open' && f.due < now).length;
  const open = items.filter((f) => f.state === 'open').length;
  const line = h('p', { class: 'figures-line', id: 'followup-figures' },
    el('span', `差评 ${r.body.bad_ratings} 件`), el('span', `已整改 ${r.body.followed_up} 件`),
    el('span', `待整改 ${open} 件`), el('span', `整改率 ${pct(r.body.follow_up_rate)}`),
    late ? badge(`整改超期 ${late} 件`, 'red') : el('span', '无整改超期'));
  if (!items.length) {
    box.replaceChildren(head, line, el('p', '没有差评。', 'muted'));
    return;
  }
  const cols = ['办件编号', '评价', '评价内容', '整改期限', '整改状态', '整改说明'];
  const body = h('tbody', {});
  for (const f of items) {
    const st = f.state === 'done' ? badge('已整改', 'green')
      : f.due < now ? badge('整改超期', 'red') : badge('待整改', 'yellow');
    const cells = [el('span', f.case_no, 'caseno'), SCORES[f.score] || String(f.score),
      f.text || '—', f.due, st, f.note || '—'];
    body.append(h('tr', { 'data-followup': String(f.id) },
      cells.map((v, i) => h('td', { 'data-label': cols[i] }, v))));
  }
  box.replaceChildren(head, line, h('div', { class: 'table-wrap' },
    h('table', { class: 'list stack', id: 'followup-list' },
      h('caption', { class: 'sr-only' }, '差评整改情况'),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), body)));
}

// The commitments (告知承诺) still to check in the supervisor's region:
// the late ones first, each with its department. Hidden for whoever may
// not read them (an admin).
async function showCommitments(box) {
  const r = await api('GET', '/api/v1/commitments?state=pending');
  if (r.status === 403) { box.remove(); return; }
  const head = h('h2', { id: 'commitments-h' }, '告知承诺核查');
  if (!r.ok) {
    box.replaceChildren(head, el('p', `无法读取告知承诺：${reasonOf(r.body, r.status)}`, 'bad'));
    return;
  }
  const items = [...r.body.items].sort((a, b) => Number(b.overdue) - Number(a.overdue));
  const late = items.filter((k) => k.overdue).length;
  const line = h('p', { class: 'figures-line', id: 'commitment-figures' },
    el('span', `待核查 ${items.length} 件`), late ? badge(`核查超期 ${late} 件`, 'red') : el('span', '无核查超期'));
  if (!items.length) {
    box.replaceChildren(head, line, el('p', '没有待核查的告知承诺。', 'muted'));
    return;
  }
  const cols = ['办件编号', '事项', '承诺代替的材料', '办理部门', '核查期限', '状态'];
  const body = h('tbody', {});
  for (const k of items) {
    const cells = [el('span', k.case_no, 'caseno'), k.item_name, k.material, k.department.name,
      day(k.due_date), k.overdue ? badge('核查超期', 'red') : badge('待核查', 'yellow')];
    body.append(h('tr', { 'data-commitment': String(k.id) },
      cells.map((v, i) => h('td', { 'data-label': cols[i] }, v))));
  }
  box.replaceChildren(head, line, h('div', { class: 'table-wrap' },
    h('table', { class: 'list stack', id: 'commitment-list' },
      h('caption', { class: 'sr-only' }, '告知承诺核查情况'),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), body)));
}
