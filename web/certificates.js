// "My e-certificates": lists the signed-in person's certificates with the
// face, the status and a QR code that leads to the public verification.
// Text is set with textContent only; nothing from the server becomes HTML.
import { bindSignIn, el } from '/session.js';
import { shell } from '/shell.js';

shell({ active: 'certificates' });

const statusNames = { valid: '有效', revoked: '已注销', expired: '已过期', forged: '签名无效' };


function card(c) {
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
  document.getElementById('count').textContent = `共 ${j.items.length} 本电子证照`;
  const list = document.getElementById('certs');
  list.replaceChildren(...j.items.map(card));
}

bindSignIn(load);

load();
