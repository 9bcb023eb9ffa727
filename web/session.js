// The sign-in form of the older pages (#login, #login-id, #login-pw,
// #login-msg); everything else comes from the shared page layer, ui.js.
import { signIn } from '/ui.js';

export { api, el, signedIn, signIn } from '/ui.js';

// Wires the page's sign-in form: done() runs once signed in.
export function bindSignIn(done) {
  document.getElementById('login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await signIn(document.getElementById('login-id').value.trim(),
      document.getElementById('login-pw').value);
    const msg = document.getElementById('login-msg');
    msg.textContent = r.ok ? '' : `登录失败：${r.reason}`;
    if (r.ok) done();
  });
}
