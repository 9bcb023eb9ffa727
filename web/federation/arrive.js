// 全程网办 across provinces, at the platform the person arrives at: the
// assertion their home platform signed comes in the address fragment; the
// page takes it out of the address at once (so that neither history nor a
// copied link keeps it), hands it to /api/v1/auth/federated and, signed in,
// goes on to ?next (a path of this platform only). Text is set with
// textContent only.
import { el, h, reasonOf } from '/ui.js';
import { shell } from '/shell.js';

const box = document.getElementById('arrive');
const frag = new URLSearchParams(location.hash.slice(1));
history.replaceState(null, '', location.pathname);
const next = frag.get('next') || '/';
const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/';

async function main() {
  if (!frag.get('a') || !frag.get('s')) {
    await shell();
    box.replaceChildren(el('h2', '没有身份凭证'),
      el('p', '请从您所在省份的政务服务平台点击“前往”，或在本平台直接登录。', 'bad'),
      h('p', {}, h('a', { href: '/' }, '返回首页')));
    return;
  }
  const r = await fetch('/api/v1/auth/federated', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
    body: JSON.stringify({ assertion: frag.get('a'), signature: frag.get('s') }),
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) {
    await shell();
    const why = {
      jti: '这张身份凭证已经用过了，请回到您所在省份的平台重新点击“前往”。',
      exp: '身份凭证已过期（5 分钟内有效），请回到您所在省份的平台重新点击“前往”。',
      iss: '本平台尚未与您所在省份的平台互联，或互联已暂停。',
    }[j.field] || `身份凭证未通过核验：${reasonOf(j, r.status)}`;
    box.replaceChildren(el('h2', '登录未成功'), el('p', why, 'bad'),
      h('p', {}, h('a', { href: '/' }, '返回首页')));
    return;
  }
  sessionStorage.setItem('tongban.csrf', j.csrf_token);
  await shell();
  box.replaceChildren(el('h2', `欢迎，${j.account.name}`),
    el('p', '您已用所在省份的政务服务账号登录本平台，可以在线申请本平台的事项。'),
    h('p', {}, h('a', { href: safeNext, class: 'button primary' }, '继续办事')));
  setTimeout(() => { location.href = safeNext; }, 2500);
}

main();
