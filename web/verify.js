// Public verification of an e-certificate: by its identifier (also from
// the page address after #, where the QR code leads), or by the
// certificate file itself. By identifier anyone may ask, so the answer
// names no holder and no number; the one holding the file gets those too.
// Text is set with textContent only.
import { el } from '/session.js';
import { filePicker } from '/ui.js';
import { shell } from '/shell.js';

shell({ active: 'verify' });

const verdicts = {
  valid: ['有效：由发证机关签发，签名核验通过', 'ok'],
  revoked: ['已注销', 'bad'],
  expired: ['已过期', 'bad'],
  forged: ['核验不通过：证照标识或签名无效，可能被篡改', 'bad'],
  unknown: ['未找到：证照登记中没有此标识', 'bad'],
};

function show(status, j) {
  const answer = document.getElementById('answer');
  answer.replaceChildren();
  if (status === 400) {
    answer.append(el('p', `格式有误：${j.reason}`, 'bad'));
    return;
  }
  if (status === 429) {
    answer.append(el('p', '核验次数过多，请稍后再试', 'bad'));
    return;
  }
  const [text, cls] = verdicts[j.status] || [j.status, 'bad'];
  answer.append(el('p', text, cls));
  if (!j.type) return;
  const rows = [
    ['证照类型', j.type.name],
    ['发证机关', `${j.issuer.name}（${j.issuer.code}）`],
  ];
  if (j.holder) {
    rows.push(['持证人', j.holder], ['证照编号', j.number], ['发证日期', j.issued_on]);
  }
  rows.push(['有效期', `${j.valid_from} 至 ${j.valid_to || '长期'}`]);
  if (j.revoke_reason) rows.push(['注销原因', j.revoke_reason]);
  // Issued at another province's platform (跨省互认): its signature was
  // checked here with the key that platform sent over the peer link.
  if (j.platform) rows.push(['签发平台', j.platform.name]);
  const dl = el('dl');
  for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
  answer.append(dl);
  if (j.platform) {
    answer.append(el('p', j.register_checked
      ? `此证照由${j.platform.name}签发：签名已用该平台经跨省通办通道同步的密钥核验，注销状态已向该平台证照库查询。`
      : `此证照由${j.platform.name}签发：签名已用该平台同步的密钥核验；暂时无法连接该平台，是否已被注销未能查询，请稍后再核验一次。`,
    j.register_checked ? 'note' : 'bad'));
  }
  if (!j.holder) {
    answer.append(el('p',
      '按证照标识核验不显示持证人和证照编号，以保护个人信息。请核对对方出示的证照，'
      + '其类型、发证机关和有效期应与上面一致；持有证照文件的，可在上方上传该文件核验全部内容。',
      'note'));
  }
}

async function verifyId(id) {
  const r = await fetch(`/api/v1/certificates/${encodeURIComponent(id)}/verify`);
  show(r.status, await r.json().catch(() => ({})));
}

async function verifyFile(file) {
  let doc;
  try {
    doc = JSON.parse(await file.text());
  } catch {
    show(400, { reason: '不是电子证照文件（JSON）' });
    return;
  }
  // Without the session: nothing here is done as the signed-in person.
  const r = await fetch('/api/v1/certificates/verify', {
    method: 'POST',
    credentials: 'omit',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(doc),
  });
  show(r.status, await r.json().catch(() => ({})));
}

document.getElementById('verify').addEventListener('submit', (ev) => {
  ev.preventDefault();
  verifyId(document.getElementById('id').value.trim());
});

// The certificate file: chosen with a button in Chinese (ui.js).
const pick = filePicker({ label: '选择证照文件', ariaLabel: '持证人提供的电子证照文件' });
pick.input.accept = '.json,application/json';
pick.input.id = 'file';
pick.node.querySelector('label').htmlFor = 'file';
document.getElementById('file').replaceWith(pick.node);

document.getElementById('doc').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const file = pick.input.files[0];
  if (file) verifyFile(file);
});

if (location.hash.length > 1) {
  const id = decodeURIComponent(location.hash.slice(1));
  document.getElementById('id').value = id;
  verifyId(id);
}
