// 数据使用记录 (/my/data-usage.html): every time a department checked my
// data (or that of the business I act for) through data sharing instead
// of asking me for a certificate: when, which department and official,
// what was checked, why and for which case; refused queries too. Newest
// first, 50 at a time. Text only.
import { api, badge, el, h, reasonOf, when } from '/ui.js';
import { shell } from '/shell.js';
import { mineNav, whose } from '/my/common.js';

const main = document.getElementById('main');
const who = await shell({ active: 'my', signIn: true });

// What a use looked at, in words: the statements checked (yes/no answers
// only) or the fields read.
function what(u) {
  if (u.assertions.length) return `核验：${u.assertions.map((a) => a.label).join('；')}`;
  if (u.fields.length) return `查询字段：${u.fields.join('、')}`;
  return '未指明查询内容';
}

// Who asked, in words.
const BY = {
  official: (u) => `工作人员 ${u.official}`,
  system: () => '部门业务系统',
  platform: () => '提交申请时平台在线核验（经您同意）',
};

function item(u) {
  const li = h('li', { class: 'use' });
  const head = h('h2', {}, u.department.name || '（未知部门）');
  head.append(' ', u.outcome === 'answered' ? badge('已核验', 'green') : badge('被拒绝', 'red'));
  li.append(head,
    el('p', `${when(u.at)} · ${BY[u.by](u)}`, 'muted'),
    el('p', `${u.resource.name || '（未知资源）'}：${what(u)}`),
    el('p', `用途：${u.purpose || '（未说明）'}`));
  if (u.case_no) {
    li.append(h('p', {}, '办件：', h('a', { href: `/my/case.html?no=${encodeURIComponent(u.case_no)}` }, u.case_no)));
  }
  if (u.outcome !== 'answered' && u.reason) li.append(el('p', `拒绝原因：${u.reason}`, 'muted'));
  return li;
}

if (who) {
  const list = h('ul', { class: 'inbox', id: 'uses' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, '查看更早的记录');
  const status = h('p', { role: 'status', class: 'muted' });
  let before = 0;
  const load = async () => {
    more.disabled = true;
    const r = await api('GET', `/api/v1/me/data-usage?limit=50${before ? `&before=${before}` : ''}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = `无法读取记录：${reasonOf(r.body, r.status)}`;
      return;
    }
    for (const u of r.body.items) list.append(item(u));
    if (!list.children.length) list.append(el('li', '还没有部门查询过您的数据。', 'empty'));
    before = r.body.next_before || 0;
    more.hidden = !before;
  };
  more.addEventListener('click', load);
  main.replaceChildren(el('h1', who.acting_for ? `${whose(who)}的数据使用记录` : '我的数据使用记录', 'page'),
    mineNav('data'),
    h('section', { class: 'card' },
      el('p', '政府部门办理您的事项时，可以通过数据共享在线核验您的信息，您不必再去开证明。'
        + '每一次查询，无论是否获准，都记录在这里：哪个部门、哪位工作人员、查了什么、为了哪个办件。', 'muted'),
      list, more, status));
  await load();
}
