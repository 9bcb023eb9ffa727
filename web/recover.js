// Account recovery: set a new password with the one-time recovery code
// (POST /api/v1/auth/recover, which works while the account is locked),
// and, when signed in, make a new code (POST /api/v1/me/recovery-code).
// Text is set with textContent only; nothing from the server becomes HTML.
import { api, signedIn } from '/session.js';
import { shell } from '/shell.js';

shell();

// The API's reasons for a refused new password, for citizens.
const passwordReasons = {
  required: '请输入新密码',
  'shorter than 8 characters': '新密码至少 8 个字符',
  'longer than 128 bytes': '新密码太长',
  'digits only': '新密码不能全是数字',
  'not a clean line of UTF-8 text': '新密码含有不能使用的字符',
  'must not contain the identity number': '新密码不能包含身份号码',
  'must not contain the identity number or phone': '新密码不能包含身份号码或手机号码',
};

function minutes(seconds) {
  return Math.max(1, Math.ceil(Number(seconds || 0) / 60));
}

const form = document.getElementById('recover');
const msg = document.getElementById('rc-msg');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  msg.textContent = '';
  const pw = document.getElementById('rc-pw').value;
  if (pw !== document.getElementById('rc-pw2').value) {
    msg.textContent = '两次输入的新密码不一致';
    return;
  }
  const r = await fetch('/api/v1/auth/recover', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      login: document.getElementById('rc-id').value.trim(),
      recovery_code: document.getElementById('rc-code').value.trim(),
      new_password: pw,
    }),
  });
  const j = await r.json().catch(() => ({}));
  if (r.ok) {
    form.hidden = true;
    document.getElementById('rc-new').textContent = j.recovery_code;
    document.getElementById('rc-done').hidden = false;
    return;
  }
  if (r.status === 401) {
    msg.textContent = '身份号码或恢复码不正确';
  } else if (r.status === 429) {
    msg.textContent = `尝试次数过多，请 ${minutes(r.headers.get('Retry-After'))} 分钟后再试`;
  } else if (r.status === 400 && j.field === 'new_password') {
    msg.textContent = passwordReasons[j.reason] || '新密码不符合要求';
  } else if (r.status === 400) {
    msg.textContent = '请填写身份号码、恢复码和新密码';
  } else {
    msg.textContent = '暂时无法办理，请稍后再试';
  }
});

if (signedIn()) {
  document.getElementById('renew').hidden = false;
  document.getElementById('renew-btn').addEventListener('click', async () => {
    const out = document.getElementById('renew-msg');
    const r = await api('POST', '/api/v1/me/recovery-code');
    if (r.ok) {
      out.textContent = '新的恢复码如下，原恢复码已作废。请抄写保管，它只显示这一次：';
      out.className = 'ok';
      document.getElementById('renew-code').textContent = r.body.recovery_code;
    } else {
      out.textContent = r.status === 401 ? '登录已过期，请重新登录' : '暂时无法生成，请稍后再试';
      out.className = 'bad';
    }
  });
}
