// 我的办件 (/my/): the cases of the signed-in person, or of the business
// they act for — drafts, in handling, corrections asked, finished — each
// with where it is on its way, its deadline and the colour of its clock,
// leading to the case page. Cases a clerk opened at a window show too.
// Text is set with textContent only.
import { api, badge, el, h, reasonOf, stateName, when } from '/ui.js';
import { shell } from '/shell.js';
import { clockBadge, deadline, mineNav, track, whose } from '/my/common.js';

// The tabs: an API state filter, or a group picked from all cases.
const TABS = [
  ['', '全部'],
  ['needs_correction', '待补正'],
  ['draft', '草稿'],
  ['handling', '办理中'],
  ['completed', '已办结'],
];
const HANDLING = new Set(['submitted', 'accepted', 'under_review', 'suspended', 'approved']);

const main = document.getElementById('main');
const list = h('ul', { class: 'cases', id: 'cases', 'aria-live': 'polite' });
const alert = h('p', { role: 'alert', class: 'bad' });

function card(c) {
  const open = h('a', { class: 'open', href: `/my/case.html?no=${encodeURIComponent(c.case_no)}` },
    el('h2', c.item_name));
  const meta = h('div', { class: 'meta' },
    badge(stateName(c.state), c.state === 'needs_correction' ? 'red' : 'plain'));
  const clock = clockBadge(c.clock);
  if (clock) meta.append(clock);
  if (c.channel === 'window') meta.append(badge('窗口代为申请', 'plain'));
  open.append(meta);
  const t = track(c.state);
  if (t) open.append(t);
  const due = deadline(c.clock);
  if (due && c.state !== 'completed') open.append(el('p', due, 'muted'));
  if (c.state === 'needs_correction') open.append(el('p', '需要补正材料，请查看一次性告知并重新提交', 'attention-text'));
  if (c.state === 'draft') open.append(el('p', '尚未提交，点击继续办理', 'muted'));
  open.append(el('p', `办件编号 ${c.case_no}`, 'case-no'));
  if (c.submitted_at) open.append(el('p', `提交于 ${when(c.submitted_at)}`, 'muted'));
  const li = h('li', { class: 'case-card', 'data-case': c.case_no, 'data-state': c.state }, open);
  if (c.clock && c.clock.colour) li.classList.add(`clock-${c.clock.colour}`);
  if (c.state === 'needs_correction') li.classList.add('attention');
  return li;
}

async function show(tab) {
  for (const b of document.querySelectorAll('.tabs button')) {
    b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
  }
  const state = tab && tab !== 'handling' ? `&state=${tab}` : '';
  const r = await api('GET', `/api/v1/cases?view=mine&limit=200${state}`);
  alert.textContent = r.ok ? '' : `无法读取办件：${reasonOf(r.body, r.status)}`;
  if (!r.ok) { list.replaceChildren(); return; }
  let items = r.body.items || [];
  if (tab === 'handling') items = items.filter((c) => HANDLING.has(c.state));
  list.replaceChildren(...items.map(card));
  if (!items.length) list.append(el('li', '没有这类办件。', 'empty'));
  history.replaceState(null, '', tab ? `?tab=${tab}` : location.pathname);
}

const who = await shell({ active: 'my', signIn: true });
if (who) {
  const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': '按状态筛选' });
  for (const [key, text] of TABS) {
    const b = h('button', { type: 'button', 'data-tab': key, 'aria-pressed': 'false' }, text);
    b.addEventListener('click', () => show(key));
    tabs.append(b);
  }
  const title = who.acting_for ? `${whose(who)}的办件` : '我的办件';
  main.replaceChildren(
    el('h1', title, 'page'),
    mineNav('cases'),
    h('p', { class: 'muted' }, '网上申请的和在窗口为您代为申请的办件都在这里。想办新的事？',
      h('a', { href: '/services.html' }, '去办事服务')),
    tabs, alert, list);
  const want = new URLSearchParams(location.search).get('tab') || '';
  show(TABS.some(([k]) => k === want) ? want : '');
}
