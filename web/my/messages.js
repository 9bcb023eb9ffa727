// 我的消息 (/my/messages.html): the inbox — what the platform told me (or
// the business I act for) about my cases, newest first, each leading to
// its case. Text only.
import { api, el, h, reasonOf, when } from '/ui.js';
import { shell } from '/shell.js';
import { mineNav, whose } from '/my/common.js';

const main = document.getElementById('main');
const who = await shell({ active: 'my', signIn: true });
if (who) {
  const r = await api('GET', '/api/v1/me/messages');
  const list = h('ul', { class: 'inbox', id: 'messages' });
  for (const m of (r.ok && r.body.items) || []) {
    const li = h('li', {}, el('h2', m.title), el('p', m.body), el('p', when(m.created_at), 'muted'));
    if (m.case_no) li.append(h('a', { href: `/my/case.html?no=${encodeURIComponent(m.case_no)}` }, '查看办件'));
    list.append(li);
  }
  if (r.ok && !list.children.length) list.append(el('li', '还没有消息。', 'empty'));
  main.replaceChildren(el('h1', who.acting_for ? `${whose(who)}的消息` : '我的消息', 'page'),
    mineNav('messages'),
    r.ok ? h('section', { class: 'card' }, el('p', '办件状态有变化时，平台会在这里通知您（最近 100 条）。', 'muted'), list)
      : el('p', `无法读取消息：${reasonOf(r.body, r.status)}`, 'bad'));
}
