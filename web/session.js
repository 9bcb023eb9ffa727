// What the pages share: signing in (the session cookie is set by the
// server, HttpOnly; the CSRF token that state-changing requests must carry
// is kept for this tab in sessionStorage), API calls, and making elements
// whose text is set with textContent only.
const KEY = 'tongban.csrf';

export async function signIn(login, password) {
  const r = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  const j = await r.json();
  if (r.ok) sessionStorage.setItem(KEY, j.csrf_token);
  return { ok: r.ok, reason: j.reason || j.error };
}

export function signedIn() {
  return sessionStorage.getItem(KEY) !== null;
}

// A JSON API call; body (an object) is sent as JSON, a FormData as is.
export async function api(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(KEY);
  if (token && method !== 'GET') headers['X-CSRF-Token'] = token;
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(path, { method, headers, body: payload });
  const j = await r.json().catch(() => ({}));
  return { status: r.status, ok: r.ok, body: j };
}

// An element with text (never parsed as HTML) and a class.
export function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// Wires the page's sign-in form (#login, #login-id, #login-pw, #login-msg):
// done() runs once signed in.
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
