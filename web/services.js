// The public catalog: finds services by keyword and region, with what each
// takes (time limit, visits, online depth), its name linking to its guide
// (/guide.html) and a link to apply online where the catalog allows it
// (else to the guide, which says where to go).
// Text is set with textContent only.
import {
  api, DEPTH, el, onlineChannel, reasonOf, regionPicker,
} from '/ui.js';
import { shell } from '/shell.js';

shell({ active: 'services' });

function card(it) {
  const box = el('article', undefined, 'cert');
  box.dataset.code = it.implementation_code;
  // The name leads to the item's guide (办事指南).
  const title = el('h3');
  const guide = el('a', it.name);
  guide.href = `/guide.html?item=${encodeURIComponent(it.implementation_code)}`;
  title.append(guide);
  box.append(title);
  const dl = el('dl');
  // What the guide does not state is said so (未公布); the platform's own
  // key (tb...) is no published code.
  const code = (it.codes || []).length ? it.codes.map((c) => c.code).join('、')
    : it.implementation_code.startsWith('tb') ? '未公布' : it.implementation_code;
  const limit = typeof it.promised_hours === 'number' ? `承诺 ${it.promised_hours} 小时`
    : it.case_kind === 'immediate' ? '即办'
      : typeof it.promised_days === 'number' ? `承诺 ${it.promised_days} 个工作日` : '未公布';
  const rows = [
    ['事项编码', code],
    ['办理时限', limit],
    ['到现场次数', typeof it.required_visits === 'number' ? `${it.required_visits} 次` : '未公布'],
    ['网办深度', DEPTH[it.online_depth] || '未公布'],
  ];
  if (it.result && it.result.name) rows.push(['办理结果', it.result.name]);
  for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
  box.append(dl);
  // Apply online where the catalog allows it; else the guide says where to go.
  const online = onlineChannel(it) !== null;
  const link = el('a', online ? '在线申请' : '查看办理地点');
  link.href = online ? `/apply.html?item=${encodeURIComponent(it.implementation_code)}`
    : `/guide.html?item=${encodeURIComponent(it.implementation_code)}`;
  const p = el('p');
  p.append(link);
  box.append(p);
  return box;
}

// Filters the home page links with (theme, department, service object),
// kept while the person searches by keyword and region.
const page = new URLSearchParams(location.search);
const KEPT = ['event', 'department', 'service_object'];
const OBJECTS = { 1: '个人', 2: '企业', 3: '事业单位', 4: '社会组织', 5: '机关', 6: '其他' };

async function describeFilter() {
  const parts = [];
  if (page.get('event')) parts.push(`主题：${page.get('event')}`);
  if (page.get('service_object')) parts.push(`服务对象：${OBJECTS[page.get('service_object')] || page.get('service_object')}`);
  if (page.get('department')) {
    const r = await fetch(`/api/v1/departments/${encodeURIComponent(page.get('department'))}`);
    parts.push(`部门：${r.ok ? (await r.json()).name : page.get('department')}`);
  }
  const box = document.getElementById('filter');
  if (!parts.length) return;
  const clear = el('a', '清除筛选');
  clear.href = '/services.html';
  box.append(el('span', parts.join('；')), ' ', clear);
  box.hidden = false;
}

async function search(q, region) {
  const params = new URLSearchParams({ per_page: '20' });
  if (q) params.set('q', q);
  if (region) params.set('region', region);
  for (const k of KEPT) if (page.get(k)) params.set(k, page.get(k));
  const r = await api('GET', `/api/v1/items?${params}`);
  const j = r.body;
  const count = document.getElementById('count');
  if (!r.ok) {
    count.textContent = `输入有误：${reasonOf(j, r.status)}`;
    count.className = 'bad';
    document.getElementById('items').replaceChildren();
    return;
  }
  count.className = '';
  count.textContent = j.total > j.items.length
    ? `找到 ${j.total} 项，显示前 ${j.items.length} 项`
    : j.total ? `找到 ${j.total} 项`
      // Nothing found: say what to try, not just 0.
      : `找到 0 项。可以换个说法（例如“结婚登记”“社保卡”），少输几个字，或在上方选择其他省份、市或区县。`;
  document.getElementById('items').replaceChildren(...j.items.map(card));
  across(q);
}

// 跨省通办: what other provinces' platforms offer for cross-province
// handling that matches q, each leading to its guide here (with the ways
// to apply from this province).
async function across(q) {
  const box = document.getElementById('across');
  const params = new URLSearchParams({ per_page: '10' });
  if (q) params.set('q', q);
  const r = await api('GET', `/api/v1/federation/items?${params}`);
  if (!r.ok || !r.body.total) {
    box.replaceChildren();
    return;
  }
  const list = el('ul');
  for (const it of r.body.items) {
    const a = el('a', `${it.name}（${it.peer.name} · ${it.department}）`);
    a.href = `/guide.html?item=${encodeURIComponent(it.code)}&province=${encodeURIComponent(it.peer.province)}`;
    const li = el('li');
    li.append(a);
    list.append(li);
  }
  box.replaceChildren(el('h2', '跨省通办：外省可办的事项'),
    el('p', `其他省份的政务服务平台提供、可在本省申请的事项${r.body.total > r.body.items.length ? `（共 ${r.body.total} 项，显示前 ${r.body.items.length} 项）` : ''}：`, 'muted'),
    list);
}

// The region is picked by name (ui.js regionPicker), starting at the one
// the link names.
async function start() {
  const form = document.getElementById('search');
  const picker = await regionPicker(page.get('region') || undefined);
  form.querySelector('.place-room').replaceWith(picker.node);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    search(document.getElementById('q').value.trim(), picker.code());
  });
}

document.getElementById('q').value = page.get('q') || '';
describeFilter();
search(page.get('q') || '', page.get('region') || '');
start();
