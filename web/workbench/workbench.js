// 部门工作台: the department's queue, most urgent first, each case with
// its clock in green / yellow / red; filters (state, item, overdue, mine)
// kept in the address so that going back returns to the same list; claim
// from the list; below it the commitments (告知承诺) waiting for a check.
// A case opens on case.html. Data goes in as text only.
import { api, badge, day, el, h, reasonOf, stateName } from '/ui.js';
import { shell } from '/shell.js';
import { clockBadge, myDepartment } from '/workbench/common.js';

const form = document.getElementById('filters');
const tbody = document.querySelector('#queue tbody');
const count = document.getElementById('count');
const alertBox = form.querySelector('[role=alert]');
let who = null;

function filtersFromUrl() {
  const q = new URLSearchParams(location.search);
  form.state.value = q.get('state') || '';
  form.overdue.checked = q.get('overdue') === 'true';
  form.mine.checked = q.get('mine') === 'true';
  return q.get('item') || '';
}

function query() {
  const q = new URLSearchParams({ view: 'queue', limit: '200' });
  if (form.state.value) q.set('state', form.state.value);
  if (form.item.value) q.set('item', form.item.value);
  if (form.overdue.checked) q.set('overdue', 'true');
  if (form.mine.checked) q.set('mine', 'true');
  return q;
}

async function claim(no, button) {
  button.disabled = true;
  const r = await api('POST', `/api/v1/cases/${encodeURIComponent(no)}/assign`, { assignee: who.id });
  if (!r.ok) {
    alertBox.textContent = `认领失败：${reasonOf(r.body, r.status)}`;
    button.disabled = false;
    return;
  }
  await load();
  const again = tbody.querySelector(`tr[data-case="${CSS.escape(no)}"] a`);
  if (again) again.focus();
}

function row(c) {
  const href = `/workbench/case.html?no=${encodeURIComponent(c.case_no)}`;
  const tr = h('tr', { 'data-case': c.case_no, class: c.clock && c.clock.colour ? `clock-${c.clock.colour}` : '' });
  const cell = (label, ...kids) => h('td', { 'data-label': label }, ...kids);
  const mine = c.assignee && who && c.assignee.id === who.id;
  let action = null;
  if (!c.assignee) {
    const b = h('button', { type: 'button', class: 'small' }, '认领');
    b.setAttribute('aria-label', `认领办件 ${c.case_no}`);
    b.addEventListener('click', () => claim(c.case_no, b));
    action = b;
  }
  tr.append(
    cell('时限', clockBadge(c.clock)),
    cell('办件编号', h('a', { href, class: 'caseno' }, c.case_no)),
    cell('事项', c.item_name),
    cell('申请人', c.applicant_name || '—'),
    cell('状态', badge(stateName(c.state))),
    cell('经办人', c.assignee ? (mine ? `${c.assignee.name}（我）` : c.assignee.name) : el('span', '未认领', 'muted')),
    cell('操作', action));
  return tr;
}

async function load() {
  const q = query();
  const shown = new URLSearchParams(q);
  shown.delete('view');
  shown.delete('limit');
  history.replaceState(null, '', shown.toString() ? `?${shown}` : location.pathname);
  alertBox.textContent = '';
  const r = await api('GET', `/api/v1/cases?${q}`);
  if (!r.ok) {
    tbody.replaceChildren();
    count.textContent = '';
    alertBox.textContent = `无法载入待办队列：${reasonOf(r.body, r.status)}`;
    return;
  }
  const items = r.body.items || [];
  tbody.replaceChildren(...items.map(row));
  count.textContent = items.length ? `共 ${items.length} 件` : '没有符合条件的在办件';
}

// The department's commitments (告知承诺) still to check, soonest due
// first; each opens its case, where the check is made.
async function commitments() {
  const r = await api('GET', '/api/v1/commitments?state=pending');
  const box = document.getElementById('commitments');
  const list = (r.ok && r.body.items) || [];
  box.hidden = !list.length;
  box.querySelector('ul').replaceChildren(...list.map((k) => h('li', { 'data-commitment': String(k.id) },
    h('a', { href: `/workbench/case.html?no=${encodeURIComponent(k.case_no)}` }, `${k.item_name} · ${k.material}`),
    ' ', k.overdue ? badge('已超期', 'red') : null,
    el('span', ` 核查期限 ${day(k.due_date)} · 办件 ${k.case_no}`, 'muted'))));
}

async function items(dept, wanted) {
  const r = await api('GET', `/api/v1/items?department=${dept.id}&per_page=100`);
  for (const it of (r.ok && r.body.items) || []) {
    form.item.append(h('option', { value: it.implementation_code }, it.name));
  }
  form.item.value = wanted;
}

async function start() {
  who = await shell({ active: 'workbench', signIn: true });
  if (!who) return;
  const dept = myDepartment(who);
  if (!dept) {
    document.querySelector('main').replaceChildren(h('section', { class: 'card' },
      el('h1', '部门工作台'), el('p', '您没有部门的办件权限。如需使用，请联系本部门的系统管理员。')));
    return;
  }
  document.getElementById('dept').textContent = dept.name;
  const wanted = filtersFromUrl();
  await items(dept, wanted);
  form.addEventListener('change', load);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  await load();
  await commitments();
}

start();
