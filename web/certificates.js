// "My e-certificates": lists the signed-in person's certificates with the
// face, the status and a QR code that leads to the public verification.
// Text is set with textContent only; nothing from the server becomes HTML.
import { api, bindSignIn, el, signedIn } from '/session.js';
import { filePicker } from '/ui.js';
import { shell } from '/shell.js';

shell({ active: 'certificates' });

const statusNames = { valid: '有效', revoked: '已注销', expired: '已过期', forged: '签名无效' };


// One certificate; a peer's (issued at another province's platform) has
// no QR or file here: it is verified at its own platform.
function card(c, here = true) {
  const box = el('article', undefined, 'cert');
  box.append(el('h3', c.type.name));
  const st = el('p', `状态：${statusNames[c.status] || c.status}`, c.status === 'valid' ? 'ok' : 'bad');
  box.append(st);
  const dl = el('dl');
  const rows = [
    ['证照编号', c.number],
    ['发证机关', c.issuer.name],
    ['发证日期', c.issued_on],
    ['有效期', `${c.valid_from} 至 ${c.valid_to || '长期'}`],
    ...c.face.map((f) => [f.label, f.value || '—']),
    ['证照标识', c.identifier],
  ];
  for (const [k, v] of rows) {
    dl.append(el('dt', k), el('dd', v));
  }
  box.append(dl);
  if (!here) return box;
  const qr = el('img');
  qr.src = `/api/v1/certificates/${encodeURIComponent(c.identifier)}/qr.svg`;
  qr.alt = '核验二维码';
  qr.className = 'qr';
  box.append(qr);
  const link = el('a', '在线核验');
  link.href = `/verify.html#${encodeURIComponent(c.identifier)}`;
  // The file itself: whoever is shown it can verify all of it on the
  // verification page (by identifier the holder is not shown).
  const file = el('a', '下载证照文件');
  file.href = `/api/v1/certificates/${encodeURIComponent(c.identifier)}`;
  file.download = `${c.identifier}.json`;
  const para = el('p');
  para.append(link, ' ', file);
  box.append(para);
  return box;
}

async function load() {
  const r = await fetch('/api/v1/me/certificates');
  if (r.status === 401) {
    document.getElementById('signin').hidden = false;
    document.getElementById('list').hidden = true;
    return;
  }
  const j = await r.json();
  document.getElementById('signin').hidden = true;
  document.getElementById('list').hidden = false;
  // An account whose identity number the population registry could not
  // check is shown no certificate until the person proves who they are.
  if (r.status === 403 && j.field === 'identity_proven') {
    const c = document.getElementById('count');
    c.textContent = '您的身份尚未核验：公民身份号码未能在人口基础信息库中核对，暂不能查看和使用电子证照。'
      + '请携带本人居民身份证到就近的政务服务中心窗口核验身份，核验后即可查看。';
    c.className = 'bad';
    document.getElementById('certs').replaceChildren();
    return;
  }
  document.getElementById('count').textContent = `本省签发的电子证照共 ${j.items.length} 本`;
  const list = document.getElementById('certs');
  list.replaceChildren(...j.items.map((c) => card(c)));
}

// ---- certificates of other provinces (跨省互认) --------------------------------

const REFUSED = {
  'record.holder': '这本证照不是签发给您的。',
  'record.key_id': '不是已互认的省份政务服务平台签发的证照（或该平台的密钥尚未同步）。',
  identity_proven: '您的身份尚未核验，暂不能添加电子证照。',
};

function acrossCard(c) {
  const box = card({ ...c, status: 'valid' }, false);
  // Issued elsewhere: verified here by its platform's key and register.
  box.insertBefore(el('p', `签发平台：${c.platform.name}（已向该平台核验）`, 'note'), box.querySelector('dl'));
  const link = el('a', '在线核验');
  link.href = `/verify.html#${encodeURIComponent(c.identifier)}`;
  const para = el('p');
  para.append(link);
  box.append(para);
  return box;
}

async function loadAcross() {
  const box = document.getElementById('across');
  const r = signedIn() ? await api('GET', '/api/v1/me/certificates/across') : { ok: false };
  if (!r.ok) { box.hidden = true; return; }
  box.hidden = false;
  document.getElementById('across-list').replaceChildren(...r.body.items.map(acrossCard));
}

const pick = filePicker({ label: '选择证照文件' });
pick.input.accept = '.json,application/json';
document.getElementById('across-file').replaceWith(pick.node);
document.getElementById('across-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const msg = document.getElementById('across-msg');
  const file = pick.input.files[0];
  if (!file) { msg.textContent = '请先选择证照文件。'; msg.className = 'bad'; return; }
  let doc;
  try { doc = JSON.parse(await file.text()); } catch { doc = null; }
  if (!doc) { msg.textContent = '不是电子证照文件（JSON）。'; msg.className = 'bad'; return; }
  const r = await api('POST', '/api/v1/me/certificates/across', { document: doc });
  if (r.ok) {
    msg.textContent = '已核验并添加，办事时将自动调用。';
    msg.className = 'ok';
    await loadAcross();
    return;
  }
  msg.textContent = REFUSED[r.body.field] || `未能添加：${r.body.reason || r.status}`;
  msg.className = 'bad';
});

bindSignIn(async () => { await load(); await loadAcross(); });

load().then(loadAcross);
