// The general window (综合窗口): a window clerk finds the applicant at the
// counter, chooses an item of a department the centre receives, fills the
// application form, takes paper materials (a scan, or the original checked
// at the counter), submits, and prints the receipt (受理回执) or, when
// something is missing, the one-time notice (一次性告知书) listing all of
// it at once; finished cases are handed out here (统一窗口出件). Every
// value from the API reaches the page as text (ui.js el/h), never as HTML.
import {
  api, badge, day, el, fieldInput, filePicker, h, REQUIREMENT, showErrors, stateName, when,
} from '/ui.js';
import { shell } from '/shell.js';

const $ = (id) => document.getElementById(id);
const FORMS = { original: '原件', copy: '复印件', electronic: '电子材料' };
const SOURCES = {
  certificate: '已由电子证照提供',
  library: '已从申请人材料库调取',
  sharing: '已通过数据共享获取',
  upload: '已上传扫描件',
  commitment: '申请人已签署告知承诺书',
  window: '原件已在窗口核验',
};
const REASONS = { 'required and not provided': '必须提交，尚未提供' };
// The application form's usual fields; more can be added per case.
const FIELDS = ['申请人', '联系电话', '联系地址', '申请事项说明'];

let clerk = null; // the signed-in clerk (/api/v1/me)
let centre = null; // {id, name} of the clerk's service centre
let applicant = null; // the applicant looked up ({code, kind, name, login, ...})
let items = new Map(); // implementation code -> item document
const departments = new Map(); // id -> name of the departments received
const full = new Map(); // "code@version" -> the whole item document
let current = null; // {caseNo, item, data (GET case)}
const refs = new Map(); // case_no -> Map(material -> sm3) of uploads made here

// The query code is answered once, when the case is opened: kept for this
// tab so that the receipt can still show it after a reload.
const QC = 'tongban.qc.';
const queryCode = (no) => sessionStorage.getItem(QC + no);

function say(node, text, cls) {
  node.replaceChildren(text ? el('p', text, cls || '') : '');
}

function today() {
  return new Date().toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' });
}

// ---- 1. the applicant ------------------------------------------------------

async function findApplicant(ev) {
  ev.preventDefault();
  const form = ev.target;
  const code = form.code.value.trim().toUpperCase();
  const r = await api('GET', `/api/v1/applicants/${encodeURIComponent(code)}`);
  const box = $('applicant');
  if (!r.ok) {
    applicant = null;
    box.hidden = true;
    $('choose').hidden = true;
    if (r.status === 404) r.body = { field: 'code', reason: '没有找到该号码的注册用户，请申请人先注册或核对号码' };
    showErrors(form, { ...r, body: { ...r.body, field: 'code' } });
    return;
  }
  showErrors(form, null);
  applicant = { code, ...r.body };
  const kind = applicant.kind === 'organisation' ? '企业' : '个人';
  const facts = h('dl', {},
    el('dt', '申请人'), el('dd', `${applicant.name}（${kind}）`),
    el('dt', applicant.kind === 'organisation' ? '统一社会信用代码' : '公民身份号码'), el('dd', applicant.login),
    el('dt', '身份核验'), el('dd', applicant.identity_proven ? '已核验' : '未核验（电子证照不会自动调取）'),
    el('dt', '有效电子证照'), el('dd', `${applicant.certificates} 份`),
    el('dt', '材料库文件'), el('dd', `${applicant.library} 份`));
  box.replaceChildren(facts, el('p', '申请人已有的电子证照和材料库文件视同已提交，受理时自动调取。', 'muted'));
  box.hidden = false;
  $('choose').hidden = false;
  if (!$('dept').options.length) await loadDepartments();
  $('dept').focus();
}

// ---- 2. the item -------------------------------------------------------------

async function loadDepartments() {
  const sel = $('dept');
  const alert = $('choose-form').querySelector('[role=alert]');
  const r = await api('GET', `/api/v1/departments?hosted_by=${centre.id}`);
  if (!r.ok) {
    alert.textContent = `无法读取进驻部门：${r.body.reason || r.status}`;
    return;
  }
  for (const d of r.body.items) departments.set(d.id, d.name);
  sel.replaceChildren(...r.body.items.map((d) => h('option', { value: d.id }, d.name)));
  if (!r.body.items.length) alert.textContent = '本中心尚未登记进驻部门，请联系系统管理员。';
  await loadItems();
}

async function loadItems() {
  const sel = $('item');
  const dept = $('dept').value;
  sel.replaceChildren();
  items = new Map();
  if (!dept) return;
  const r = await api('GET', `/api/v1/items?department=${encodeURIComponent(dept)}&per_page=100`);
  if (!r.ok) {
    $('choose-form').querySelector('[role=alert]').textContent = `无法读取事项：${r.body.reason || r.status}`;
    return;
  }
  for (const it of r.body.items) {
    items.set(it.implementation_code, it);
    sel.append(h('option', { value: it.implementation_code }, it.name));
  }
  showItem();
}

function showItem() {
  const it = items.get($('item').value);
  const facts = $('item-facts');
  if (!it) {
    facts.replaceChildren();
    return;
  }
  facts.replaceChildren(
    el('dt', '承诺时限'), el('dd', `${it.promised_days} 个工作日（法定 ${it.statutory_days} 个工作日）`),
    el('dt', '申请材料'), el('dd', it.materials.map((m) => `${m.name}（${REQUIREMENT[m.required] || m.required}）`).join('；')));
}

async function startCase(ev) {
  ev.preventDefault();
  const form = ev.target;
  const it = items.get($('item').value);
  if (!applicant || !it) return;
  const r = await api('POST', '/api/v1/cases', { item: it.implementation_code, applicant: applicant.code });
  if (!r.ok) {
    showErrors(form, r);
    return;
  }
  showErrors(form, null);
  sessionStorage.setItem(QC + r.body.case_no, r.body.query_code);
  await openCase(r.body.case_no, { fresh: true });
}

// ---- 3. the form and the materials ---------------------------------------------

function fieldRow(name, value, custom, def) {
  const id = `f-${Math.random().toString(36).slice(2, 9)}`;
  const row = h('div', { class: 'field' });
  if (custom) {
    const nameInput = h('input', { 'aria-label': '填写项名称', class: 'key', maxlength: '40', placeholder: '填写项名称' });
    nameInput.value = name || '';
    const valueInput = h('input', { 'aria-label': '填写内容', class: 'value', maxlength: '2000', placeholder: '内容' });
    valueInput.value = value || '';
    const remove = h('button', { type: 'button', class: 'link', 'aria-label': '删除此填写项' }, '删除');
    remove.addEventListener('click', () => row.remove());
    row.append(nameInput, valueInput, remove);
  } else {
    // The item's own field as its type wants it; the usual fields as text.
    const input = fieldInput(def || { name, type: 'text', max_length: 2000 }, value,
      { id, class: 'value', 'data-key': name, required: undefined });
    const label = def ? `${name}${def.required ? '（必填）' : ''}${def.unit ? `（${def.unit}）` : ''}` : name;
    row.append(h('label', { for: id }, label), input);
  }
  return row;
}

function showForm(form) {
  const box = $('fields');
  const rows = [];
  const given = { ...(form || {}) };
  // The item's own application form when the catalog defines one (the
  // platform prefilled what it knows), else the usual fields.
  const defs = (current && current.item.form_fields) || [];
  const names = defs.length ? defs.map((d) => d.name) : FIELDS;
  if (!defs.length && !Object.keys(given).length && applicant) given['申请人'] = applicant.name;
  names.forEach((k, i) => rows.push(fieldRow(k, given[k] === undefined ? '' : String(given[k]), false, defs[i])));
  for (const [k, v] of Object.entries(given)) {
    if (!names.includes(k)) rows.push(fieldRow(k, typeof v === 'string' ? v : JSON.stringify(v), true));
  }
  box.replaceChildren(...rows);
}

function readForm() {
  const out = {};
  for (const row of $('fields').querySelectorAll('.field')) {
    const key = row.querySelector('[data-key]')?.dataset.key ?? row.querySelector('.key')?.value.trim();
    const value = row.querySelector('.value').value.trim();
    if (key && value) out[key] = value;
  }
  return out;
}

function materialRow(m, doc) {
  const tr = h('tr', { 'data-material': m.name });
  const spec = doc && [FORMS[doc.form], doc.copies ? `${doc.copies} 份` : ''].filter(Boolean).join(' ');
  tr.append(h('td', {}, el('strong', m.name), ' ', badge(REQUIREMENT[m.required] || m.required, m.required === 'required' ? 'red' : 'plain'),
    spec ? el('div', spec, 'muted') : ''));
  const filled = ['certificate', 'library', 'sharing'].includes(m.source);
  const status = SOURCES[m.source] || (m.required === 'required' ? '尚未提供' : '未提供');
  tr.append(el('td', status, filled || ['upload', 'window', 'commitment'].includes(m.source) ? 'ok' : m.required === 'required' ? 'bad' : 'muted'));
  const take = h('td', { class: 'take' });
  if (!filled && current.data.state !== 'submitted') {
    const base = `m-${tr.rowIndex}-${Math.random().toString(36).slice(2, 7)}`;
    const check = h('input', { type: 'checkbox', id: `${base}-o`, class: 'original' });
    check.checked = m.source === 'window';
    const scan = filePicker({ cls: 'scan', ariaLabel: `${m.name}的扫描件`,
      label: m.source === 'upload' ? '重新上传扫描件' : '选择扫描件' });
    take.append(
      h('div', { class: 'check' }, check, h('label', { for: check.id }, '原件已核验')),
      h('div', { class: 'file' }, scan.node));
    // 告知承诺制: the applicant signs the commitment letter at the window
    // instead of bringing this certificate.
    if (m.commitment) {
      const promise = h('input', { type: 'checkbox', id: `${base}-p`, class: 'promise' });
      promise.checked = m.source === 'commitment';
      take.append(h('div', { class: 'check' }, promise,
        h('label', { for: promise.id }, `申请人已签署告知承诺书（承诺：${m.commitment.content}）`)));
    }
  }
  tr.append(take);
  return tr;
}

async function openCase(no, opts = {}) {
  const r = await api('GET', `/api/v1/cases/${encodeURIComponent(no)}`);
  if (!r.ok) {
    say($('outcome'), `无法读取办件：${r.body.reason || r.status}`, 'bad');
    $('outcome').hidden = false;
    return;
  }
  // The version the case follows, whole (the list leaves out the notes
  // the one-time notice repeats).
  const key = `${r.body.item}@${r.body.item_version}`;
  let it = full.get(key);
  if (!it) {
    const ir = await api('GET', `/api/v1/items/${encodeURIComponent(r.body.item)}?version=${r.body.item_version}`);
    it = ir.ok ? ir.body : { name: r.body.item_name, materials: [], promised_days: null };
    if (ir.ok) full.set(key, it);
  }
  current = { caseNo: no, item: it, data: r.body };
  if (!refs.has(no)) refs.set(no, new Map());
  $('case-line').textContent = `办件编号 ${no} · ${it.name} · ${r.body.applicant_name || (applicant && applicant.name) || ''} · ${stateName(r.body.state)}`;
  if (opts.fresh || opts.form) showForm(r.body.form);
  const docs = new Map(it.materials.map((m) => [m.name, m]));
  $('materials').tBodies[0].replaceChildren(...r.body.materials.map((m) => materialRow(m, docs.get(m.name))));
  const editable = r.body.state === 'draft' || r.body.state === 'needs_correction';
  $('apply').hidden = !editable;
  if (opts.fresh) {
    $('outcome').hidden = true;
    $('doc').hidden = true;
    $('apply').scrollIntoView({ block: 'start' });
    $('fields').querySelector('input')?.focus();
  }
}

// Saves the form and the originals checked, uploads the scans, submits.
// The clerk does not see which file each earlier upload was, so the list
// of materials is written first and the scans appended after it.
async function submitCase(ev) {
  ev.preventDefault();
  const form = ev.target;
  const no = current.caseNo;
  const send = $('submit');
  send.disabled = true;
  try {
    const rows = [...$('materials').tBodies[0].rows];
    const checked = rows.filter((tr) => tr.querySelector('.original')?.checked).map((tr) => tr.dataset.material);
    const promised = rows.filter((tr) => tr.querySelector('.promise')?.checked && !checked.includes(tr.dataset.material))
      .map((tr) => tr.dataset.material);
    const hadWindow = current.data.materials.some((m) => m.source === 'window' || m.source === 'commitment');
    const body = { form: readForm() };
    if (checked.length || promised.length || hadWindow) {
      const mine = refs.get(no);
      body.materials = checked.map((name) => ({ name, source: 'window' }));
      for (const name of promised) body.materials.push({ name, source: 'commitment' });
      for (const [name, sm3] of mine) {
        if (!checked.includes(name) && !promised.includes(name)) body.materials.push({ name, source: 'upload', ref: sm3 });
      }
    }
    let r = await api('PUT', `/api/v1/cases/${encodeURIComponent(no)}`, body);
    if (!r.ok) {
      showErrors(form, r);
      return;
    }
    for (const tr of rows) {
      const input = tr.querySelector('.scan');
      if (!input || !input.files.length || tr.querySelector('.original')?.checked || tr.querySelector('.promise')?.checked) continue;
      const fd = new FormData();
      fd.append('material', tr.dataset.material);
      fd.append('file', input.files[0]);
      r = await api('POST', `/api/v1/cases/${encodeURIComponent(no)}/materials`, fd);
      if (!r.ok) {
        showErrors(form, { ...r, body: { ...r.body, field: undefined, reason: `${tr.dataset.material}：${uploadReason(r)}` } });
        return;
      }
      refs.get(no).set(tr.dataset.material, r.body.sm3);
    }
    r = await api('POST', `/api/v1/cases/${encodeURIComponent(no)}/submit`, {});
    showErrors(form, null);
    await openCase(no);
    loadCases();
    if (r.ok) {
      showSubmitted();
    } else if (r.body.missing) {
      showMissing(r.body.missing);
    } else {
      showErrors(form, r);
    }
  } finally {
    send.disabled = false;
  }
}

function uploadReason(r) {
  if (r.status === 413) return '文件超过 20 MB';
  if (r.status === 415) return '只接受 PDF、JPEG、PNG 或 OFD 文件';
  return r.body.reason || `上传未成功（${r.status}）`;
}

// ---- the outcome, the receipt and the notice -------------------------------------

function outcome(message, cls, ...buttons) {
  const box = $('outcome');
  box.replaceChildren(el('h2', '办理结果'), el('p', message, cls), h('div', { class: 'actions' }, ...buttons));
  box.hidden = false;
  box.scrollIntoView({ block: 'start' });
}

function button(text, onClick, primary) {
  return h('button', { type: 'button', class: primary ? 'primary' : undefined, onclick: onClick }, text);
}

function showSubmitted() {
  const d = current.data;
  receipt();
  const next = [button('打印受理回执', () => window.print(), true)];
  if ((d.allowed_events || []).includes('accept')) next.push(button('受理', () => decide('accept')));
  if ((d.allowed_events || []).includes('reject')) next.push(button('不予受理', () => decide('reject')));
  next.push(button('办理下一件', reset));
  outcome(`已提交。办件编号 ${current.caseNo}，请打印受理回执交申请人。`, 'ok', ...next);
}

function showMissing(missing) {
  notice(missing);
  outcome(`材料不齐，尚缺 ${missing.length} 项，办件已保存为草稿。请打印一次性告知书交申请人，补齐后可在“本窗口办件”中继续办理。`, 'bad',
    button('打印一次性告知书', () => window.print(), true), button('办理下一件', reset));
}

// The header shared by the receipt and the notice.
function paperHead(title) {
  const d = current.data;
  const qc = queryCode(current.caseNo);
  return [
    el('p', centre ? centre.name : '', 'org'),
    el('h2', title),
    h('dl', {},
      el('dt', '办件编号'), el('dd', current.caseNo, 'code'),
      el('dt', '查询码'), el('dd', qc || '（已在首次出具的回执上告知）', qc ? 'code' : ''),
      el('dt', '申请人'), el('dd', applicantLine(d)),
      el('dt', '办理事项'), el('dd', current.item.name),
      departments.has(d.department_id) ? el('dt', '承办部门') : '',
      departments.has(d.department_id) ? el('dd', departments.get(d.department_id)) : '',
      el('dt', '出具日期'), el('dd', today())),
  ];
}

function applicantLine(d) {
  if (applicant && (!d.applicant_name || d.applicant_name === applicant.name)) return `${applicant.name}（${applicant.login}）`;
  return d.applicant_name || '—';
}

function paperFoot() {
  const url = `${location.origin}/progress.html`;
  return [
    el('p', `凭办件编号和查询码可随时查询办理进度：${url}（查询码请妥善保管）。`),
    h('p', { class: 'sign' }, el('span', `窗口工作人员：${clerk.name}`), el('span', '申请人（签字）：')),
  ];
}

function receipt() {
  const d = current.data;
  const got = d.materials.filter((m) => SOURCES[m.source]);
  const table = h('table', {}, h('thead', {}, h('tr', {}, el('th', '材料'), el('th', '收取方式'))),
    h('tbody', {}, ...got.map((m) => h('tr', {}, el('td', m.name), el('td', SOURCES[m.source])))));
  const fields = Object.entries(d.form || {});
  const promised = current.item.promised_days;
  $('doc').replaceChildren(...paperHead('受理回执'),
    el('h3', '已收取的材料'), table,
    fields.length ? el('h3', '申请表') : '',
    fields.length ? h('dl', { class: 'form-view' }, ...fields.flatMap(([k, v]) => [el('dt', k), el('dd', typeof v === 'string' ? v : JSON.stringify(v))])) : '',
    el('h3', '承诺办理时限'),
    el('p', promised === null || promised === undefined ? '—'
      : `自受理之日起 ${promised} 个工作日内办结${current.item.statutory_days ? `（法定时限 ${current.item.statutory_days} 个工作日）` : ''}。`),
    ...paperFoot());
  $('doc').hidden = false;
}

function notice(missing) {
  const docs = new Map(current.item.materials.map((m) => [m.name, m]));
  const rows = missing.map((m, i) => {
    const doc = docs.get(m.material) || {};
    const spec = [FORMS[doc.form], doc.copies ? `${doc.copies} 份` : ''].filter(Boolean).join(' ');
    return h('tr', {}, el('td', String(i + 1)), h('td', {}, m.material, spec ? el('div', `（${spec}）`, 'muted') : ''),
      el('td', [REASONS[m.reason] || m.reason, doc.note].filter(Boolean).join('。')));
  });
  $('doc').replaceChildren(...paperHead('一次性告知书'),
    el('p', `您申请办理的“${current.item.name}”尚缺以下 ${missing.length} 项材料，现一次性告知如下。请补齐后携带本告知书到窗口办理，无需重复提交已收取的材料。`),
    h('table', {}, h('thead', {}, h('tr', {}, el('th', '序号'), el('th', '材料及要求'), el('th', '原因及说明'))),
      h('tbody', {}, ...rows)),
    ...paperFoot());
  $('doc').hidden = false;
}

// Accept or reject a submitted window case (the department decides later).
async function decide(event) {
  const body = { event };
  if (event === 'reject') {
    const reason = await ask('不予受理', '请填写不予受理的理由（将告知申请人）');
    if (reason === null) return;
    body.opinion = reason;
  } else {
    body.opinion = '材料齐全，予以受理';
  }
  const r = await api('POST', `/api/v1/cases/${encodeURIComponent(current.caseNo)}/events`, body);
  if (!r.ok) {
    outcome(`未能办理：${r.body.reason || r.status}`, 'bad', button('办理下一件', reset));
    return;
  }
  await openCase(current.caseNo);
  receipt();
  outcome(event === 'accept' ? `已受理，办件已转 ${current.item.name} 的承办部门审批。` : '已作出不予受理决定。', 'ok',
    button('打印受理回执', () => window.print(), true), button('办理下一件', reset));
  loadCases();
}

// A small dialog that asks for a text; resolves the text or null.
function ask(title, label, placeholder) {
  return new Promise((resolve) => {
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'ask-h' });
    const text = h('textarea', { id: 'ask-text', required: true, maxlength: '2000', placeholder: placeholder || '' });
    const form = h('form', { method: 'dialog' },
      el('h2', title), h('label', { for: 'ask-text' }, label), text,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '确定'),
        h('button', { type: 'button', onclick: () => { dlg.close(); } }, '取消')));
    form.addEventListener('submit', (ev) => {
      if (!text.value.trim()) {
        ev.preventDefault();
        text.focus();
        return;
      }
      dlg.returnValue = 'ok';
    });
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok' ? text.value.trim() : null);
      dlg.remove();
    });
    dlg.append(form);
    document.body.append(dlg);
    dlg.showModal();
    text.focus();
  });
}

function reset() {
  current = null;
  applicant = null;
  for (const id of ['apply', 'outcome', 'doc', 'choose', 'applicant']) $(id).hidden = true;
  const f = $('find-form');
  f.reset();
  f.code.focus();
  window.scrollTo(0, 0);
  loadCases();
}

// ---- the centre's cases and handing out results -----------------------------------

async function loadCases(ev) {
  if (ev) ev.preventDefault();
  const state = $('list-state').value;
  const box = $('cases');
  const r = await api('GET', `/api/v1/cases?view=window&limit=50${state ? `&state=${state}` : ''}`);
  if (!r.ok) {
    say(box, `无法读取办件：${r.body.reason || r.status}`, 'bad');
    return;
  }
  if (!r.body.items.length) {
    say(box, '没有办件。', 'muted');
    return;
  }
  const list = h('ul', { class: 'cases' });
  for (const c of r.body.items) {
    const li = h('li', { 'data-case': c.case_no },
      h('div', { class: 'what' }, el('strong', c.item_name), ' ', badge(stateName(c.state), c.state === 'completed' ? 'green' : 'plain')),
      el('div', `${c.applicant_name || ''} · ${c.case_no}`, 'muted small'),
      c.submitted_at ? el('div', `提交于 ${when(c.submitted_at)}`, 'muted small') : '');
    const acts = h('div', { class: 'actions' });
    if (c.state === 'completed') acts.append(button('出件', () => handOut(c, li), true));
    if (c.state === 'draft' || c.state === 'needs_correction') acts.append(button('继续办理', () => resume(c.case_no)));
    if (c.state === 'submitted' || c.state === 'accepted') acts.append(button('打印回执', () => reprint(c.case_no)));
    li.append(acts);
    list.append(li);
  }
  box.replaceChildren(list);
}

async function resume(no) {
  applicant = null;
  $('applicant').hidden = true;
  $('choose').hidden = true;
  await openCase(no, { fresh: true });
}

async function reprint(no) {
  await openCase(no);
  receipt();
  outcome(`办件 ${no}：${stateName(current.data.state)}。`, '', button('打印受理回执', () => window.print(), true), button('办理下一件', reset));
}

async function handOut(c, li) {
  const r = await api('GET', `/api/v1/cases/${encodeURIComponent(c.case_no)}`);
  if (!r.ok || !(r.body.allowed_events || []).includes('hand_out')) {
    const done = r.ok && (r.body.steps || []).some((s) => s.event === 'hand_out');
    li.querySelector('.actions').replaceChildren(el('p', done ? '结果已出件。' : '本窗口不能为此办件出件。', done ? 'ok' : 'bad'));
    return;
  }
  const id = `ho-${li.dataset.case.slice(-12)}`;
  const note = h('input', { id: `${id}-note`, maxlength: '200', placeholder: '如：EMS 1234567890' });
  const form = h('form', { class: 'handout' },
    h('fieldset', {}, h('legend', {}, '出件方式'),
      h('div', { class: 'check' }, h('input', { type: 'radio', name: 'delivery', value: 'window', id: `${id}-w`, checked: true }), h('label', { for: `${id}-w` }, '窗口领取')),
      h('div', { class: 'check' }, h('input', { type: 'radio', name: 'delivery', value: 'post', id: `${id}-p` }), h('label', { for: `${id}-p` }, '邮寄送达'))),
    h('label', { for: note.id }, '备注（邮寄时填写快递公司和单号）'), note,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '确认出件')),
    h('p', { role: 'alert', class: 'bad' }));
  note.name = 'opinion';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { event: 'hand_out', delivery: form.delivery.value };
    if (note.value.trim()) body.opinion = note.value.trim();
    const res = await api('POST', `/api/v1/cases/${encodeURIComponent(c.case_no)}/events`, body);
    if (!res.ok) {
      if (res.body.field === 'opinion') res.body.reason = '邮寄送达请填写快递公司和单号';
      showErrors(form, res);
      return;
    }
    li.querySelector('.actions').replaceChildren(el('p', body.delivery === 'post' ? '已登记邮寄送达。' : '已登记窗口领取。', 'ok'));
    form.remove();
  });
  li.querySelector('.actions').replaceChildren(form);
  form.querySelector('input').focus();
}

// ---- start -------------------------------------------------------------------

async function start() {
  clerk = await shell({ active: 'window', signIn: true });
  if (!clerk) return;
  const grant = (clerk.roles || []).find((g) => g.role === 'window_clerk' && g.department);
  if (!grant) {
    $('main').replaceChildren(h('section', { class: 'card' }, el('h2', '综合窗口'),
      el('p', '您没有综合窗口的岗位权限。如需开通，请联系系统管理员。')));
    return;
  }
  centre = grant.department;
  $('centre').textContent = centre.name;
  $('find-form').addEventListener('submit', findApplicant);
  $('dept').addEventListener('change', loadItems);
  $('item').addEventListener('change', showItem);
  $('choose-form').addEventListener('submit', startCase);
  $('apply-form').addEventListener('submit', submitCase);
  $('add-field').addEventListener('click', () => {
    const row = fieldRow('', '', true);
    $('fields').append(row);
    row.querySelector('input').focus();
  });
  $('list-form').addEventListener('submit', loadCases);
  $('list-state').addEventListener('change', () => loadCases());
  loadCases();
}

start();
