// 跨省代收代办 at the general window (issue 18): the clerk finds an item
// another province's platform offers for cross-province handling, takes
// the applicant's details, the application form that platform's guide
// asks for and a scan of each material, and forwards it there; the
// window's forwards show the state the other platform reports. Files are
// read in the browser and sent as base64 with the application. Text is
// set with textContent only.
import { api, badge, el, h, me, showErrors, stateName, when } from '/ui.js';

const $ = (id) => document.getElementById(id);
const STATE = {
  forwarded: ['已转出，待对方接收', 'yellow'], failed: ['对方未能受理', 'red'],
  completed: ['对方已办结', 'green'], not_accepted: ['对方不予受理', 'red'],
  needs_correction: ['对方要求补正', 'yellow'],
};
let chosen = null; // {peer, code, doc}

async function find(ev) {
  if (ev) ev.preventDefault();
  const q = $('across-q').value.trim();
  const r = await api('GET', `/api/v1/federation/items?per_page=20${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  const list = $('across-items');
  if (!r.ok || !r.body.items.length) {
    list.replaceChildren(el('li', r.ok ? '没有找到外省的跨省通办事项。' : '暂时无法查找，请稍后再试。', 'muted'));
    return;
  }
  list.replaceChildren(...r.body.items.map((it) => {
    const b = h('button', { type: 'button', class: 'link' }, `${it.name}（${it.peer.name} · ${it.department}）`);
    b.addEventListener('click', () => choose(it));
    return h('li', {}, b);
  }));
}

async function choose(it) {
  const r = await api('GET', `/api/v1/federation/items/${encodeURIComponent(it.peer.province)}/${encodeURIComponent(it.code)}`);
  if (!r.ok) return;
  chosen = { peer: it.peer, code: it.code, doc: r.body.doc };
  $('across-item').textContent = `${it.name}（转${it.peer.name}办理）`;
  const fields = $('across-fields');
  fields.replaceChildren(el('legend', '申请表'));
  for (const f of chosen.doc.form_fields || []) {
    const id = `across-f-${fields.querySelectorAll('input').length}`;
    fields.append(h('label', { for: id }, `${f.name}${f.required ? '（必填）' : ''}`),
      h('input', { id, 'data-name': f.name, maxlength: String(f.max_length || 200) }));
  }
  if (!(chosen.doc.form_fields || []).length) fields.append(el('p', '该事项无需填写申请表。', 'muted'));
  const files = $('across-files');
  files.replaceChildren(el('legend', '申请材料（扫描件）'));
  for (const m of chosen.doc.materials || []) {
    if (m.required === 'optional') continue;
    const id = `across-m-${files.querySelectorAll('input').length}`;
    files.append(h('label', { for: id }, `${m.name}${m.required === 'required' ? '（必须）' : ''}`),
      h('input', { id, type: 'file', accept: '.pdf,.jpg,.jpeg,.png,.ofd', 'data-material': m.name }));
  }
  $('across-form').hidden = false;
  $('across-name').focus();
}

// The file as base64 (without the data: prefix).
function base64(file) {
  return new Promise((resolve, reject) => {
    const rd = new FileReader();
    rd.onload = () => resolve(String(rd.result).split(',')[1] || '');
    rd.onerror = () => reject(rd.error);
    rd.readAsDataURL(file);
  });
}

async function send(ev) {
  ev.preventDefault();
  const form = $('across-form');
  const values = {};
  for (const i of $('across-fields').querySelectorAll('input')) if (i.value.trim()) values[i.dataset.name] = i.value.trim();
  const materials = [];
  for (const i of $('across-files').querySelectorAll('input[type=file]')) {
    if (i.files[0]) materials.push({ material: i.dataset.material, name: i.files[0].name, content: await base64(i.files[0]) });
  }
  const applicant = { name: $('across-name').value.trim(), id_number: $('across-id').value.trim().toUpperCase() };
  if ($('across-phone').value.trim()) applicant.phone = $('across-phone').value.trim();
  const r = await api('POST', '/api/v1/federation/forwards', {
    peer: chosen.peer.province, item: chosen.code, applicant, form: values, materials,
  });
  // A refusal names the member (name, id_number, item, materials[i]...):
  // shown beside the field of that name, else above the button.
  showErrors(form, r);
  if (!r.ok) return;
  form.reset();
  form.hidden = true;
  form.querySelector('[role=alert]').textContent = '';
  $('forwards').prepend(el('p', `已代收，编号 ${r.body.forward_no}，已转${chosen.peer.name}办理。`, 'ok'));
  setTimeout(list, 1500);
}

async function list() {
  const r = await api('GET', '/api/v1/federation/forwards?limit=50');
  const box = $('forwards');
  if (!r.ok) return;
  if (!r.body.items.length) {
    box.replaceChildren(el('p', '本窗口还没有代收件。', 'muted'));
    return;
  }
  box.replaceChildren(h('ul', { class: 'plain' }, ...r.body.items.map((f) => {
    const [text, colour] = STATE[f.state] || [stateName(f.state), f.state === 'accepted' ? 'green' : 'plain'];
    const li = h('li', { 'data-forward': f.forward_no },
      h('p', {}, el('strong', `${f.item.name} `), badge(text, colour)),
      el('p', `${f.applicant.name}（${f.applicant.id_number}） · 转${f.peer.name} · ${when(f.created_at)}`, 'muted'),
      el('p', `代收编号 ${f.forward_no}${f.peer_case_no ? `；对方办件编号 ${f.peer_case_no}` : ''}`, 'muted'));
    if (f.handed_out) {
      li.append(el('p', `${f.handed_out.delivery === 'post' ? '已邮寄送达' : '已在本窗口领取'} · ${when(f.handed_out.at)}`, 'ok'));
    } else if (f.state === 'completed') {
      li.append(handOutForm(f));
    }
    return li;
  })));
}

// 统一窗口出件: the result of a forward the peer completed is handed out
// here, or posted from here with its tracking number; the peer is told.
function handOutForm(f) {
  const form = h('form', { class: 'hand-out', novalidate: true });
  const note = h('input', { name: 'note', maxlength: '200', autocomplete: 'off', 'aria-label': '快递公司和运单号（邮寄时必填）', placeholder: '邮寄时填写快递公司和运单号' });
  const send = async (delivery) => {
    const r = await api('POST', `/api/v1/federation/forwards/${encodeURIComponent(f.forward_no)}/hand-out`,
      { delivery, note: note.value.trim() || null });
    if (!r.ok) { showErrors(form, r); return; }
    await list();
  };
  const atWindow = h('button', { type: 'button', class: 'primary' }, '申请人已在窗口领取');
  const byPost = h('button', { type: 'button' }, '已邮寄送达');
  atWindow.addEventListener('click', () => send('window'));
  byPost.addEventListener('click', () => send('post'));
  form.append(el('p', `对方已办结，请通知申请人领取${f.phone ? `（联系电话 ${f.phone}）` : ''}。`),
    note, h('div', { class: 'actions' }, atWindow, byPost), h('p', { role: 'alert', class: 'bad' }));
  return form;
}

// The section's form, built only where the platform has peers (so that
// the window's own form is the only one on the page otherwise).
function build(box) {
  box.replaceChildren(
    h('h2', { id: 'across-h' }, '跨省代收代办'),
    el('p', '外省平台提供的跨省通办事项：在本窗口收取申请和材料，转对方平台办理，办理进度在此查看。', 'muted'),
    h('form', { id: 'across-find', class: 'inline-form' },
      h('label', { for: 'across-q' }, '查找外省事项'),
      h('div', { class: 'row' },
        h('input', { id: 'across-q', name: 'q', maxlength: '50', autocomplete: 'off', placeholder: '例如：个体工商户、异地就医' }),
        h('button', { type: 'submit' }, '查找'))),
    h('ul', { id: 'across-items', class: 'plain' }),
    h('form', { id: 'across-form', novalidate: true, hidden: true },
      h('h3', { id: 'across-item' }),
      h('fieldset', { 'data-field': 'applicant' }, el('legend', '申请人'),
        h('label', { for: 'across-name' }, '申请人姓名'),
        h('input', { id: 'across-name', name: 'name', maxlength: '64', required: true }),
        h('label', { for: 'across-id' }, '申请人公民身份号码'),
        h('input', { id: 'across-id', name: 'id_number', maxlength: '18', required: true, spellcheck: 'false', autocapitalize: 'characters' }),
        h('label', { for: 'across-phone' }, '申请人手机号码'),
        h('input', { id: 'across-phone', name: 'phone', maxlength: '20', inputmode: 'tel' })),
      h('fieldset', { id: 'across-fields', 'data-field': 'form' }, el('legend', '申请表')),
      h('fieldset', { id: 'across-files', 'data-field': 'materials' }, el('legend', '申请材料（扫描件）')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '代收并转对方平台办理')),
      h('p', { role: 'alert', class: 'bad' })),
    el('h3', '本窗口代收件'),
    h('div', { id: 'forwards' }));
}

async function start() {
  const who = await me();
  if (!who || !(who.roles || []).some((g) => g.role === 'window_clerk')) return;
  const peers = await api('GET', '/api/v1/federation/platforms');
  if (!peers.ok || !peers.body.items.length) return;
  build($('across'));
  $('across').hidden = false;
  $('across-find').addEventListener('submit', find);
  $('across-form').addEventListener('submit', send);
  find();
  list();
}

start();
