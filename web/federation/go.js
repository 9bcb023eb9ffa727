// 全程网办 across provinces, at the person's home platform: they confirm
// that their name and identity number go to the peer platform named by
// ?to=PROVINCE, this platform signs a short-lived assertion, and the page
// takes them to the peer's arrival page with it (in the address fragment,
// which browsers never send to a server). ?next= is the page of the peer
// to go on to. Text is set with textContent only.
import { api, el, h } from '/ui.js';
import { shell } from '/shell.js';

const box = document.getElementById('go');
const params = new URLSearchParams(location.search);
const to = params.get('to') || '';
const next = params.get('next') || '/';

async function main() {
  const who = await shell({ signIn: true });
  if (!who) return;
  const peers = await api('GET', '/api/v1/federation/platforms');
  const peer = ((peers.body && peers.body.items) || []).find((p) => p.province === to);
  if (!peer) {
    box.replaceChildren(el('h2', '无法前往'),
      el('p', '本平台尚未与该省份的政务服务平台互联，或互联已暂停。', 'bad'),
      h('p', {}, h('a', { href: '/' }, '返回首页')));
    return;
  }
  if (who.acting_for) {
    box.replaceChildren(el('h2', '请以个人身份前往'),
      el('p', `您正在代 ${who.acting_for.name} 办事。跨省认证只代表您本人，请先在页面顶部切换为“个人办事”。`, 'bad'));
    return;
  }
  const msg = el('p', '', 'bad');
  msg.setAttribute('role', 'alert');
  const ok = h('button', { type: 'button', class: 'primary' }, `同意并前往${peer.name}`);
  const cancel = h('a', { href: '/' }, '不去了，返回首页');
  box.replaceChildren(
    el('h2', `前往 ${peer.name}`),
    el('p', `您将以本平台账号登录 ${peer.name}，无需在那里重新注册。本平台会向对方提供以下信息：`),
    h('dl', { class: 'facts' },
      el('dt', '姓名'), el('dd', who.name),
      el('dt', '公民身份号码'), el('dd', who.login),
      el('dt', '实名核验'), el('dd', who.identity_proven ? '已通过本平台实名核验' : '尚未实名核验')),
    el('p', '凭证由本平台签名，5 分钟内有效，只能使用一次；对方据此为您开立或登录账户。'),
    h('p', {}, ok, ' ', cancel),
    msg);
  ok.addEventListener('click', async () => {
    ok.disabled = true;
    const r = await api('POST', '/api/v1/federation/assertions', { audience: to });
    if (!r.ok) {
      msg.textContent = `未能生成身份凭证：${r.body.reason || r.status}`;
      ok.disabled = false;
      return;
    }
    const frag = new URLSearchParams({ a: r.body.assertion, s: r.body.signature, next });
    location.href = `${r.body.peer_url}/federation/arrive.html#${frag}`;
  });
  ok.focus();
}

main();
