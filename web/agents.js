// "Business agents": the businesses the signed-in person is an agent of,
// each with its agents; an agent adds a registered person (identity number
// and name) or removes one (themself included), and a legal
// representative registers their business. Text is set with textContent
// only; nothing from the server becomes HTML.
import { api, bindSignIn, el, signedIn } from '/session.js';
import { shell } from '/shell.js';

shell({ active: 'agents' });

const $ = (id) => document.getElementById(id);

// The server's refusals, in words a citizen reads.
function addFailure(r) {
  // The English reason is the stable one to match (the server also
  // answers in Chinese, for pages that show its words as they are).
  const reason = r.body.reason_en || r.body.reason || '';
  if (r.status === 400 && r.body.field === 'name') return '请填写姓名。';
  if (r.status === 400 && /not proven/.test(reason)) {
    return '该人员的身份尚未核验，请其先携带居民身份证到政务服务中心窗口核验身份。';
  }
  if (r.status === 400 && /no registered person/.test(reason)) {
    return '没有找到与该公民身份号码和姓名相符的注册用户，请核对后重试（对方须先在本平台注册）。';
  }
  if (r.status === 400) return '公民身份号码格式不正确，请核对后重试。';
  if (r.status === 409) return '此人已是该企业的经办人。';
  return common(r);
}

function removeFailure(r) {
  if (r.status === 409) return '企业至少要保留一名经办人：请先添加其他经办人，再移除。';
  if (r.status === 404) return '此人已不是该企业的经办人。';
  return common(r);
}

function registerFailure(r) {
  const f = r.body.field;
  const reason = r.body.reason_en || r.body.reason || '';
  if (r.status === 400 && f === 'name' && /registered for this credit code/.test(reason)) {
    return '企业名称与市场主体登记信息不一致，请按营业执照上的名称填写。';
  }
  if (r.status === 400 && f === 'name') return '企业名称应为 2 至 100 个字符。';
  if (r.status === 400 && f === 'credit_code' && /business registry/.test(reason)) {
    return '市场主体登记信息中没有这个统一社会信用代码：请先到市场监督管理部门办理登记。';
  }
  if (r.status === 400 && f === 'credit_code') return '统一社会信用代码格式不正确，请核对后重试。';
  if (r.status === 403 && f === 'identity_proven') return '您的身份尚未核验，请先到政务服务中心窗口核验身份。';
  if (r.status === 403 && f === 'credit_code') return '您不是该企业登记的法定代表人（经营者），不能登记该企业。';
  if (r.status === 409) return '该企业已在本平台登记，请联系企业现有的经办人添加您。';
  return common(r);
}

function common(r) {
  if (r.status === 401) return '登录已失效，请重新登录。';
  if (r.status === 403) return '您已不是该企业的经办人，不能进行此操作。';
  return `操作未成功（${r.status}），请稍后重试。`;
}

function since(ts) {
  const d = new Date(ts * 1000);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日起`;
}

function say(node, text, good) {
  node.textContent = text;
  node.className = good ? 'ok' : 'bad';
}

// One business: its agents, a remove button for each, the add form.
async function business(org, acting) {
  const box = el('article', undefined, 'cert');
  box.append(el('h3', org.name));
  box.append(el('p', `统一社会信用代码：${org.credit_code}`));
  if (acting) box.append(el('p', '当前会话正以该企业身份办事。', 'ok'));
  const msg = el('p');
  msg.setAttribute('aria-live', 'polite');
  const path = `/api/v1/organisations/${org.id}/agents`;
  const r = await api('GET', path);
  if (!r.ok) {
    box.append(el('p', common(r), 'bad'));
    return box;
  }
  box.append(el('h4', `经办人（${r.body.items.length} 人）`));
  const list = el('ul', undefined, 'agents');
  for (const a of r.body.items) {
    const li = el('li');
    li.append(el('strong', a.you ? `${a.name}（本人）` : a.name), el('br'),
      el('span', `${a.login} · ${since(a.since)}`), el('br'));
    const btn = el('button', a.you ? '不再担任经办人' : '移除');
    btn.type = 'button';
    btn.addEventListener('click', async () => {
      const ask = a.you ? `确定不再担任“${org.name}”的经办人吗？之后将不能再以该企业身份办事。`
        : `确定移除经办人 ${a.name} 吗？其正在进行的代办将立即停止。`;
      if (!window.confirm(ask)) return;
      btn.disabled = true;
      const d = await api('DELETE', `${path}/${a.person_id}`);
      if (d.ok) {
        await load(a.you ? `您已不再是“${org.name}”的经办人。` : `已移除经办人 ${a.name}。`);
      } else {
        btn.disabled = false;
        say(msg, removeFailure(d), false);
      }
    });
    li.append(btn);
    list.append(li);
  }
  box.append(list);

  const form = el('form');
  const idLabel = el('label', '公民身份号码');
  const idInput = el('input');
  idInput.maxLength = 18;
  idInput.required = true;
  idInput.autocomplete = 'off';
  idInput.id = `add-id-${org.id}`;
  idLabel.htmlFor = idInput.id;
  const nameLabel = el('label', '姓名');
  const nameInput = el('input');
  nameInput.maxLength = 50;
  nameInput.required = true;
  nameInput.id = `add-name-${org.id}`;
  nameLabel.htmlFor = nameInput.id;
  const add = el('button', '添加经办人');
  add.type = 'submit';
  form.append(el('h4', '添加经办人'),
    el('p', '对方须已在本平台注册，且身份已核验；公民身份号码和姓名须与其账号一致。'),
    idLabel, idInput, nameLabel, nameInput, el('br'), add);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    add.disabled = true;
    const name = nameInput.value.trim();
    const p = await api('POST', path, { id_number: idInput.value.trim(), name });
    add.disabled = false;
    if (p.ok) await load(`已添加 ${p.body.name} 为“${org.name}”的经办人。`);
    else say(msg, addFailure(p), false);
  });
  box.append(form, msg);
  return box;
}

async function load(notice) {
  // Changes need this tab's CSRF token, which only signing in here gives.
  const r = await api('GET', '/api/v1/me');
  if (r.status === 401 || !signedIn()) {
    $('signin').hidden = false;
    for (const id of ['orgs', 'register', 'proof']) $(id).hidden = true;
    return;
  }
  const me = r.body;
  $('signin').hidden = true;
  $('proof').hidden = me.identity_proven !== false;
  $('orgs').hidden = false;
  $('register').hidden = me.identity_proven === false;
  $('who').textContent = `${me.name}（${me.login}）`;
  const orgs = me.organisations || [];
  $('none').hidden = orgs.length > 0;
  const acting = me.acting_for ? me.acting_for.id : 0;
  const boxes = [];
  for (const o of orgs) boxes.push(await business(o, o.id === acting));
  $('list').replaceChildren(...boxes);
  if (notice) {
    const p = el('p', notice, 'ok');
    p.setAttribute('role', 'status');
    $('list').prepend(p);
  }
}

$('reg').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const r = await api('POST', '/api/v1/auth/register', {
    kind: 'organisation',
    name: $('reg-name').value.trim(),
    credit_code: $('reg-code').value.trim(),
  });
  if (r.ok) {
    $('reg').reset();
    say($('reg-msg'), '', true);
    await load(`已登记“${r.body.name}”，您是它的经办人。`);
  } else {
    say($('reg-msg'), registerFailure(r), false);
  }
});

bindSignIn(() => load());

load();
