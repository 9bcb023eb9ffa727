// Public verification of an e-certificate by its identifier (also from
// the page address after #). Text is set with textContent only.
const verdicts = {
  valid: ['有效：由发证机关签发，签名核验通过', 'ok'],
  revoked: ['已注销', 'bad'],
  expired: ['已过期', 'bad'],
  forged: ['核验不通过：证照标识或签名无效，可能被篡改', 'bad'],
  unknown: ['未找到：证照登记中没有此标识', 'bad'],
};

async function verify(id) {
  const answer = document.getElementById('answer');
  answer.replaceChildren();
  const r = await fetch(`/api/v1/certificates/${encodeURIComponent(id)}/verify`);
  const j = await r.json();
  const line = document.createElement('p');
  if (r.status === 400) {
    line.textContent = `标识格式有误：${j.reason}`;
    line.className = 'bad';
    answer.append(line);
    return;
  }
  const [text, cls] = verdicts[j.status] || [j.status, 'bad'];
  line.textContent = text;
  line.className = cls;
  answer.append(line);
  if (j.type) {
    const dl = document.createElement('dl');
    const rows = [
      ['证照类型', j.type.name],
      ['持证人', j.holder],
      ['发证机关', `${j.issuer.name}（${j.issuer.code}）`],
      ['发证日期', j.issued_on],
      ['有效期至', j.valid_to || '长期'],
    ];
    if (j.revoke_reason) rows.push(['注销原因', j.revoke_reason]);
    for (const [k, v] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dl.append(dt, dd);
    }
    answer.append(dl);
  }
}

document.getElementById('verify').addEventListener('submit', (ev) => {
  ev.preventDefault();
  verify(document.getElementById('id').value.trim());
});

if (location.hash.length > 1) {
  const id = decodeURIComponent(location.hash.slice(1));
  document.getElementById('id').value = id;
  verify(id);
}
