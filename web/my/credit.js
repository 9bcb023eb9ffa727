// 信用记录 (/my/credit.html): the credit records the platform holds of me
// (or of the business I act for): a commitment (告知承诺) that a department
// checked and found false, with its finding, and whether it was repaired
// (信用修复). While one is unrepaired, certificates cannot be replaced by a
// commitment. Text only.
import { api, badge, el, h, reasonOf, when } from '/ui.js';
import { shell } from '/shell.js';
import { mineNav, whose } from '/my/common.js';

const main = document.getElementById('main');
const who = await shell({ active: 'my', signIn: true });

function item(x) {
  const li = h('li', { class: 'use', 'data-record': String(x.id) });
  const head = h('h2', {}, '告知承诺不实');
  head.append(' ', x.restricts ? badge('未修复', 'red') : badge('已修复', 'green'));
  li.append(head,
    el('p', `${when(x.recorded_at)} · ${x.department.name}记录`, 'muted'),
    el('p', `事项：${x.item_name}；承诺代替的材料：${x.material}`),
    el('p', `核查情况：${x.finding}`),
    h('p', {}, '办件：', h('a', { href: `/my/case.html?no=${encodeURIComponent(x.case_no)}` }, x.case_no)));
  if (x.repaired_at) li.append(el('p', `${when(x.repaired_at)} 已修复：${x.repair_reason}`, 'ok'));
  else li.append(el('p', '信用修复前，办理事项时不能以告知承诺代替证明材料。整改后可向记录部门申请信用修复。', 'muted'));
  return li;
}

if (who) {
  const list = h('ul', { class: 'inbox', id: 'records' });
  const status = h('p', { role: 'status', class: 'muted' });
  main.replaceChildren(el('h1', who.acting_for ? `${whose(who)}的信用记录` : '我的信用记录', 'page'),
    mineNav('credit'),
    h('section', { class: 'card' },
      el('p', '办理事项时以告知承诺代替证明材料的，办理部门会事后核查；承诺经核查不实的，记入信用记录，显示在这里。', 'muted'),
      list, status));
  const r = await api('GET', '/api/v1/me/credit-records');
  if (!r.ok) status.textContent = `无法读取记录：${reasonOf(r.body, r.status)}`;
  else {
    for (const x of r.body.items) list.append(item(x));
    if (!list.children.length) list.append(el('li', '没有信用记录。您作出的告知承诺均未发现不实。', 'empty'));
  }
}
