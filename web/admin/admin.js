// The administrators' page (/admin/), 跨省通办: this platform as peers see
// it (its exchange key, to give to their administrators, and rotating
// it), the peer platforms (registering one, checking the link, bringing
// its offered items here, suspending and resuming, adding a key), and the
// messages sent to them, the dead ones first with why and a button to
// send them again. Every action asks the API, which asks the policy
// table; text is set with textContent only.
import { api, badge, el, h, reasonOf, showErrors, when } from '/ui.js';
import { shell } from '/shell.js';

const main = document.getElementById('main');
const STATE = { active: ['互联中', 'green'], suspended: ['已暂停', 'red'] };
const MSG = { pending: ['待投递', 'yellow'], delivered: ['已投递', 'green'], dead: ['投递失败', 'red'] };
const KIND = {
  ping: '测试连接', 'key.announce': '通知新密钥', 'catalog.request': '同步事项目录',
};

const who = await shell({ active: 'admin', signIn: true });
if (who) start(who);

function start(me) {
  if (!(me.pages || []).includes('admin')) {
    main.replaceChildren(h('section', { class: 'card' }, el('h2', '没有系统管理权限'),
      el('p', '此页面仅供系统管理员使用。')));
    return;
  }
  const self = h('section', { class: 'card', id: 'self', 'aria-labelledby': 'self-h' });
  const peers = h('section', { class: 'card', id: 'peers', 'aria-labelledby': 'peers-h' });
  const add = h('section', { class: 'card', id: 'add-peer', 'aria-labelledby': 'add-h' });
  const outbox = h('section', { class: 'card', id: 'outbox', 'aria-labelledby': 'outbox-h' });
  main.replaceChildren(self, peers, add, outbox);
  showSelf(self);
  showPeers(peers);
  showAdd(add, () => showPeers(peers));
  showOutbox(outbox, 'dead');
}

// A message beside the buttons, in the section's [role=status].
function say(box, text, cls) {
  const s = box.querySelector('[role=status]');
  s.textContent = text;
  s.className = cls || '';
}

async function showSelf(box) {
  const r = await api('GET', '/api/v1/federation/self');
  const head = h('h2', { id: 'self-h' }, '本平台');
  if (!r.ok) {
    box.replaceChildren(head, el('p', reasonOf(r.body, r.status), 'bad'));
    return;
  }
  const pem = h('textarea', { readonly: true, rows: '5', 'aria-label': '本平台交换公钥（PEM）' });
  pem.value = r.body.public_pem;
  const rotate = h('button', { type: 'button' }, '轮换交换密钥');
  const status = h('p', { role: 'status' });
  rotate.addEventListener('click', async () => {
    if (!confirm('轮换后本平台用新密钥签名，新公钥会自动通知所有互联平台；旧密钥保留用于核验此前的签名。确定轮换吗？')) return;
    const x = await api('POST', '/api/v1/federation/keys', {});
    if (x.ok) showSelf(box);
    else say(box, `轮换未成功：${reasonOf(x.body, x.status)}`, 'bad');
  });
  box.replaceChildren(head,
    h('dl', {}, el('dt', '服务省份'), el('dd', `${r.body.name}（${r.body.province}）`),
      el('dt', '交换密钥标识'), el('dd', r.body.key_id),
      el('dt', '历史密钥'), el('dd', `${r.body.keys.length - 1} 个（保留用于核验）`)),
    el('p', '对方平台登记本平台时，需要填写以下公钥：', 'muted'), pem,
    h('p', { class: 'actions' }, rotate), status);
}

async function showPeers(box) {
  const head = h('h2', { id: 'peers-h' }, '互联平台');
  const r = await api('GET', '/api/v1/federation/peers');
  if (!r.ok) {
    box.replaceChildren(head, el('p', reasonOf(r.body, r.status), 'bad'));
    return;
  }
  const status = h('p', { role: 'status' });
  if (!r.body.items.length) {
    box.replaceChildren(head, el('p', '尚未登记互联平台。在下方“登记互联平台”中填写对方的信息。', 'muted'), status);
    return;
  }
  const list = h('ul', { class: 'plain' });
  for (const p of r.body.items) {
    const [stateText, colour] = STATE[p.state] || [p.state, 'plain'];
    const m = p.messages;
    const act = (label, path, body, done) => {
      const b = h('button', { type: 'button' }, label);
      b.addEventListener('click', async () => {
        b.disabled = true;
        const x = await api('POST', path, body);
        b.disabled = false;
        if (x.ok) {
          say(box, done, 'ok');
          setTimeout(() => showPeers(box), 1500);
        } else say(box, `${label}未成功：${reasonOf(x.body, x.status)}`, 'bad');
      });
      return b;
    };
    const base = `/api/v1/federation/peers/${p.id}`;
    const buttons = [
      act('测试连接', `${base}/ping`, {}, `已向${p.name}发送测试消息，稍后在下方“交换消息”中查看结果。`),
      act('同步事项目录', `${base}/catalog-sync`, {}, `已请求${p.name}的跨省通办事项，同步完成后群众即可在“办事服务”中查到。`),
      p.state === 'active'
        ? act('暂停互联', `${base}/state`, { state: 'suspended' }, `已暂停与${p.name}的互联：不再发送，也不接收对方的消息。`)
        : act('恢复互联', `${base}/state`, { state: 'active' }, `已恢复与${p.name}的互联，暂存的消息将陆续发出。`),
    ];
    const keyForm = h('form', { class: 'add-key' },
      h('label', { for: `key-${p.id}` }, '添加对方新公钥（对方轮换密钥而未能自动通知时）'),
      h('textarea', { id: `key-${p.id}`, name: 'public_pem', rows: '3', required: true }),
      h('p', {}, h('button', { type: 'submit' }, '添加公钥')), h('p', { role: 'alert' }));
    keyForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const x = await api('POST', `${base}/keys`, { public_pem: keyForm.public_pem.value.trim() });
      showErrors(keyForm, x);
      if (x.ok) showPeers(box);
    });
    list.append(h('li', { class: 'peer' },
      h('h3', {}, `${p.name} `, badge(stateText, colour)),
      h('dl', {}, el('dt', '省份'), el('dd', p.province),
        el('dt', '地址'), el('dd', p.base_url),
        el('dt', '公钥'), el('dd', p.keys.map((k) => k.key_id).join('、')),
        el('dt', '发出消息'), el('dd', `已投递 ${m.delivered}，待投递 ${m.pending}，投递失败 ${m.dead}`),
        el('dt', '收到消息'), el('dd', String(m.received))),
      h('p', { class: 'actions' }, ...buttons),
      h('details', {}, h('summary', {}, '添加公钥'), keyForm)));
  }
  box.replaceChildren(head, list, status);
}

function showAdd(box, done) {
  const form = h('form', { id: 'peer-form' },
    h('label', { for: 'peer-province' }, '对方省份代码（GB/T 2260，如 440000）'),
    h('input', { id: 'peer-province', name: 'province', required: true, maxlength: '6', inputmode: 'numeric' }),
    h('label', { for: 'peer-name' }, '平台名称'),
    h('input', { id: 'peer-name', name: 'name', required: true, maxlength: '64', placeholder: '如：广东政务服务网' }),
    h('label', { for: 'peer-url' }, '平台地址'),
    h('input', { id: 'peer-url', name: 'base_url', required: true, class: 'wide', placeholder: 'https://…' }),
    h('label', { for: 'peer-pem' }, '对方交换公钥（PEM，见对方“系统管理”页）'),
    h('textarea', { id: 'peer-pem', name: 'public_pem', required: true, rows: '5' }),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, '登记')),
    h('p', { role: 'alert', class: 'bad' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const x = await api('POST', '/api/v1/federation/peers', {
      province: form.province.value.trim(), name: form.name.value.trim(),
      base_url: form.base_url.value.trim(), public_pem: form.public_pem.value.trim(),
    });
    showErrors(form, x);
    if (x.ok) {
      form.reset();
      done();
    }
  });
  box.replaceChildren(h('h2', { id: 'add-h' }, '登记互联平台'), form);
}

async function showOutbox(box, state) {
  const tabs = h('p', { class: 'actions', role: 'group', 'aria-label': '消息状态' });
  for (const [s, [text]] of Object.entries(MSG)) {
    const b = h('button', { type: 'button', 'aria-pressed': String(s === state) }, text);
    b.addEventListener('click', () => showOutbox(box, s));
    tabs.append(b);
  }
  const head = h('h2', { id: 'outbox-h' }, '交换消息');
  const r = await api('GET', `/api/v1/federation/outbox?state=${state}&limit=50`);
  if (!r.ok) {
    box.replaceChildren(head, tabs, el('p', reasonOf(r.body, r.status), 'bad'));
    return;
  }
  const status = h('p', { role: 'status' });
  if (!r.body.items.length) {
    box.replaceChildren(head, tabs, el('p', `没有${MSG[state][0]}的消息。`, 'muted'), status);
    return;
  }
  // One entry a message (a phone has no room for a table of seven columns).
  const list = h('ul', { class: 'plain messages' });
  for (const m of r.body.items) {
    const li = h('li', {},
      h('p', {}, el('strong', `${KIND[m.kind] || m.kind} → ${m.peer.name} `), badge(...MSG[m.state])),
      el('p', `${when(m.created_at)} 发出，尝试 ${m.attempts} 次${m.delivered_at ? `，${when(m.delivered_at)} 送达` : ''}`, 'muted'));
    if (m.last_error) li.append(el('p', `原因：${m.last_error}`, m.state === 'dead' ? 'bad' : 'muted'));
    if (m.state === 'dead') {
      const b = h('button', { type: 'button' }, '重新发送');
      b.addEventListener('click', async () => {
        const x = await api('POST', `/api/v1/federation/outbox/${m.id}/retry`, {});
        if (x.ok) showOutbox(box, 'pending');
        else say(box, `重新发送未成功：${reasonOf(x.body, x.status)}`, 'bad');
      });
      li.append(h('p', {}, b));
    }
    list.append(li);
  }
  box.replaceChildren(head, tabs, list, status);
}
