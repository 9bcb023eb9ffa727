// 我的材料 (/my/materials.html): the library — files given for earlier
// cases that later applications reuse — with their validity, a download
// and deleting what was uploaded. Uploading goes through a case: the API
// has no upload into the library alone. Text only.
import { api, day, el, h, reasonOf, showErrors, when } from '/ui.js';
import { shell } from '/shell.js';
import { mineNav, whose } from '/my/common.js';

const main = document.getElementById('main');
const SOURCES = { upload: '上传', window: '窗口收取', certificate: '电子证照', sharing: '数据共享', library: '材料库' };

function validity(m) {
  if (!m.valid_until) return el('span', '长期有效', 'ok');
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  if (m.valid_until < today) return el('span', `已于 ${day(m.valid_until)} 过期`, 'bad');
  return el('span', `有效期至 ${day(m.valid_until)}`, 'ok');
}

function size(n) {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} 字节`;
}

function row(m) {
  const li = h('li', { 'data-material': String(m.id) });
  li.append(el('span', m.name, 'name'));
  const facts = h('span', { class: 'muted' }, `${SOURCES[m.source] || m.source} · ${size(m.size)} · ${when(m.created_at)} · `, validity(m));
  li.append(facts);
  const acts = h('form', { class: 'row-actions' },
    h('a', { href: `/api/v1/me/materials/${m.id}/file`, download: '' }, '下载'));
  if (m.source === 'upload') {
    const del = h('button', { type: 'submit' }, '删除');
    acts.append(del, h('p', { role: 'alert', class: 'bad' }));
    acts.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      // Asked twice, in the page: a first press arms the button.
      if (!del.dataset.armed) {
        del.dataset.armed = '1';
        del.textContent = '确认删除';
        acts.querySelector('[role=alert]').textContent = '删除后以后办事不再自动调用它；已提交的办件不受影响。';
        return;
      }
      del.disabled = true;
      const r = await api('DELETE', `/api/v1/me/materials/${m.id}`);
      del.disabled = false;
      if (!r.ok) { showErrors(acts, r); return; }
      li.remove();
    });
  }
  li.append(acts);
  return li;
}

const who = await shell({ active: 'my', signIn: true });
if (who) {
  const r = await api('GET', '/api/v1/me/materials');
  const list = h('ul', { class: 'mats', id: 'materials' });
  for (const m of (r.ok && r.body.items) || []) list.append(row(m));
  if (r.ok && !list.children.length) list.append(el('li', '材料库中还没有材料。', 'empty'));
  main.replaceChildren(el('h1', who.acting_for ? `${whose(who)}的材料` : '我的材料', 'page'),
    mineNav('materials'),
    h('section', { class: 'card' },
      el('p', '办事时上传过的材料保存在这里，以后申请需要同类材料时自动调用，不必重复提交。过期的材料不会被调用。', 'muted'),
      el('p', '新材料请在办件中上传（申请或补正时），上传后自动存入材料库；暂不支持单独上传到材料库。', 'muted'),
      r.ok ? list : el('p', `无法读取材料：${reasonOf(r.body, r.status)}`, 'bad')));
}
