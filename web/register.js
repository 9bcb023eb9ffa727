// Registration (注册): a person registers with name, identity number,
// phone and password (POST /api/v1/auth/register, kind person), sees the
// one-time recovery code, is signed in and goes on to where they came from
// (?next=, a path of this site; else 我的办件). A signed-in person whose
// identity is proven adds their business as its legal representative
// (kind organisation) and then acts for it. Refused fields are marked
// beside the field with the API's Chinese reason (ui.js sends zh-CN).
import { api, el, showErrors, signIn, signInForm } from '/ui.js';
import { shell } from '/shell.js';

const $ = (id) => document.getElementById(id);

// Where to go once done: a path of this site, never another site
// ("//host", "/\host") nor this page again.
function nextPath() {
  const n = new URLSearchParams(location.search).get('next') || '';
  return /^\/(?![/\\])/.test(n) && !n.startsWith('/register.html') ? n : '/my/';
}

// Marks the fields of form named in reasons ({name: reason}) as showErrors
// does for one: the reason beside the field, the first one focused.
function mark(form, reasons) {
  showErrors(form, null);
  let first = null;
  for (const [name, reason] of Object.entries(reasons)) {
    const field = form.elements[name];
    const msg = el('p', reason, 'field-error');
    msg.id = `${field.id}-error`;
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', msg.id);
    field.after(msg);
    first = first || field;
  }
  if (first) first.focus();
  return first === null;
}

// The empty fields of form, each with its Chinese request.
function missing(form, asks) {
  const out = {};
  for (const [name, ask] of Object.entries(asks)) {
    if (!form.elements[name].value.trim()) out[name] = ask;
  }
  return out;
}

// Runs fn with the form's submit button disabled (a double click submits once).
async function once(form, fn) {
  const button = form.querySelector('button[type=submit]');
  if (button.disabled) return;
  button.disabled = true;
  try {
    await fn();
  } finally {
    button.disabled = false;
  }
}

// The bar again, now that the person is signed in.
async function redrawBar() {
  for (const old of document.querySelectorAll('body > .topnav, body > .acting')) old.remove();
  return shell();
}

function showBusiness(who) {
  if (who && who.identity_proven === false) $('unproven').hidden = false;
  else $('business').hidden = false;
}

const person = $('person-form');
person.addEventListener('submit', (ev) => {
  ev.preventDefault();
  once(person, async () => {
    const f = person.elements;
    const wrong = missing(person, {
      name: '请填写姓名', id_number: '请填写公民身份号码', phone: '请填写手机号码', password: '请设置密码',
    });
    if (!wrong.password && f.password.value !== f.password2.value) wrong.password2 = '两次输入的密码不一致';
    if (!mark(person, wrong)) return;
    const idNumber = f.id_number.value.trim().toUpperCase();
    const r = await api('POST', '/api/v1/auth/register', {
      kind: 'person',
      name: f.name.value.trim(),
      id_number: idNumber,
      phone: f.phone.value.trim(),
      password: f.password.value,
    });
    if (!r.ok) {
      showErrors(person, r);
      return;
    }
    const signed = await signIn(idNumber, f.password.value);
    $('person').hidden = true;
    $('recovery').textContent = r.body.recovery_code || '';
    if (!signed.ok) $('done').querySelector('.ok').textContent = '您已注册，请用公民身份号码和密码登录。';
    $('done').hidden = false;
    $('done').querySelector('h2').focus();
    const who = await redrawBar();
    if (who) showBusiness(who);
  });
});

$('go-on').addEventListener('click', () => { location.href = nextPath(); });

$('to-signin').addEventListener('click', () => {
  const box = $('person');
  box.replaceChildren(el('h2', '登录'), signInForm(() => location.reload()));
  box.querySelector('input').focus();
});

const org = $('org-form');
org.addEventListener('submit', (ev) => {
  ev.preventDefault();
  once(org, async () => {
    const wrong = missing(org, { name: '请填写企业名称', credit_code: '请填写统一社会信用代码' });
    if (!mark(org, wrong)) return;
    const code = org.elements.credit_code.value.trim().toUpperCase();
    const r = await api('POST', '/api/v1/auth/register', {
      kind: 'organisation', name: org.elements.name.value.trim(), credit_code: code,
    });
    if (!r.ok) {
      // "Not its legal representative" and "identity not proven" name
      // their field: say why beside it rather than a bare "no permission".
      const field = r.body.field === 'identity_proven' ? null : r.body.field;
      const own = r.status === 403 && field !== 'action' && field !== 'X-CSRF-Token';
      showErrors(org, own ? { ...r, status: 400, body: { ...r.body, field } } : r);
      return;
    }
    org.hidden = true;
    $('org-msg').textContent = `已添加 ${r.body.name}，您是它的经办人。`;
    const act = $('act');
    act.addEventListener('click', async () => {
      act.disabled = true;
      const a = await api('POST', '/api/v1/auth/act-for', { credit_code: code });
      if (a.ok) location.href = nextPath();
      else act.disabled = false;
    });
    $('org-done').hidden = false;
    await redrawBar();
  });
});

const who = await shell();
if (who) showBusiness(who);
else $('person').hidden = false;
