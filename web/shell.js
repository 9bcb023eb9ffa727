// The frame of every page: a top bar with the platform's name, the public
// pages, the officials' pages this person may use (the server asks the
// policy table: /api/v1/me "pages"), who is signed in and for whom they
// act (switchable), and signing out. shell() returns the signed-in person
// (or null); with {signIn: true} a signed-out visitor is asked to sign in
// first, in the page's <main>.
import { api, el, h, me, signedIn, signInForm, signOut } from '/ui.js';

const PUBLIC = [
  ['home', '/', '首页'],
  ['services', '/services.html', '办事服务'],
  ['progress', '/progress.html', '进度查询'],
  ['verify', '/verify.html', '证照核验'],
  ['open', '/open/', '政务公开'],
];
const MINE = [
  ['my', '/my/', '我的办件'],
  ['certificates', '/certificates.html', '我的证照'],
  ['agents', '/agents.html', '企业经办'],
];
const OFFICIAL = {
  window: ['/window/', '综合窗口'],
  workbench: ['/workbench/', '部门工作台'],
  catalog: ['/catalog/', '事项管理'],
  supervision: ['/supervision/', '监督'],
  sharing: ['/sharing/', '数据共享'],
  admin: ['/admin/', '系统管理'],
};

// The province this platform serves (浙江省, 广东省 ...), shown beside the
// brand: a person who came from another province's platform knows where
// they are. Asked once per tab.
async function platformName() {
  const kept = sessionStorage.getItem('tongban.platform');
  if (kept !== null) return kept;
  const r = await fetch('/api/v1/federation/platforms').catch(() => null);
  const name = r && r.ok ? (await r.json()).name || '' : '';
  sessionStorage.setItem('tongban.platform', name);
  return name;
}

function link(key, href, text, active) {
  const a = h('a', { href }, text);
  if (key === active) a.setAttribute('aria-current', 'page');
  return a;
}

// Acts for the business with that credit code ('' for oneself).
async function actFor(code) {
  const r = await api('POST', '/api/v1/auth/act-for', { credit_code: code || null });
  if (r.ok) location.reload();
}

// Builds the bar and puts it first in <body>. opts: {active: key of the
// current page, signIn: ask a signed-out visitor to sign in}.
export async function shell(opts = {}) {
  const who = signedIn() ? await me() : null;
  const nav = h('nav', { class: 'topnav', 'aria-label': '网站导航' });
  const brand = h('a', { href: '/', class: 'brand' }, '通办');
  nav.append(brand);
  platformName().then((name) => { if (name) brand.append(' ', h('small', {}, name)); });
  const links = h('ul', { class: 'navlinks' });
  for (const [key, href, text] of PUBLIC) links.append(h('li', {}, link(key, href, text, opts.active)));
  if (who) {
    for (const [key, href, text] of MINE) links.append(h('li', {}, link(key, href, text, opts.active)));
    for (const page of who.pages || []) {
      const [href, text] = OFFICIAL[page] || [];
      if (href) links.append(h('li', {}, link(page, href, text, opts.active)));
    }
  }
  nav.append(links);
  const user = h('div', { class: 'user' });
  if (who) {
    user.append(el('span', who.name, 'who'));
    if ((who.organisations || []).length) {
      const sel = h('select', { 'aria-label': '以何种身份办事' },
        h('option', { value: '' }, '个人办事'));
      for (const o of who.organisations) {
        const opt = h('option', { value: o.credit_code }, `代 ${o.name} 办事`);
        if (who.acting_for && who.acting_for.id === o.id) opt.selected = true;
        sel.append(opt);
      }
      sel.addEventListener('change', () => actFor(sel.value));
      user.append(sel);
    }
    const out = h('button', { type: 'button', class: 'link' }, '退出');
    out.addEventListener('click', async () => { await signOut(); location.href = '/'; });
    user.append(out);
  } else {
    const a = h('a', { href: '#signin' }, '登录');
    a.addEventListener('click', (ev) => { ev.preventDefault(); askSignIn(); });
    const here = encodeURIComponent(location.pathname + location.search);
    user.append(a, h('a', { href: `/register.html?next=${here}` }, '注册'));
  }
  nav.append(user);
  document.body.prepend(nav);
  if (who && who.acting_for) {
    nav.after(el('p', `您正在代 ${who.acting_for.name} 办事`, 'acting'));
  }
  if (!who && opts.signIn) {
    askSignIn();
    return null;
  }
  return who;
}

// Replaces <main> with a sign-in form; the page starts again once signed in.
function askSignIn() {
  const main = document.querySelector('main');
  const box = h('section', { id: 'signin', class: 'card' }, el('h2', '登录'),
    signInForm(() => location.reload()));
  main.replaceChildren(box);
  box.querySelector('input').focus();
}
