// The page layer every page shares: the session (the cookie is HttpOnly;
// the CSRF token that state-changing requests carry is kept for this tab in
// sessionStorage), API calls that ask for sign-in again when the session
// has ended without losing what was typed, elements whose text is set with
// textContent only, API refusals shown beside the field they name, and
// dates, states and colours in Chinese.
const KEY = 'tongban.csrf';

export async function signIn(login, password) {
  const r = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
    body: JSON.stringify({ login, password }),
  });
  const j = await r.json().catch(() => ({}));
  if (r.ok) sessionStorage.setItem(KEY, j.csrf_token);
  meCache = null;
  const reason = r.status === 401 ? '公民身份号码或密码不正确' : reasonOf(j, r.status);
  return { ok: r.ok, status: r.status, reason };
}

export async function signOut() {
  await call('POST', '/api/v1/auth/logout', {}, false);
  sessionStorage.removeItem(KEY);
  meCache = null;
}

export function signedIn() {
  return sessionStorage.getItem(KEY) !== null;
}

// The reason of an API refusal, as a person can read it.
export function reasonOf(body, status) {
  if (status === 429) return '尝试次数过多，请稍后再试';
  if (status === 401) return '请先登录';
  // A refusal that says why (a grant missing, a case of another
  // department) says it; a bare "forbidden" gets the general words.
  if (status === 403) return (body && body.reason) || '您没有办理此项操作的权限';
  if (status >= 500) return '系统暂时无法处理，请稍后再试';
  return (body && (body.reason || body.error)) || `请求未成功（${status}）`;
}

async function call(method, path, body, again) {
  const headers = { 'Accept-Language': 'zh-CN' };
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
  // A session that ended while the page was open: sign in again in a
  // dialog over the page (what was typed stays), then repeat the call.
  if (r.status === 401 && again && token) {
    sessionStorage.removeItem(KEY);
    if (await signInDialog()) return call(method, path, body, false);
  }
  return { status: r.status, ok: r.ok, body: j };
}

// A JSON API call; body (an object) is sent as JSON, a FormData as is.
// Answers {status, ok, body}.
export function api(method, path, body) {
  return call(method, path, body, true);
}

let meCache = null;
// The signed-in person (GET /api/v1/me), or null; asked once per page.
export async function me(fresh) {
  if (!signedIn()) return null;
  if (!meCache || fresh) {
    const r = await api('GET', '/api/v1/me');
    meCache = r.ok ? r.body : null;
    if (!r.ok) sessionStorage.removeItem(KEY);
  }
  return meCache;
}

// An element with text (never parsed as HTML) and a class.
export function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

// An element with attributes and children (strings become text nodes).
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

// Shows an API refusal in form: beside the field it names (an element of
// the form with that name or data-field), else in the form's [role=alert].
// Clears earlier messages first.
export function showErrors(form, res) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const f of form.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
  const alert = form.querySelector('[role=alert]');
  if (alert) alert.textContent = '';
  if (!res || res.ok) return;
  const reason = reasonOf(res.body, res.status);
  const name = res.body && res.body.field;
  const field = name && (form.querySelector(`[name="${CSS.escape(name)}"]`)
    || form.querySelector(`[data-field="${CSS.escape(name)}"]`));
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    const msg = el('p', reason, 'field-error');
    msg.id = `${field.id || name}-error`;
    field.setAttribute('aria-describedby', msg.id);
    field.after(msg);
    field.focus();
  } else if (alert) {
    alert.textContent = name ? `${name}：${reason}` : reason;
  }
}

// 跨省通办: the peer platforms whose people may sign in here with their
// home account (their platform vouches for them, /federation/go.html
// there); filled in when the platform has peers.
function federatedSignIn() {
  const box = h('div', { class: 'federated', hidden: true });
  fetch('/api/v1/federation/platforms').then((r) => (r.ok ? r.json() : null)).then((j) => {
    if (!j || !j.items.length) return;
    const here = encodeURIComponent(location.pathname + location.search);
    box.append(el('p', '外省群众可用本人所在省份的政务服务账号登录：'));
    const list = h('ul', {});
    for (const p of j.items) {
      list.append(h('li', {}, h('a', { href: `${p.base_url}/federation/go.html?to=${j.province}&next=${here}` },
        `使用${p.name}账号登录`)));
    }
    box.append(list);
    box.hidden = false;
  }).catch(() => {});
  return box;
}

// A sign-in form (identity number and password) that calls done() once
// signed in; the recovery page is linked for a locked account.
export function signInForm(done) {
  const msg = el('p', '', 'bad');
  msg.setAttribute('role', 'alert');
  const form = h('form', { class: 'signin' },
    h('label', { for: 'si-id' }, '公民身份号码'),
    h('input', { id: 'si-id', name: 'login', autocomplete: 'username', maxlength: '18', required: true }),
    h('label', { for: 'si-pw' }, '密码'),
    h('input', { id: 'si-pw', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, '登录')),
    msg,
    h('p', {}, h('a', { href: '/recover.html' }, '账户被锁定或忘记密码？')),
    h('p', {}, '没有账户？',
      h('a', { href: `/register.html?next=${encodeURIComponent(location.pathname + location.search)}` }, '注册')),
    federatedSignIn());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await signIn(form.login.value.trim(), form.password.value);
    msg.textContent = r.ok ? '' : `登录失败：${r.reason}`;
    if (r.ok) done();
  });
  return form;
}

// Asks for sign-in in a dialog over the page; resolves true once signed in,
// false when closed.
export function signInDialog() {
  return new Promise((resolve) => {
    const dlg = el('dialog', undefined, 'dialog');
    const title = el('h2', '登录已过期，请重新登录');
    title.id = 'signin-dialog-h';
    dlg.setAttribute('aria-labelledby', title.id);
    dlg.append(title,
      el('p', '您填写的内容仍保留在页面上。'),
      signInForm(() => { dlg.close(); dlg.remove(); resolve(true); }));
    const cancel = h('button', { type: 'button' }, '取消');
    cancel.addEventListener('click', () => { dlg.close(); dlg.remove(); resolve(false); });
    dlg.append(cancel);
    document.body.append(dlg);
    dlg.showModal();
  });
}

// A file chooser that speaks Chinese: the browser's own file button speaks
// the browser's language, so it is hidden (still focusable) behind a label
// that shows the chosen file. opts: {cls: the input's class, label: the
// button's text, ariaLabel}. Returns {input, node}: node goes in the page.
export function filePicker(opts = {}) {
  const id = `f-${Math.random().toString(36).slice(2, 9)}`;
  const input = h('input', { type: 'file', id, name: 'file', class: `filepick-input ${opts.cls || ''}`.trim(),
    accept: '.pdf,.jpg,.jpeg,.png,.ofd', 'aria-label': opts.ariaLabel });
  const chosen = el('span', '未选择文件', 'muted chosen');
  input.addEventListener('change', () => {
    chosen.textContent = input.files.length ? input.files[0].name : '未选择文件';
  });
  const node = h('span', { class: 'filepick' }, input,
    h('label', { for: id, class: 'filepick-button' }, opts.label || '选择文件'), chosen);
  return { input, node };
}

// The input of a field of an item's application form (def: a FIELD of its
// form_fields, docs/catalog-format.md) holding value: a select of its
// choices, a text area, or an input with the keyboard and limits of its
// type. Named "form.NAME", the field an API refusal names; attrs are added
// (id, class...).
export function fieldInput(def, value, attrs = {}) {
  const a = { name: `form.${def.name}`, required: def.required || undefined, ...attrs };
  let node;
  if (def.type === 'textarea') {
    node = h('textarea', { ...a, maxlength: def.max_length || 1000, rows: 4 });
  } else if (def.type === 'select') {
    node = h('select', a, h('option', { value: '' }, '请选择'),
      ...(def.options || []).map((o) => h('option', { value: o }, o)));
  } else {
    const kind = {
      integer: { inputmode: 'numeric', pattern: '-?[0-9]*' },
      decimal: { inputmode: 'decimal' },
      date: { type: 'date' },
      phone: { type: 'tel', inputmode: 'tel', autocomplete: 'tel' },
      email: { type: 'email', autocomplete: 'email' },
      id_number: { maxlength: 18, autocapitalize: 'characters', spellcheck: 'false' },
      credit_code: { maxlength: 18, autocapitalize: 'characters', spellcheck: 'false' },
    }[def.type] || { maxlength: def.max_length || 100 };
    node = h('input', { type: 'text', ...a, ...kind });
  }
  node.value = value === undefined || value === null ? '' : String(value);
  return node;
}

// Three selects (省, 市, 区县) that pick a region by its name: a person
// never types a code. initial: the code to start at (the deployment's
// province by default). Answers {node, code()}: node goes in the page,
// code() is the region picked (the county, else the city, else the
// province).
export async function regionPicker(initial = '330000') {
  const fill = async (select, parent, all) => {
    const r = await api('GET', parent ? `/api/v1/regions?parent=${parent}` : '/api/v1/regions');
    select.replaceChildren(...(all ? [h('option', { value: '' }, '全部')] : []),
      ...(r.ok ? r.body.items : []).map((g) => h('option', { value: g.code }, g.name)));
  };
  const province = h('select', { id: 'province' });
  const city = h('select', { id: 'city' });
  const county = h('select', { id: 'county' }, h('option', { value: '' }, '全部'));
  const p = `${initial.slice(0, 2)}0000`;
  const c = `${initial.slice(0, 4)}00`;
  await fill(province, '', false);
  province.value = p;
  await fill(city, province.value, true);
  city.value = c !== p ? c : '';
  if (city.value) {
    await fill(county, city.value, true);
    county.value = initial !== c ? initial : '';
  }
  province.addEventListener('change', async () => {
    await fill(city, province.value, true);
    county.replaceChildren(h('option', { value: '' }, '全部'));
  });
  city.addEventListener('change', async () => {
    if (city.value) await fill(county, city.value, true);
    else county.replaceChildren(h('option', { value: '' }, '全部'));
  });
  const node = h('div', { class: 'place' },
    h('label', { for: 'province' }, '省'), province,
    h('label', { for: 'city' }, '市'), city,
    h('label', { for: 'county' }, '区县'), county);
  return { node, code: () => county.value || city.value || province.value };
}

// ---- words and dates ------------------------------------------------------

export const STATES = {
  draft: '草稿', submitted: '已提交', accepted: '已受理', not_accepted: '不予受理',
  needs_correction: '待补正', under_review: '审查中', approved: '已批准', refused: '不予批准',
  completed: '已办结', withdrawn: '已撤回', suspended: '已中止',
};
export const stateName = (s) => STATES[s] || s;

export const COLOURS = { green: '正常', yellow: '临近时限', red: '已超期' };

// Whether a material of an item must be given, in words.
export const REQUIREMENT = { required: '必须', optional: '可选', later: '容缺后补', conditional: '视情形提交' };

// Online depth (网办深度) in words: I the guide is published online, II
// materials pre-checked online, III applied for online, IV fully online.
export const DEPTH = { 1: '网上发布', 2: '网上预审', 3: '网上受理', 4: '全程网办' };

// The channel to apply through online, web or mobile (this site serves
// both), when the catalog entry allows an online application (depth III
// or IV through one of them) and states its case kind and time limits
// (a guide imported as published may not); null otherwise. The server
// holds the same rule (POST /api/v1/cases).
export function onlineChannel(item) {
  if (!item || !(item.online_depth >= 3)) return null;
  if (!item.case_kind || typeof item.promised_days !== 'number' || typeof item.statutory_days !== 'number') return null;
  const ch = item.channels || [];
  if (ch.includes('web')) return 'web';
  return ch.includes('mobile') ? 'mobile' : null;
}

// A badge for a case's clock colour (green, yellow, red) or a state.
export function badge(text, kind) {
  return el('span', text, `badge badge-${kind || 'plain'}`);
}

// "2026年11月30日" from "2026-11-30"; "—" for none.
export function day(ymd) {
  if (!ymd) return '—';
  const [y, m, d] = ymd.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

// Date and time from Unix seconds, in China's time zone.
export function when(ts) {
  if (!ts) return '—';
  return new Date(ts * 1000).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

// Masks an identity number for display: 330106********123X.
export function mask(id) {
  return id && id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : id;
}
