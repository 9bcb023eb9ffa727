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
    return h('li', { 'data-forward': f.forward_no },
      h('p', {}, el('strong', `${f.item.name} `), badge(text, colour)),
      el('p', `${f.applicant.name}（${f.applicant.id_number}） · 转${f.peer.name} · ${when(f.created_at)}`, 'muted'),
      el('p', `代收编号 ${f.forward_no}${f.peer_case_no ? `；对方办件编号 ${f.peer_case_no}` : ''}`, 'muted'));
  })));
}

async function start() {
  const who = await me();
  if (!who || !(who.roles || []).some((g) => g.role === 'window_clerk')) return;
  const peers = await api('GET', '/api/v1/federation/platforms');
  if (!peers.ok || !peers.body.items.length) return;
  $('across').hidden = false;
  $('across-find').addEventListener('submit', find);
  $('across-form').addEventListener('submit', send);
  find();
  list();
}

start();
