// 事项管理: the implementation items of the regions this person manages,
// the latest version of each whatever its state (drafts included, from
// GET /api/v1/items?latest=true), searchable and paged; each opens in the
// editor (item.html), its versions (versions.html) and the "same item,
// same standard" report for its basic item (consistency.html). The filters
// live in the address so that going back returns to the same list.
import { api, el, h, reasonOf } from '/ui.js';
import { shell } from '/shell.js';
import { departmentNames, itemHref, myRegions, regionName, stateBadge, WORDS } from '/catalog/common.js';

const PER_PAGE = 50;
const form = document.getElementById('filters');
const tbody = document.querySelector('#items tbody');
const count = document.getElementById('count');
const pager = document.getElementById('pager');
const alertBox = form.querySelector('[role=alert]');
let depts = new Map();
let top = '';

function params() {
  const q = new URLSearchParams(location.search);
  return { region: q.get('region') || top, q: q.get('q') || '', page: Number(q.get('page')) || 1 };
}

function row(it) {
  const cell = (label, ...kids) => h('td', { 'data-label': label }, ...kids);
  const code = it.implementation_code;
  const tr = h('tr', { 'data-code': code });
  tr.append(
    cell('事项名称', h('a', { href: itemHref(code, it.version), class: 'name' }, it.name),
      el('div', code, 'code small-code')),
    cell('实施部门', depts.get(it.department) || it.department),
    cell('状态', stateBadge(it.state), el('span', ` 第${it.version}版`, 'muted')),
    cell('时限', `${it.promised_days} / ${it.statutory_days} 个工作日`),
    cell('网办深度', WORDS.online_depth[it.online_depth] || String(it.online_depth)),
    cell('操作', h('div', { class: 'row-actions' },
      h('a', { href: itemHref(code, it.version) }, it.state === 'draft' ? '编辑草稿' : '编辑'),
      h('a', { href: `/catalog/versions.html?code=${encodeURIComponent(code)}${it.state === 'draft' ? `&draft=${it.version}` : ''}` }, '版本'),
      h('a', { href: `/catalog/consistency.html?basic_code=${encodeURIComponent(it.basic_code)}&region=${encodeURIComponent(form.region.value)}` }, '一致性'))));
  return tr;
}

async function load() {
  const p = params();
  form.region.value = p.region;
  form.q.value = p.q;
  alertBox.textContent = '';
  count.textContent = '正在加载…';
  const q = new URLSearchParams({ latest: 'true', region: p.region, page: String(p.page), per_page: String(PER_PAGE) });
  if (p.q.trim()) q.set('q', p.q.trim());
  const r = await api('GET', `/api/v1/items?${q}`);
  tbody.replaceChildren();
  pager.replaceChildren();
  if (!r.ok) {
    count.textContent = '';
    alertBox.textContent = `无法列出事项：${reasonOf(r.body, r.status)}`;
    return;
  }
  const { total, items } = r.body;
  count.textContent = total > 1000 ? '找到 1000 项以上' : `找到 ${total} 项`;
  for (const it of items) tbody.append(row(it));
  if (!items.length) tbody.append(h('tr', {}, h('td', { colspan: '6' }, '没有符合条件的事项')));
  const pages = Math.ceil(Math.min(total, 1000) / PER_PAGE);
  const go = (n, text) => {
    const u = new URLSearchParams({ region: p.region, q: p.q, page: String(n) });
    return h('a', { href: `?${u}`, class: 'page' }, text);
  };
  if (p.page > 1) pager.append(go(p.page - 1, '上一页'));
  if (pages > 1) pager.append(el('span', `第 ${p.page} / ${pages} 页`, 'muted'));
  if (p.page < pages) pager.append(go(p.page + 1, '下一页'));
}

async function main() {
  const who = await shell({ active: 'catalog', signIn: true });
  if (!who) return;
  const regions = myRegions(who);
  if (!regions.length) {
    document.querySelector('main').replaceChildren(el('h1', '事项管理'),
      el('p', '您没有事项管理的权限。如需维护实施清单，请联系本级系统管理员授予“事项管理员”角色。', 'card'));
    return;
  }
  top = regions[0];
  // Each managed region, then the regions one level below it, to narrow the list.
  for (const code of regions) {
    form.region.append(h('option', { value: code }, `${await regionName(code)}（全部）`));
    const kids = await api('GET', `/api/v1/regions?parent=${encodeURIComponent(code)}`);
    for (const k of (kids.ok && kids.body.items) || []) form.region.append(h('option', { value: k.code }, `　${k.name}`));
  }
  depts = await departmentNames(top);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = new URLSearchParams({ region: form.region.value, q: form.q.value.trim() });
    history.pushState(null, '', `?${u}`);
    load();
  });
  window.addEventListener('popstate', load);
  await load();
}

main();
