// 编辑事项: one implementation item in the editor, grouped as its guide
// (办事指南) shows it. The page loads the item's JSON document, changes only
// the members the form shows (every other member, and every member of a
// material or step the form does not show, goes back as it came) and PUTs
// it: that makes or replaces the draft. The API's refusal names the member
// by its JSON path (materials[2].name, promised_days), and every input is
// named by that path, so the reason appears beside the input it concerns.
// Publishing makes the draft the version in force; withdrawing takes the
// published one out. Everything goes into the page as text.
import { api, el, h, reasonOf, showErrors } from '/ui.js';
import { shell } from '/shell.js';
import {
  departmentNames, itemHref, myRegions, pathLabel, regionName, stateBadge, WORDS,
} from '/catalog/common.js';

const form = document.getElementById('editor');
const params = new URLSearchParams(location.search);
const code = params.get('code') || '';
let doc = null; // the loaded version, with "version" and "state"
let collectors = []; // (out) => void: writes what the form shows into out
let idSeq = 0;
const uid = (p) => `${p}-${++idSeq}`;

// ---- values: the form changes only what was changed -------------------------

const asText = (v) => (v === null || v === undefined ? '' : String(v));

// An integer typed as such becomes a number; anything else goes as typed,
// for the API to refuse with its reason beside the field.
function asInt(s) {
  const t = s.trim();
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

// The new value of a member from its input: the original when the input
// still shows it, else the typed value (converted).
function pick(orig, typed, kind) {
  if (typed === asText(orig)) return orig;
  if (kind === 'int') return asInt(typed);
  if (kind === 'opt') return typed.trim() === '' ? null : typed;
  return typed;
}

// ---- building blocks ---------------------------------------------------------

function field(label, control, opts = {}) {
  const id = control.id || uid('f');
  control.id = id;
  const wrap = h('div', { class: `field${opts.wide ? ' wide' : ''}` }, h('label', { for: id }, label));
  if (opts.hint) {
    const hint = el('p', opts.hint, 'hint');
    hint.id = `${id}-hint`;
    control.setAttribute('aria-describedby', hint.id);
    wrap.append(control, hint);
  } else {
    wrap.append(control);
  }
  return wrap;
}

function textInput(name, value, attrs = {}) {
  return h('input', { name, value: asText(value), autocomplete: 'off', ...attrs });
}

function textArea(name, value, rows = 2) {
  const t = h('textarea', { name, rows: String(rows) });
  t.value = asText(value);
  return t;
}

function select(name, words, value, cast) {
  const s = h('select', { name });
  // Not stated in the guide (catalog format 2): kept so unless chosen.
  if (value === null) s.append(h('option', { value: '' }, '未公布'));
  for (const [k, w] of Object.entries(words)) s.append(h('option', { value: k }, w));
  s.value = asText(value);
  s.dataset.cast = cast || '';
  return s;
}

function selected(s, orig) {
  if (s.value === asText(orig)) return orig;
  if (s.value === '') return null;
  return s.dataset.cast === 'int' ? Number(s.value) : s.value;
}

// A member shown by one input: name is its JSON path.
function scalar(label, key, kind, opts = {}) {
  const orig = doc[key];
  let input;
  if (opts.words) input = select(key, opts.words, orig, kind);
  else if (opts.area) input = textArea(key, orig, opts.area);
  else input = textInput(key, orig, kind === 'int' ? { inputmode: 'numeric', class: 'num' } : { class: opts.short ? '' : 'long' });
  collectors.push((out) => {
    out[key] = opts.words ? selected(input, orig) : pick(orig, input.value, kind);
  });
  return field(label, input, opts);
}

// Checkboxes for an array of distinct codes (channels, service objects).
function checks(label, key, words, cast) {
  const orig = doc[key] || [];
  const box = h('fieldset', { class: 'checks', 'data-field': key, tabindex: '-1' }, h('legend', {}, label));
  const inputs = [];
  for (const [k, w] of Object.entries(words)) {
    const c = h('input', { type: 'checkbox', value: k });
    c.checked = orig.map(String).includes(k);
    inputs.push(c);
    box.append(h('label', { class: 'inline' }, c, ` ${w}`));
  }
  collectors.push((out) => {
    const now = inputs.filter((c) => c.checked).map((c) => (cast === 'int' ? Number(c.value) : c.value));
    const same = now.length === orig.length && now.every((v) => orig.includes(v));
    out[key] = same ? orig : now;
  });
  return box;
}

// Rows of an array member: each row keeps the element it came from, so
// members the row does not show go back unchanged. make(row, base, index)
// fills the row and returns its collector (base) => element.
function rows(key, opts) {
  const orig = doc[key] || [];
  const list = h('div', { class: 'rows', 'data-field': key, tabindex: '-1' });
  const entries = [];
  const renumber = () => {
    entries.forEach((en, i) => {
      en.row.dataset.field = `${key}[${i}]`;
      en.title.textContent = `${opts.noun}第${i + 1}项`;
      en.remove.setAttribute('aria-label', `删除${opts.noun}第${i + 1}项`);
      for (const input of en.row.querySelectorAll('[data-sub]')) {
        input.name = input.dataset.sub ? `${key}[${i}].${input.dataset.sub}` : `${key}[${i}]`;
      }
    });
    empty.hidden = entries.length > 0;
  };
  const add = (base, focus) => {
    const title = el('h4', '', 'row-title');
    const remove = h('button', { type: 'button', class: 'small' }, '删除');
    const row = h('div', { class: `row ${opts.cls || ''}` }, h('div', { class: 'row-head' }, title, remove));
    const collect = opts.make(row, base);
    const en = { row, title, remove, base, collect };
    remove.addEventListener('click', () => {
      const i = entries.indexOf(en);
      entries.splice(i, 1);
      row.remove();
      renumber();
      const next = entries[i] || entries[i - 1];
      (next ? next.remove : addButton).focus();
    });
    entries.push(en);
    list.append(row);
    renumber();
    if (focus) row.querySelector('input, textarea, select').focus();
  };
  const empty = el('p', opts.empty || '（无）', 'muted');
  const addButton = h('button', { type: 'button', class: 'add' }, `添加${opts.noun}`);
  addButton.addEventListener('click', () => add(structuredClone(opts.blank), true));
  for (const x of orig) add(x, false);
  // A member the guide may leave unstated (null, shown as 未公布): not
  // the same as none (no fee is "free"), so it is ticked, not left empty.
  const quiet = opts.nullable ? h('input', { type: 'checkbox', 'data-unstated': key }) : null;
  const body = h('div', {}, list, empty, addButton);
  if (quiet) {
    quiet.checked = doc[key] === null || doc[key] === undefined;
    body.hidden = quiet.checked;
    quiet.addEventListener('change', () => { body.hidden = quiet.checked; });
  }
  collectors.push((out) => {
    if (quiet && quiet.checked) { out[key] = null; return; }
    const now = entries.map((en) => en.collect(en.base));
    const same = now.length === orig.length && now.every((x, i) => x === orig[i] || JSON.stringify(x) === JSON.stringify(orig[i]));
    out[key] = same && doc[key] ? orig : now;
  });
  return quiet
    ? h('div', {}, h('label', { class: 'inline' }, quiet, ' 办事指南未载明（显示为“未公布”）'), body)
    : body;
}

// An input of one sub-member of a row; named key[i].sub by renumber().
function sub(row, label, sub, value, kind, opts = {}) {
  let input;
  if (opts.words) input = select('', opts.words, value, kind);
  else if (opts.area) input = textArea('', value, opts.area);
  else input = textInput('', value, kind === 'int' ? { inputmode: 'numeric', class: 'num' } : {});
  input.dataset.sub = sub;
  row.append(field(label, input, opts));
  return (base) => (opts.words ? selected(input, base[sub]) : pick(base[sub], input.value, kind));
}

// Rows of plain strings (conditions, appeals).
function strings(key, noun, nullable = false) {
  return rows(key, {
    noun,
    nullable,
    blank: '',
    cls: 'row-text',
    make(row, base) {
      const t = textArea('', base, 2);
      t.dataset.sub = '';
      t.setAttribute('aria-label', noun);
      row.append(t);
      return (b) => pick(b, t.value, 'text');
    },
  });
}

function group(title, ...children) {
  return h('fieldset', { class: 'card group' }, h('legend', {}, title), ...children);
}

// ---- the form ------------------------------------------------------------------

const MATERIAL = {
  name: '', form: 'copy', required: 'required', source: 'applicant', copies: 1, issuing_body: null,
  certificate_type: null, sharing_resource: null, blank_form: null, sample: null, legal_basis: '', note: '',
};

const FIELD = { name: '', type: 'text', required: false };

// The application form's fields (form_fields): name, type, required, the
// choices of a select, unit, prefill source and help; members the rows do
// not show (min, max, max_length) go back as they came.
function formFields() {
  const node = rows('form_fields', {
    noun: '填写项目',
    blank: FIELD,
    cls: 'row-field',
    empty: '本事项没有自己的申请表',
    make(row, base) {
      const grid = h('div', { class: 'grid3' });
      row.append(grid);
      const name = sub(grid, '项目名称', 'name', base.name, 'text');
      const type = sub(grid, '类型', 'type', base.type, 'text', { words: WORDS.field_type });
      const need = select('', { true: '必填', false: '选填' }, base.required ? 'true' : 'false');
      need.dataset.sub = 'required';
      grid.append(field('是否必填', need));
      const opts = textInput('', (base.options || []).join('、'), {});
      opts.dataset.sub = 'options';
      grid.append(field('选项（下拉选择时填写，用“、”分隔）', opts, { wide: true }));
      const unit = sub(grid, '单位', 'unit', base.unit, 'opt', { hint: '如：万元、人' });
      const prefill = sub(grid, '自动填写来源', 'prefill', base.prefill, 'opt',
        { hint: '如 applicant.name、applicant.phone、certificate:居民身份证.address' });
      const help = sub(grid, '填写说明', 'help', base.help, 'opt', { area: 2, wide: true });
      return (b) => {
        const out = { ...b, name: name(b), type: type(b), required: need.value === 'true' };
        const list = opts.value.split(/[、,，]/).map((x) => x.trim()).filter(Boolean);
        if (out.type !== 'select') delete out.options;
        else if (JSON.stringify(list) !== JSON.stringify(b.options)) out.options = list;
        for (const [k, get] of [['unit', unit], ['prefill', prefill], ['help', help]]) {
          const v = get(b);
          if (v === null || v === undefined || v === '') delete out[k];
          else out[k] = v;
        }
        return out;
      };
    },
  });
  // An item without a form keeps none (not an empty list).
  collectors.push((out) => {
    if (doc.form_fields === undefined && !out.form_fields.length) delete out.form_fields;
  });
  return node;
}

function build() {
  collectors = [];
  form.replaceChildren();
  const status = el('p', '', 'status');
  status.setAttribute('role', 'alert');
  status.id = 'status';

  // promised ≤ statutory, said beside the field as it is typed; the API
  // checks it again (and its reason replaces this one on saving).
  const limits = h('div', { class: 'grid3' },
    scalar('法定办结时限（工作日）', 'statutory_days', 'int'),
    scalar('承诺办结时限（工作日）', 'promised_days', 'int'),
    scalar('可延长时限（工作日）', 'extension_days', 'int'));
  const stat = limits.querySelector('[name=statutory_days]');
  const prom = limits.querySelector('[name=promised_days]');
  const checkLimits = () => {
    const old = prom.parentElement.querySelector('.field-error.client');
    if (old) old.remove();
    const s = asInt(stat.value);
    const p = asInt(prom.value);
    if (Number.isInteger(s) && Number.isInteger(p) && p > s) {
      const msg = el('p', `承诺办结时限不能超过法定办结时限（${s} 个工作日）`, 'field-error client');
      msg.id = 'promised-client-error';
      prom.after(msg);
      prom.setAttribute('aria-invalid', 'true');
    } else if (!prom.parentElement.querySelector('.field-error')) {
      prom.removeAttribute('aria-invalid');
    }
  };
  stat.addEventListener('input', checkLimits);
  prom.addEventListener('input', checkLimits);

  const visits = h('div', { class: 'grid2' },
    scalar('网办深度', 'online_depth', 'int', { words: WORDS.online_depth }),
    scalar('到现场次数', 'required_visits', 'int', { words: WORDS.required_visits }));

  form.append(
    group('基本信息',
      scalar('事项名称', 'name', 'text'),
      h('div', { class: 'grid2' },
        scalar('办件类型', 'case_kind', 'text', { words: WORDS.case_kind, hint: '即办件的承诺办结时限最多 1 个工作日' }),
        scalar('通办范围', 'cross_region', 'text', { words: WORDS.cross_region })),
      scalar('何种情形即办（办件类型为“即办件、承诺件”时填写）', 'case_kind_condition', 'opt'),
      checks('服务对象', 'service_objects', WORDS.service_objects, 'int')),
    group('受理条件', strings('conditions', '受理条件', true)),
    group('申请材料', rows('materials', {
      noun: '申请材料',
      blank: MATERIAL,
      cls: 'row-material',
      empty: '本事项无需申请材料',
      make(row, base) {
        const grid = h('div', { class: 'grid3' });
        row.append(grid);
        const c = {
          name: sub(grid, '材料名称', 'name', base.name, 'text', { wide: true }),
          form: sub(grid, '材料形式', 'form', base.form, 'text', { words: WORDS.form }),
          required: sub(grid, '是否必需', 'required', base.required, 'text', { words: WORDS.required }),
          source: sub(grid, '材料来源', 'source', base.source, 'text', { words: WORDS.source }),
          issuing_body: sub(grid, '出具单位', 'issuing_body', base.issuing_body, 'opt', { hint: '政府部门核发或第三方机构出具时必填' }),
          condition: sub(grid, '需要提交的情形', 'condition', base.condition, 'opt', { hint: '视情形提交时必填，如：委托他人办理的' }),
          certificate_type: sub(grid, '对应电子证照类型', 'certificate_type', base.certificate_type, 'opt', { hint: '如：结婚证；无则留空' }),
          copies: sub(grid, '份数', 'copies', base.copies, 'int'),
          note: sub(grid, '填写说明', 'note', base.note, 'text', { area: 2, wide: true }),
        };
        return (b) => {
          const out = { ...b };
          for (const [k, get] of Object.entries(c)) out[k] = get(b);
          return out;
        };
      },
    })),
    group('申请表（在线申请和窗口受理时填写的项目）', formFields()),
    group('办理流程', rows('steps', {
      noun: '办理环节',
      nullable: true,
      blank: { name: '', role: '审核', days: 0 },
      cls: 'row-step',
      make(row, base) {
        const grid = h('div', { class: 'grid3' });
        row.append(grid);
        const c = {
          name: sub(grid, '环节名称', 'name', base.name, 'text', { wide: true }),
          role: sub(grid, '环节', 'role', base.role, 'text', { hint: '受理、审核、决定、送达等' }),
          days: sub(grid, '时限（工作日）', 'days', base.days, 'int'),
        };
        return (b) => ({ ...b, name: c.name(b), role: c.role(b), days: c.days(b) });
      },
    })),
    group('办理时限', limits),
    group('收费', el('p', '不收费的事项不添加收费项目；办事指南没有说明是否收费的，勾选“未载明”，不要当作不收费。', 'hint'), rows('fees', {
      noun: '收费项目',
      nullable: true,
      blank: { item: '', amount_yuan: '0.00', basis: '', waiver: '' },
      cls: 'row-fee',
      empty: '不收费',
      make(row, base) {
        const grid = h('div', { class: 'grid2' });
        row.append(grid);
        const c = {
          item: sub(grid, '收费项目', 'item', base.item, 'text'),
          amount_yuan: sub(grid, '金额（元）', 'amount_yuan', base.amount_yuan, 'text', { hint: '如 80.00' }),
          basis: sub(grid, '收费依据', 'basis', base.basis, 'text', { area: 2 }),
          waiver: sub(grid, '减免政策', 'waiver', base.waiver, 'text', { area: 2 }),
        };
        return (b) => {
          const out = { ...b };
          for (const [k, get] of Object.entries(c)) out[k] = get(b);
          return out;
        };
      },
    })),
    group('办理渠道与到现场次数',
      checks('办理渠道', 'channels', WORDS.channels, ''),
      visits,
      scalar('需到现场的原因', 'visit_reason', 'opt', { area: 2, hint: '到现场次数不为 0 时必填' })),
    group('办理地点与咨询',
      el('p', '办事指南未载明的项目留空，公开时显示为“未公布”。', 'hint'),
      scalar('办理地点', 'address', 'opt', { area: 2 }),
      scalar('办理时间', 'hours', 'opt', { area: 2 }),
      h('div', { class: 'grid2' },
        scalar('咨询电话', 'phone', 'opt', { short: true }),
        scalar('投诉电话', 'complaint_phone', 'opt', { short: true }))),
    group('救济途径', strings('appeals', '救济途径')),
    group('设定依据', Array.isArray(doc.legal_basis) ? rows('legal_basis', {
      // Entries: the law as named, the article as cited, its words.
      noun: '依据',
      blank: { law: '', article: null, text: null },
      cls: 'row-law',
      make(row, base) {
        const grid = h('div', { class: 'grid2' });
        row.append(grid);
        const c = {
          law: sub(grid, '法律法规名称', 'law', base.law, 'text', { hint: '如《中华人民共和国老年人权益保障法》' }),
          article: sub(grid, '条款', 'article', base.article, 'opt', { hint: '如 第三十三条' }),
          text: sub(grid, '条文内容', 'text', base.text, 'opt', { area: 2 }),
        };
        return (b) => ({ ...b, law: c.law(b), article: c.article(b), text: c.text(b) });
      },
    }) : scalar('法律依据', 'legal_basis', 'opt', { area: 5, hint: '未载明的留空（显示为“未公布”）' })),
    group('办理结果', resultGroup()),
    h('div', { class: 'card savebar' },
      status,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'save' }, '保存草稿'),
        publishButton(),
        withdrawButton())),
  );
  checkLimits();
}

function resultGroup() {
  const orig = doc.result || {};
  const type = select('result.type', WORDS.type, orig.type);
  const name = textInput('result.name', orig.name, { class: 'long' });
  const cert = textInput('result.certificate_type', orig.certificate_type);
  collectors.push((out) => {
    const now = { ...orig, type: selected(type, orig.type), name: pick(orig.name, name.value, 'text'),
      certificate_type: pick(orig.certificate_type, cert.value, 'opt') };
    // A guide that names no result stays so until one is given.
    if (doc.result === null && !name.value.trim() && !type.value) out.result = null;
    else out.result = JSON.stringify(now) === JSON.stringify(orig) ? orig : now;
  });
  return h('div', { class: 'grid3' }, field('结果类型', type), field('结果名称', name),
    field('签发的电子证照类型', cert, { hint: '平台不签发电子证照的留空' }));
}

// The document to PUT: the loaded one without "version" and "state", with
// what the form shows written over it.
function collect() {
  const out = { ...doc };
  delete out.version;
  delete out.state;
  for (const c of collectors) c(out);
  return out;
}

function unchanged() {
  const base = { ...doc };
  delete base.version;
  delete base.state;
  return JSON.stringify(collect()) === JSON.stringify(base);
}

// ---- talking to the API ------------------------------------------------------

function status(text, cls) {
  const s = document.getElementById('status');
  s.className = `status ${cls || ''}`;
  s.textContent = text;
}

// The input an API refusal names, or the nearest enclosing one
// (materials[2].name, then materials[2], then materials).
function target(path) {
  let p = path;
  while (p) {
    if (form.querySelector(`[name="${CSS.escape(p)}"], [data-field="${CSS.escape(p)}"]`)) return p;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut > 0 ? p.slice(0, cut) : '';
  }
  return null;
}

function refusal(res) {
  const path = res.body && res.body.field;
  // The API answers in Chinese (the pages ask for zh-CN).
  const reason = reasonOf(res.body, res.status);
  const at = path && target(path);
  showErrors(form, { ok: false, status: res.status, body: { field: at || (path ? pathLabel(path) : null), reason } });
  // Keep the marked field clear of the sticky save bar.
  const bad = form.querySelector('[aria-invalid=true]');
  if (bad) bad.scrollIntoView({ block: 'center' });
  if (at && at !== path) {
    // A row or group holds the message: say which sub-member it concerns.
    const msg = form.querySelector('.field-error');
    if (msg) msg.textContent = `${pathLabel(path)}：${reason}`;
  }
  if (res.status !== 400) return reasonOf(res.body, res.status);
  return at ? '请按标红处的提示修改后再保存' : `${path ? `${pathLabel(path)}：` : ''}${reason}`;
}

async function save() {
  const r = await api('PUT', `/api/v1/items/${encodeURIComponent(code)}`, collect());
  if (!r.ok) {
    status(`未能保存：${refusal(r)}`, 'bad');
    return false;
  }
  await load(r.body.version);
  status(`已保存为草稿（第${r.body.version}版）。发布后才对办事群众生效。`, 'ok');
  return true;
}

function publishButton() {
  const b = h('button', { type: 'button', id: 'publish' }, '发布');
  b.addEventListener('click', async () => {
    showErrors(form, null);
    if (!unchanged() || doc.state !== 'draft') {
      if (unchanged() && doc.state !== 'draft') {
        status('没有待发布的草稿：请先修改并保存。', 'bad');
        return;
      }
      if (!(await save())) return;
    }
    b.disabled = true;
    const r = await api('POST', `/api/v1/items/${encodeURIComponent(code)}/publish`, {});
    b.disabled = false;
    if (!r.ok) {
      // The province's rule names the member it needs stated (fees, ...).
      const member = r.body.field && r.body.field !== 'state' ? `${pathLabel(r.body.field)}：` : '';
      status(`未能发布：${member}${reasonOf(r.body, r.status)}`, 'bad');
      return;
    }
    await load(r.body.version);
    status(`已发布第${r.body.version}版，现已对办事群众生效。`, 'ok');
    const link = h('a', { href: `/catalog/versions.html?code=${encodeURIComponent(code)}` }, '查看版本对比');
    document.getElementById('status').append(' ', link);
    document.getElementById('status').focus();
  });
  return b;
}

function withdrawButton() {
  const wrap = h('span', { class: 'withdraw' });
  const b = h('button', { type: 'button' }, '撤回已发布版本');
  const sure = h('span', { class: 'confirm', hidden: true },
    el('span', '撤回后群众将无法申办此事项。确定撤回？ '));
  const yes = h('button', { type: 'button', class: 'danger' }, '确定撤回');
  const no = h('button', { type: 'button' }, '取消');
  sure.append(yes, ' ', no);
  b.addEventListener('click', () => { sure.hidden = false; b.hidden = true; no.focus(); });
  no.addEventListener('click', () => { sure.hidden = true; b.hidden = false; b.focus(); });
  yes.addEventListener('click', async () => {
    const r = await api('POST', `/api/v1/items/${encodeURIComponent(code)}/withdraw`, {});
    if (!r.ok) {
      status(`未能撤回：${reasonOf(r.body, r.status)}`, 'bad');
      return;
    }
    await load(doc.version);
    status('已撤回，群众已无法申办此事项。', 'ok');
  });
  wrap.append(b, sure);
  wrap.hidden = doc.state !== 'published';
  return wrap;
}

// ---- loading -------------------------------------------------------------------

let depts = new Map();

async function latestVersion() {
  // The newest version that is not a draft, then the draft above it if any.
  const r = await api('GET', `/api/v1/items/${encodeURIComponent(code)}/versions`);
  const v = r.ok && r.body.versions.length ? r.body.versions[0].version : 0;
  const d = await api('GET', `/api/v1/items/${encodeURIComponent(code)}?version=${v + 1}`);
  return d.ok ? v + 1 : v;
}

async function load(version) {
  const v = version || Number(params.get('v')) || await latestVersion();
  const r = await api('GET', `/api/v1/items/${encodeURIComponent(code)}?version=${v}`);
  if (!r.ok) {
    document.getElementById('item-name').textContent = '无法打开此事项';
    form.replaceChildren(el('p', reasonOf(r.body, r.status), 'bad card'));
    return;
  }
  doc = r.body;
  history.replaceState(null, '', itemHref(code, doc.version));
  document.title = `${doc.name} · 事项管理 · 通办`;
  document.getElementById('item-name').textContent = doc.name;
  document.getElementById('crumb').textContent = doc.name;
  const meta = document.getElementById('meta');
  meta.replaceChildren();
  const row = (k, ...v) => meta.append(el('dt', k), h('dd', {}, ...v));
  row('状态', stateBadge(doc.state), ` 第${doc.version}版`);
  row('实施编码', el('span', doc.implementation_code, 'code'));
  row('实施部门', depts.get(doc.department) || doc.department);
  row('行政区划', await regionName(doc.region));
  row('事项类型', `${WORDS.item_type[doc.item_type] || doc.item_type}（基本目录 ${doc.basic_code}）`);
  const note = document.getElementById('state-note');
  note.textContent = doc.state === 'draft'
    ? '这是尚未发布的草稿：保存会覆盖这份草稿，发布后才对办事群众生效。'
    : `这是${WORDS.state[doc.state] || doc.state}的第${doc.version}版。修改并保存后会生成新的草稿版本，发布前不影响现行版本。`;
  const links = document.getElementById('links');
  const region = myRegions(await shellWho)[0] || doc.region;
  links.replaceChildren(
    h('a', { href: `/catalog/versions.html?code=${encodeURIComponent(code)}${doc.state === 'draft' ? `&draft=${doc.version}` : ''}` }, '版本对比'),
    h('a', { href: `/catalog/consistency.html?basic_code=${encodeURIComponent(doc.basic_code)}&region=${encodeURIComponent(region)}` }, '同一事项一致性'),
    h('a', { href: `/services.html?q=${encodeURIComponent(doc.name)}` }, '在办事服务中查看'));
  build();
}

const shellWho = shell({ active: 'catalog', signIn: true });

async function main() {
  const who = await shellWho;
  if (!who) return;
  if (!/^[0-9A-Za-z.-]{1,36}$/.test(code)) {
    document.getElementById('item-name').textContent = '没有指定事项';
    return;
  }
  const regions = myRegions(who);
  depts = await departmentNames(regions[0] || '330000');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showErrors(form, null);
    if (unchanged() && doc.state === 'draft') {
      status('没有需要保存的修改。', '');
      return;
    }
    await save();
  });
  await load();
}

main();
