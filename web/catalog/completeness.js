// 要素完整性 (/catalog/completeness.html): what the items of a region leave
// unstated (GET /api/v1/catalog/completeness: fees, phone, address, ...
// that the published guide does not say, kept as 未公布 instead of being
// made up), how many items leave each member unstated, and the province's
// rule of what must be stated before publication (GET/PUT
// /api/v1/catalog/rules/{province}; set by the province's managers).
import { api, el, h, reasonOf } from '/ui.js';
import { shell } from '/shell.js';
import { itemHref, LABELS, myRegions, regionName, stateBadge } from '/catalog/common.js';

const pick = document.getElementById('pick');
const alertBox = pick.querySelector('[role=alert]');
let who = null;

async function load() {
  const region = pick.region.value;
  alertBox.textContent = '';
  const r = await api('GET', `/api/v1/catalog/completeness?region=${encodeURIComponent(region)}`);
  if (!r.ok) {
    alertBox.textContent = `无法读取：${reasonOf(r.body, r.status)}`;
    return;
  }
  const rep = r.body;
  const gaps = rep.total - rep.complete;
  document.getElementById('summary').textContent = rep.total
    ? `共 ${rep.total} 个事项${rep.drafts ? '（含草稿）' : ''}，要素齐全 ${rep.complete} 个，有未公布要素 ${gaps} 个。`
    : '该区划内没有事项。';
  document.getElementById('counts').replaceChildren(...Object.entries(rep.unstated)
    .map(([k, n]) => h('li', { 'data-member': k, class: n ? 'bad' : '' }, `${LABELS[k] || k}：${n ? `${n} 个事项未公布` : '均已载明'}`)));
  document.querySelector('#gaps tbody').replaceChildren(...rep.items.map((x) => h('tr', { 'data-code': x.implementation_code },
    h('td', { 'data-label': '事项名称' }, h('a', { href: itemHref(x.implementation_code, x.version) }, x.name)),
    h('td', { 'data-label': '实施部门' }, x.department.name),
    h('td', { 'data-label': '状态' }, stateBadge(x.state)),
    h('td', { 'data-label': '未公布的要素' }, x.unstated.map((k) => LABELS[k] || k).join('、')))));
  if (!rep.items.length) {
    document.querySelector('#gaps tbody').append(h('tr', {}, h('td', { colspan: '4' }, '没有。各事项的要素均已载明。')));
  }
  await showRule(`${region.slice(0, 2)}0000`);
}

// The province's rule: shown to everyone who opens the page; editable by
// those the API lets set it (a 403 on saving says so).
async function showRule(province) {
  const box = document.getElementById('rule');
  const r = await api('GET', `/api/v1/catalog/rules/${province}`);
  if (!r.ok) { box.hidden = true; return; }
  box.hidden = false;
  document.getElementById('rule-title').textContent = `发布规则（${await regionName(province)}）`;
  const set = new Set(r.body.stated_for_publication);
  const mayEdit = (who.roles || []).some((g) => ['catalog_manager', 'admin'].includes(g.role) && g.region === province);
  const fs = document.getElementById('rule-members');
  fs.replaceChildren(el('legend', '发布前须载明的要素'), ...r.body.unstatable.map((k) => {
    const c = h('input', { type: 'checkbox', value: k, checked: set.has(k), disabled: !mayEdit });
    return h('label', { class: 'inline' }, c, ` ${LABELS[k] || k}`);
  }));
  document.getElementById('rule-save').hidden = !mayEdit;
  const form = document.getElementById('rule-form');
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const stated = [...fs.querySelectorAll('input:checked')].map((c) => c.value);
    const s = await api('PUT', `/api/v1/catalog/rules/${province}`, { stated_for_publication: stated });
    const st = document.getElementById('rule-status');
    st.className = s.ok ? 'ok' : 'bad';
    st.textContent = s.ok ? '已保存发布规则。' : `未能保存：${reasonOf(s.body, s.status)}`;
  };
}

async function main() {
  who = await shell({ active: 'catalog', signIn: true });
  if (!who) return;
  const regions = myRegions(who);
  const want = new URLSearchParams(location.search).get('region');
  if (want && !regions.includes(want)) regions.push(want);
  for (const code of regions.length ? regions : ['330000']) {
    pick.region.append(h('option', { value: code }, await regionName(code)));
  }
  if (want) pick.region.value = want;
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    history.replaceState(null, '', `?region=${encodeURIComponent(pick.region.value)}`);
    load();
  });
  await load();
}

main();
