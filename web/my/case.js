// One of my cases (/my/case.html?no=CASE_NO): where it is and its
// deadline; the full one-time list of corrections with an upload for
// each material asked for, and resubmitting the same case; the materials;
// a new query code; withdrawing; the rating (好差评) once completed, and
// what became of a bad rating (its follow-up); the history. Text only.
import {
  api, badge, day, el, fieldInput, filePicker, h, reasonOf, REQUIREMENT, showErrors, stateName, when,
} from '/ui.js';
import { shell } from '/shell.js';
import { clockBadge, deadline, eventName, LEVELS, mineNav, track } from '/my/common.js';
import { jointCard } from '/joint.js';

const main = document.getElementById('main');
const no = new URLSearchParams(location.search).get('no') || '';
const path = `/api/v1/cases/${encodeURIComponent(no)}`;
let flash = '';

const SOURCES = {
  upload: ['已上传', 'ok'], library: ['已从材料库调取', 'ok'], certificate: ['已由电子证照提供', 'ok'],
  sharing: ['已通过数据共享在线核验', 'ok'], window: ['已在窗口提交', 'ok'], missing: ['未提供', 'bad'],
  commitment: ['已签署告知承诺', 'ok'],
};
// Names of the application form's common fields, for a correction that
// names a field; other keys show as they are.
const FIELDS = {
  name: '名称', address: '经营场所', business_scope: '经营范围', entity_type: '组成形式',
  capital: '资金数额', employees: '从业人数', operator: '经营者', phone: '联系电话', note: '备注',
  reason: '事由', spouse_name: '配偶姓名', spouse_id: '配偶身份证号码',
};

function card(title, ...kids) {
  return h('section', { class: 'card' }, el('h2', title), ...kids);
}

function facts(rows) {
  const d = h('dl', { class: 'facts' });
  for (const [k, v] of rows) if (v) d.append(el('dt', k), h('dd', {}, v));
  return d;
}

// An upload of a file for material name; done() after it is taken.
function uploader(name, done) {
  const { input, node } = filePicker({ cls: 'file', ariaLabel: `选择${name}的文件` });
  const msg = h('p', { role: 'alert', class: 'bad' });
  const button = h('button', { type: 'submit' }, '上传');
  const form = h('form', { class: 'upload', 'data-material': name }, node, button, msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!input.files.length) { msg.textContent = '请先选择文件'; return; }
    button.disabled = true;
    const body = new FormData();
    body.append('material', name);
    body.append('file', input.files[0]);
    const r = await api('POST', `${path}/materials`, body);
    button.disabled = false;
    if (!r.ok) { showErrors(form, r); return; }
    flash = `已上传：${name}`;
    done();
  });
  return form;
}

// An input to correct the form's field name (its value now in c.form),
// drawn as the item's form defines it (c.fields: its form_fields), saved on
// the same case.
function fieldFixer(c, name, done) {
  const id = `fix-${Math.random().toString(36).slice(2, 9)}`;
  const def = (c.fields || []).find((f) => f.name === name) || { name, type: 'text', max_length: 2000 };
  const input = fieldInput(def, c.form && c.form[name], { id, class: 'wide' });
  const form = h('form', { class: 'upload', 'data-field-fix': name },
    h('label', { for: id }, `改为（${FIELDS[name] || name}）`), input,
    h('button', { type: 'submit' }, '保存'), h('p', { role: 'alert', class: 'bad' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    const next = { ...(c.form || {}) };
    if (value) next[name] = value;
    else delete next[name];
    const r = await api('PUT', path, { form: next });
    if (!r.ok) { showErrors(form, r); return; }
    flash = `已修改：${FIELDS[name] || name}`;
    done();
  });
  return form;
}

function corrections(c) {
  const box = h('section', { class: 'card corrections', id: 'corrections' },
    el('h2', '一次性告知：请补正以下内容'),
    el('p', '部门一次性告知了需要补正的全部内容。补正后请点击“重新提交”，办件编号不变。', 'muted'));
  const asked = c.step && c.step.opinion;
  if (asked) box.append(h('p', {}, '部门意见：', el('span', asked)));
  const list = h('div', { id: 'correction-list' });
  for (const x of c.corrections || []) {
    const item = h('div', { class: 'corr-item' });
    item.append(el('p', x.material ? `材料：${x.material}` : `填写项：${FIELDS[x.field] || x.field}`, 'what'));
    item.append(el('p', x.reason || '', 'why'));
    if (x.material) {
      // Given again since the correction was asked for.
      const again = c.step && (c.given || []).some((g) => g.material === x.material
        && g.source === 'upload' && g.at > c.step.at);
      if (again) item.append(el('p', '已重新上传，可重新提交', 'ok'));
      item.append(uploader(x.material, load));
    } else if (x.field) {
      item.append(fieldFixer(c, x.field, load));
    }
    list.append(item);
  }
  box.append(list);
  return box;
}

function materials(c, editable) {
  const ul = h('ul', { class: 'mats' });
  for (const m of c.materials || []) {
    let [text, cls] = SOURCES[m.source] || [m.source, ''];
    if (m.source === 'missing' && m.required !== 'required') [text, cls] = ['未提供', 'muted'];
    const li = h('li', { 'data-material': m.name },
      el('span', m.name, 'name'), el('span', REQUIREMENT[m.required] || m.required, 'muted'),
      el('span', text, cls));
    if (editable && !['certificate', 'sharing', 'commitment'].includes(m.source)) li.append(uploader(m.name, load));
    ul.append(li);
  }
  return card('申请材料', ul);
}

// The commitments (告知承诺) of the case and what the department's check
// found: pending until its due date, then true or false (a credit record).
const CHECKED = {
  pending: (k) => [`待核查（办理部门将于 ${day(k.due_date)} 前核查）`, k.overdue ? 'bad' : 'muted'],
  true: (k) => [`经核查属实${k.finding ? `：${k.finding}` : ''}`, 'ok'],
  false: (k) => [`经核查不实：${k.finding}。已记入您的信用记录。`, 'bad'],
};

function commitments(c) {
  if (!(c.commitments || []).length) return null;
  const ul = h('ul', { class: 'mats', id: 'commitments' });
  for (const k of c.commitments) {
    const [text, cls] = CHECKED[k.state](k);
    const li = h('li', { 'data-commitment': k.material },
      el('span', k.material, 'name'), el('span', `承诺：${k.content}`, 'muted'), el('span', text, cls));
    if (k.state === 'false') li.append(h('a', { href: '/my/credit.html' }, '查看信用记录'));
    ul.append(li);
  }
  return card('告知承诺', ul);
}

async function submit(button, form) {
  button.disabled = true;
  const r = await api('POST', `${path}/submit`);
  if (!r.ok) {
    button.disabled = false;
    const missing = (r.body.missing || []).map((m) => m.material).filter(Boolean);
    if (missing.length) r.body = { ...r.body, reason: `还缺少：${missing.join('、')}`, field: null };
    showErrors(form, r);
    return;
  }
  flash = '已提交，办件编号不变，请等待部门办理。';
  await load();
}

function actions(c) {
  const alert = h('p', { role: 'alert', class: 'bad' });
  const form = h('form', { class: 'actions', id: 'actions' });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  const allowed = c.allowed_events || [];
  if (allowed.includes('submit')) {
    const b = h('button', { type: 'button', class: 'primary', id: 'resubmit' },
      c.state === 'needs_correction' ? '重新提交' : '提交申请');
    b.addEventListener('click', () => submit(b, form));
    form.append(b);
  }
  if (c.state === 'draft') form.append(h('a', { href: `/apply.html?item=${encodeURIComponent(c.item)}`, class: 'button-link' }, '继续填写申请'));
  if (allowed.includes('withdraw')) {
    const b = h('button', { type: 'button', id: 'withdraw' }, '撤回申请');
    b.addEventListener('click', withdraw);
    form.append(b);
  }
  form.append(alert);
  return form.children.length > 1 ? card('办理', form) : null;
}

function withdraw() {
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'wd-title' });
  const reason = h('textarea', { id: 'wd-reason', name: 'opinion', maxlength: '500' });
  const yes = h('button', { type: 'submit', class: 'primary' }, '确认撤回');
  const no = h('button', { type: 'button' }, '不撤回');
  const f = h('form', {}, h('label', { for: 'wd-reason' }, '撤回原因（可不填）'), reason,
    h('p', { role: 'alert', class: 'bad' }), h('div', { class: 'actions' }, yes, no));
  dlg.append(el('h2', '撤回这件申请？'), el('p', '撤回后办理终止，如需再办须重新申请。'), f);
  no.addEventListener('click', () => { dlg.close(); dlg.remove(); });
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    yes.disabled = true;
    const body = { event: 'withdraw' };
    if (reason.value.trim()) body.opinion = reason.value.trim();
    const r = await api('POST', `${path}/events`, body);
    yes.disabled = false;
    if (!r.ok) { showErrors(f, r); return; }
    dlg.close(); dlg.remove();
    flash = '已撤回。';
    await load();
  });
  document.body.append(dlg);
  dlg.showModal();
}

function queryCode() {
  const out = h('div', { id: 'query-code', 'aria-live': 'polite' });
  const form = h('form', {}, h('p', { role: 'alert', class: 'bad' }));
  const b = h('button', { type: 'submit', id: 'new-code' }, '生成新的查询码');
  form.prepend(b);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    b.disabled = true;
    const r = await api('POST', `${path}/query-code`);
    b.disabled = false;
    if (!r.ok) { showErrors(form, r); return; }
    const link = h('a', { href: `/progress.html#${encodeURIComponent(`${no}:${r.body.query_code}`)}` }, '用查询码查看进度');
    out.replaceChildren(el('p', '新的查询码（请记下，离开本页后不再显示）：'),
      el('p', r.body.query_code, 'qcode'), h('p', {}, link));
  });
  return card('查询码',
    el('p', '凭办件编号和查询码，不登录也能查询进度（例如告诉家人）。为保护您的信息，平台只保存查询码的摘要，无法再次显示原查询码；如已遗失，可生成新的查询码，原查询码随即失效。', 'muted'),
    form, out);
}

function followup(f) {
  if (!f) return null;
  if (f.state === 'done') {
    return h('div', { class: 'followup done', 'data-followup': 'done' },
      el('p', `部门已回访处理（${when(f.done_at)}）`, 'ok'),
      h('p', {}, '处理情况：', el('span', f.note || '')));
  }
  return h('div', { class: 'followup', 'data-followup': 'open' },
    el('p', '您的差评已转交办理部门整改回访，处理中。'),
    el('p', `部门应于 ${day(f.due)} 前回访处理。`, 'muted'));
}

function ratingForm() {
  const form = h('form', { id: 'rate' });
  const set = h('fieldset', { class: 'levels', 'data-field': 'score' }, h('legend', {}, '您对这次办事满意吗？'));
  LEVELS.forEach((text, i) => {
    const id = `score-${i + 1}`;
    set.append(h('label', { for: id }, h('input', { type: 'radio', name: 'score', id, value: String(i + 1), required: true }), text));
  });
  const why = h('textarea', { id: 'rate-text', name: 'text', maxlength: '500' });
  const hint = el('p', '选择“不满意”或“非常不满意”时，请告诉我们哪里做得不好，部门会回访整改。', 'muted');
  const button = h('button', { type: 'submit', class: 'primary' }, '提交评价');
  form.append(set, h('label', { for: 'rate-text' }, '意见和建议'), why, hint,
    h('p', {}, button), h('p', { role: 'alert', class: 'bad' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const score = Number(form.score.value);
    if (score >= 4 && !why.value.trim()) {
      showErrors(form, { ok: false, status: 400, body: { field: 'text', reason: '请说明哪里做得不好' } });
      return;
    }
    button.disabled = true;
    const r = await api('POST', `${path}/rating`, { score, text: why.value.trim(), channel: 'web' });
    button.disabled = false;
    if (!r.ok) { showErrors(form, r); return; }
    flash = '感谢您的评价！';
    await load();
  });
  return form;
}

function rating(c) {
  const done = (c.ratings || []).filter((r) => r.stage === 'completed');
  const box = card('服务评价（好差评）');
  box.id = 'rating';
  for (const r of c.ratings || []) {
    const stage = r.stage === 'completed' ? '办结后' : '办理中';
    const p = h('p', { class: 'given' }, `${stage}您的评价：`,
      badge(LEVELS[r.score - 1] || String(r.score), r.score >= 4 ? 'red' : r.score <= 2 ? 'green' : 'plain'));
    box.append(p);
    if (r.text) box.append(h('p', {}, '您的意见：', el('span', r.text)));
    const f = followup(r.followup);
    if (f) box.append(f);
  }
  if (c.state === 'completed' && !done.length) box.append(ratingForm());
  return box.children.length > 1 ? box : null;
}

function historyList(c) {
  const ol = h('ol', { class: 'history' });
  for (const s of c.steps || []) {
    const li = h('li', {}, el('div', when(s.at), 'when'), el('strong', eventName(s.event)));
    if (s.opinion) li.append(el('p', s.opinion, 'opinion'));
    ol.append(li);
  }
  return card('办理过程', ol);
}

async function load() {
  const r = await api('GET', path);
  if (!r.ok) {
    main.replaceChildren(el('h1', '办件详情', 'page'), mineNav('cases'),
      el('p', r.status === 404 ? '没有找到这个办件。' : `无法读取办件：${reasonOf(r.body, r.status)}`, 'bad'),
      h('p', {}, h('a', { href: '/my/' }, '返回我的办件')));
    return;
  }
  const c = r.body;
  // A correction that names a form field is answered in that field as the
  // item's form defines it.
  if (c.state === 'needs_correction' && (c.corrections || []).some((x) => x.field)) {
    const ir = await api('GET', `/api/v1/items/${encodeURIComponent(c.item)}?version=${c.item_version}`);
    c.fields = ir.ok ? ir.body.form_fields : null;
  }
  // The step that asked for the corrections, for its opinion.
  c.step = [...(c.steps || [])].reverse().find((s) => s.event === 'request_correction');
  const head = h('section', { class: 'card', id: 'summary' }, el('h2', c.item_name));
  const meta = h('div', { class: 'meta' },
    badge(stateName(c.state), c.state === 'needs_correction' ? 'red' : 'plain'));
  const clock = clockBadge(c.clock);
  if (clock) meta.append(clock);
  head.append(meta);
  const t = track(c.state);
  if (t) head.append(t);
  head.append(facts([
    ['办件编号', el('span', c.case_no, 'case-no')],
    ['申请人', c.applicant_name],
    ['申请方式', c.channel === 'window' ? '窗口代为申请' : '网上申请'],
    ['受理日期', c.clock && c.clock.accepted_on ? day(c.clock.accepted_on) : null],
    ['办结时限', deadline(c.clock)],
  ]));
  const note = el('p', flash, 'ok');
  note.setAttribute('role', 'status');
  note.id = 'flash';
  flash = '';
  const parts = [el('h1', '办件详情', 'page'), mineNav('cases'),
    h('p', {}, h('a', { href: '/my/' }, '← 返回我的办件')), note, head];
  if (c.state === 'needs_correction') parts.push(corrections(c));
  const act = actions(c);
  if (act) parts.push(act);
  const rate = rating(c);
  if (rate) parts.push(rate);
  const joint = await jointCard(c, false, null);
  if (joint) parts.push(joint);
  // Corrections are given in their own box; a draft takes uploads here.
  parts.push(materials(c, c.state === 'draft'));
  const promised = commitments(c);
  if (promised) parts.push(promised);
  if ((c.certificates || []).length) {
    parts.push(card('办理结果', el('p', `已签发电子证照 ${c.certificates.length} 份。`),
      h('p', {}, h('a', { href: '/certificates.html' }, '在“我的证照”中查看'))));
  }
  parts.push(queryCode(), historyList(c));
  main.replaceChildren(...parts);
}

if (await shell({ active: 'my', signIn: true })) await load();
