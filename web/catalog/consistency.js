// 同一事项一致性: the published implementations of one basic item under a
// region (GET /api/v1/catalog/consistency), and for each member where they
// differ, every variant with the regions and departments that use it. The
// variant most of them use is marked 多数做法; each implementation links to
// its item, so the county that differs is one click away.
import { api, el, h, reasonOf } from '/ui.js';
import { shell } from '/shell.js';
import { itemHref, LABELS, myRegions, regionName, valueNode } from '/catalog/common.js';

const pick = document.getElementById('pick');
const alertBox = pick.querySelector('[role=alert]');
const tbody = document.querySelector('#impls tbody');
const verdict = document.getElementById('verdict');
const diffs = document.getElementById('diffs');

async function load() {
  const q = new URLSearchParams(location.search);
  pick.basic_code.value = q.get('basic_code') || '';
  if (q.get('region')) pick.region.value = q.get('region');
  alertBox.textContent = '';
  tbody.replaceChildren();
  diffs.replaceChildren();
  verdict.textContent = '';
  if (!/^\d{12}$/.test(pick.basic_code.value)) {
    verdict.textContent = '请输入 12 位基本目录编码，或从事项管理列表中点“一致性”进入。';
    return;
  }
  verdict.textContent = '正在比较…';
  const r = await api('GET', `/api/v1/catalog/consistency?${new URLSearchParams({ basic_code: pick.basic_code.value, region: pick.region.value })}`);
  if (!r.ok) {
    verdict.textContent = '';
    alertBox.textContent = `无法比较：${reasonOf(r.body, r.status)}`;
    return;
  }
  const rep = r.body;
  const impls = new Map();
  for (const i of rep.implementations) impls.set(i.implementation_code, { ...i, region_name: await regionName(i.region), differs: [] });
  if (rep.implementations.length) document.getElementById('title').textContent = `同一事项一致性：${rep.implementations[0].name}`;
  // The variant most implementations use is the norm; the others differ.
  for (const d of rep.differences) {
    const top = Math.max(...d.variants.map((v) => v.implementations.length));
    const majority = d.variants.filter((v) => v.implementations.length === top);
    d.norm = majority.length === 1 ? majority[0] : null;
    for (const v of d.variants) {
      if (v === d.norm) continue;
      for (const c of v.implementations) impls.get(c)?.differs.push(d.field);
    }
  }
  verdict.className = rep.consistent ? 'ok' : 'bad';
  verdict.textContent = !rep.implementations.length
    ? '该区划内没有此事项已发布的实施清单。'
    : rep.consistent
      ? `共 ${rep.count} 个实施清单，各项要素一致。`
      : `共 ${rep.count} 个实施清单，有 ${rep.differences.length} 项要素不一致。`;
  for (const i of impls.values()) {
    const tr = h('tr', { 'data-code': i.implementation_code, class: i.differs.length ? 'differs' : '' });
    tr.append(
      h('td', { 'data-label': '行政区划' }, i.region_name),
      h('td', { 'data-label': '实施部门' }, h('a', { href: itemHref(i.implementation_code) }, i.department)),
      h('td', { 'data-label': '事项名称' }, i.name),
      h('td', { 'data-label': '不同之处' }, i.differs.length ? i.differs.map((f) => LABELS[f] || f).join('、') : el('span', '与多数一致', 'ok')));
    tbody.append(tr);
  }
  for (const d of rep.differences) {
    const sec = h('section', { class: 'card variant-card', 'data-field': d.field, 'aria-labelledby': `v-${d.field}` },
      h('h2', { id: `v-${d.field}` }, `${LABELS[d.field] || d.field}：${d.variants.length} 种做法`));
    const list = h('div', { class: 'variants' });
    d.variants.forEach((v, n) => {
      const who = h('ul', { class: 'users' });
      for (const c of v.implementations) {
        const i = impls.get(c);
        who.append(h('li', {}, h('a', { href: itemHref(c) }, i ? `${i.region_name} · ${i.department}` : c)));
      }
      const head = h('h3', {}, `做法${n + 1}`, ' ',
        v === d.norm ? el('span', '多数做法', 'badge badge-green') : el('span', '与多数不同', 'badge badge-red'),
        ' ', el('span', `${v.implementations.length} 个地方采用`, 'muted'));
      list.append(h('div', { class: `variant${v === d.norm ? ' norm' : ' odd'}` }, head, valueNode(d.field, v.value),
        el('p', '采用此做法的：', 'muted'), who));
    });
    sec.append(list);
    diffs.append(sec);
  }
}

async function main() {
  const who = await shell({ active: 'catalog', signIn: true });
  if (!who) return;
  const regions = myRegions(who);
  const q = new URLSearchParams(location.search);
  const want = q.get('region');
  if (want && !regions.includes(want)) regions.push(want);
  for (const code of regions.length ? regions : ['330000']) {
    pick.region.append(h('option', { value: code }, await regionName(code)));
  }
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    history.pushState(null, '', `?${new URLSearchParams({ basic_code: pick.basic_code.value.trim(), region: pick.region.value })}`);
    load();
  });
  window.addEventListener('popstate', load);
  await load();
}

main();
