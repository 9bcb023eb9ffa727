// 数据共享 (/sharing/): a department's sharing officer answers the
// applications for its resources (approve some or all of the fields asked,
// or refuse with reasons, within 10 working days), revokes grants, sees
// what the department shares, and applies for other departments'
// conditional resources; it registers the department's resources in the
// sharing catalog and edits them (fields, what can be checked online).
// Supervisors see every application of their region and those past their
// due date. Text only.
import { api, badge, day, el, h, reasonOf } from '/ui.js';
import { shell } from '/shell.js';

const main = document.getElementById('main');
const who = await shell({ active: 'sharing', signIn: true });

const TYPES = { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' };
const STATES = {
  pending: ['待答复', 'yellow'], approved: ['已批准', 'green'], refused: ['不予批准', 'plain'],
  revoked: ['已撤销', 'plain'], expired: ['已过期', 'plain'],
};
const CYCLES = {
  realtime: '实时', daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季度', yearly: '每年', on_change: '变更时',
};

const flash = h('p', { role: 'status', id: 'flash', class: 'muted' });
const say = (text) => { flash.textContent = text; };

// Checkboxes for names, all checked: {node, picked()}.
function pickFields(legend, names) {
  const boxes = names.map((n) => h('input', { type: 'checkbox', value: n, checked: true }));
  const node = h('fieldset', { class: 'fieldset-inline' }, el('legend', legend),
    ...boxes.map((b) => h('label', {}, b, b.value)));
  return { node, picked: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

function stateBadge(g) {
  const [text, kind] = STATES[g.state] || [g.state, 'plain'];
  const b = h('span', {}, badge(text, kind));
  if (g.overdue) b.append(' ', badge('逾期未答复', 'red'));
  return b;
}

// One application, with the provider's answer when it is ours to give.
function grantItem(g, reload, mine) {
  const li = h('li', { 'data-grant': String(g.id) });
  li.append(h('h3', {}, `${g.consumer.name} 申请使用「${g.resource.name}」 `, stateBadge(g)),
    el('p', `提供部门：${g.provider.name}；申请用途：${g.purpose}`),
    el('p', `申请信息项：${g.fields_requested.join('、')}`),
    el('p', g.state === 'pending' ? `应于 ${day(g.due_date)} 前答复` : '', 'muted'));
  if (g.state === 'approved' || g.state === 'expired') {
    li.append(el('p', `获准信息项：${g.fields_granted.join('、')}；有效期至 ${day(g.expires_on)}`));
  }
  if (g.reason) li.append(el('p', `理由：${g.reason}`, 'muted'));
  if (!mine) return li;
  if (g.state === 'pending') {
    const fields = pickFields('批准的信息项（可少于申请）', g.fields_requested);
    const until = h('input', { type: 'date', id: `until-${g.id}` });
    const why = h('textarea', { id: `why-${g.id}`, rows: 2, maxlength: 500 });
    const yes = h('button', { type: 'button', class: 'primary' }, '批准');
    const no = h('button', { type: 'button' }, '不予批准');
    const answer = async (approve) => {
      const body = approve ? { approve, fields: fields.picked() } : { approve, reason: why.value.trim() };
      if (approve && until.value) body.expires_on = until.value;
      const r = await api('POST', `/api/v1/sharing/grants/${g.id}/decision`, body);
      if (!r.ok) { say(`未能答复：${reasonOf(r.body, r.status)}`); return; }
      say(approve ? `已批准 ${g.consumer.name} 的申请` : `已答复不予批准：${g.consumer.name}`);
      await reload();
    };
    yes.addEventListener('click', () => answer(true));
    no.addEventListener('click', () => answer(false));
    li.append(h('div', { class: 'answer' }, fields.node,
      h('label', { for: until.id }, '有效期至（不填为一年）'), until,
      h('label', { for: why.id }, '不予批准的理由'), why,
      h('div', { class: 'actions' }, yes, no)));
  } else if (g.state === 'approved') {
    const why = h('textarea', { id: `revoke-${g.id}`, rows: 2, maxlength: 500 });
    const stop = h('button', { type: 'button' }, '撤销授权');
    stop.addEventListener('click', async () => {
      const r = await api('POST', `/api/v1/sharing/grants/${g.id}/revoke`, { reason: why.value.trim() });
      if (!r.ok) { say(`未能撤销：${reasonOf(r.body, r.status)}`); return; }
      say(`已撤销 ${g.consumer.name} 的授权`);
      await reload();
    });
    li.append(h('label', { for: why.id }, '撤销理由'), why, h('div', { class: 'actions' }, stop));
  }
  return li;
}

// ---- the resource editor (政务信息资源目录) ----------------------------------

const KINDS = { person: '自然人', organisation: '法人和其他组织' };
const FIELD_TYPES = { string: '文本', integer: '整数', decimal: '小数', date: '日期', boolean: '是/否' };
const OPS = {
  eq: '等于', ne: '不等于', in: '属于其中之一', gte: '不少于（不早于）', lte: '不多于（不晚于）', present: '有登记', not_expired: '未过期',
};

const options = (map, value) => Object.entries(map).map(([k, v]) => h('option', { value: k, selected: k === value }, v));

// Where a refusal points, in words: "fields[1].name" -> 信息项第 2 项的名称.
function where(field) {
  const parts = {
    code: '资源代码', name: '名称', summary: '摘要', subject_kind: '信息主体', sharing_type: '共享类型',
    conditions: '共享条件', legal_basis: '依据', update_cycle: '更新周期', fields: '信息项', assertions: '可核验事项',
    provider_id: '提供部门',
  };
  const m = /^(fields|assertions)\[(\d+)\]\.(\w+)$/.exec(field || '');
  if (!m) return parts[field] || '';
  const inner = { name: m[1] === 'fields' ? '名称' : '代码', type: '类型', label: '说明', field: '信息项', op: '条件', value: '值', personal: '个人信息' };
  return `${parts[m[1]]}第 ${Number(m[2]) + 1} 项的${inner[m[3]] || m[3]}`;
}

// The value of an assertion as its comparison and field type need it.
function assertionValue(op, type, text) {
  if (op === 'present' || op === 'not_expired') return undefined;
  const t = text.trim();
  if (op === 'in') return t.split(/[、,，]/).map((x) => x.trim()).filter(Boolean);
  if (type === 'integer' || type === 'decimal') return t === '' || Number.isNaN(Number(t)) ? t : Number(t);
  if (type === 'boolean') return t === '是' ? true : t === '否' ? false : t;
  return t;
}

const valueText = (v) => (Array.isArray(v) ? v.join('、') : v === true ? '是' : v === false ? '否' : v === undefined ? '' : String(v));

// A form that registers (res null) or edits a resource of dept; done()
// after a save.
function resourceEditor(dept, res, done) {
  const uid = `r${Math.random().toString(36).slice(2, 8)}`;
  const input = (name, label, value, attrs = {}) => {
    const x = h('input', { type: 'text', id: `${uid}-${name}`, name, value: value || '', ...attrs });
    return [h('label', { for: x.id }, label), x];
  };
  const area = (name, label, value) => {
    const x = h('textarea', { id: `${uid}-${name}`, name, rows: 2, maxlength: 1000 });
    x.value = value || '';
    return [h('label', { for: x.id }, label), x];
  };
  const select = (name, label, map, value) => {
    const x = h('select', { id: `${uid}-${name}`, name }, ...options(map, value));
    return [h('label', { for: x.id }, label), x];
  };
  const fieldRows = h('ol', { class: 'rows fields' });
  const assertionRows = h('ol', { class: 'rows assertions' });
  const fieldNames = () => [...fieldRows.querySelectorAll('input[name=fname]')].map((i) => i.value.trim()).filter(Boolean);
  const fieldType = (name) => {
    const row = [...fieldRows.children].find((li) => li.querySelector('input[name=fname]').value.trim() === name);
    return row ? row.querySelector('select[name=ftype]').value : 'string';
  };
  const refreshFieldChoices = () => {
    for (const sel of assertionRows.querySelectorAll('select[name=afield]')) {
      const keep = sel.value;
      sel.replaceChildren(...fieldNames().map((n) => h('option', { value: n, selected: n === keep }, n)));
    }
  };
  const addField = (f = { name: '', type: 'string', personal: true }) => {
    const n = fieldRows.children.length + 1;
    const name = h('input', { type: 'text', name: 'fname', value: f.name, maxlength: 32, placeholder: '信息项名称，如 参保状态', 'aria-label': `信息项 ${n} 名称` });
    const type = h('select', { name: 'ftype', 'aria-label': `信息项 ${n} 类型` }, ...options(FIELD_TYPES, f.type));
    const personal = h('input', { type: 'checkbox', name: 'fpersonal', checked: f.personal });
    const drop = h('button', { type: 'button', class: 'small' }, '删除');
    const li = h('li', {}, name, type, h('label', { class: 'inline' }, personal, '个人信息'), drop);
    drop.addEventListener('click', () => { li.remove(); refreshFieldChoices(); });
    name.addEventListener('change', refreshFieldChoices);
    fieldRows.append(li);
  };
  const addAssertion = (a = { name: '', label: '', field: '', op: 'eq', value: '' }) => {
    const n = assertionRows.children.length + 1;
    const code = h('input', { type: 'text', name: 'aname', value: a.name, maxlength: 40, placeholder: '代码，如 insured_now', 'aria-label': `可核验事项 ${n} 代码（小写字母、数字、下划线）` });
    const label = h('input', { type: 'text', name: 'alabel', value: a.label, maxlength: 60, placeholder: '说明，如 正常参保', 'aria-label': `可核验事项 ${n} 说明` });
    const field = h('select', { name: 'afield', 'aria-label': `可核验事项 ${n} 信息项` },
      ...fieldNames().map((x) => h('option', { value: x, selected: x === a.field }, x)));
    const op = h('select', { name: 'aop', 'aria-label': `可核验事项 ${n} 条件` }, ...options(OPS, a.op));
    const value = h('input', { type: 'text', name: 'avalue', value: valueText(a.value), placeholder: '比较的值（有登记、未过期不填）', 'aria-label': `可核验事项 ${n} 值（多个用顿号分隔）` });
    const drop = h('button', { type: 'button', class: 'small' }, '删除');
    const li = h('li', {}, code, label, field, op, value, drop);
    drop.addEventListener('click', () => li.remove());
    assertionRows.append(li);
  };
  (res ? res.fields : [{ name: '姓名', type: 'string', personal: true }]).forEach((f) => addField(f));
  (res ? res.assertions : []).forEach((a) => addAssertion(a));
  const addF = h('button', { type: 'button' }, '添加信息项');
  addF.addEventListener('click', () => addField());
  const addA = h('button', { type: 'button' }, '添加可核验事项');
  addA.addEventListener('click', () => { if (!fieldNames().length) addField(); addAssertion(); });
  const msg = h('p', { role: 'alert', class: 'bad' });
  const save = h('button', { type: 'submit', class: 'primary' }, res ? '保存修改' : '登记资源');
  const cancel = h('button', { type: 'button' }, '取消');
  const form = h('form', { class: 'resource-editor', 'aria-label': res ? `编辑${res.name}` : '登记新资源' },
    ...input('code', '资源代码（类+项+目+细目/顺序号，如 101003001/000001）', res && res.code, { readonly: !!res, maxlength: 25 }),
    ...input('name', '资源名称', res && res.name, { maxlength: 100 }),
    ...area('summary', '摘要（包含哪些信息、由谁维护）', res && res.summary),
    ...select('subject_kind', '信息主体', KINDS, res ? res.subject_kind : 'person'),
    ...select('sharing_type', '共享类型', TYPES, res ? res.sharing_type : 'conditional'),
    ...area('conditions', '共享条件（有条件共享时必填）', res && res.conditions),
    ...area('legal_basis', '依据（有条件共享、不予共享时必填）', res && res.legal_basis),
    ...select('update_cycle', '更新周期', CYCLES, res ? res.update_cycle : 'daily'),
    h('fieldset', {}, el('legend', '信息项'), fieldRows, addF),
    h('fieldset', {}, el('legend', '可在线核验的事项（只回答是或否，不给出数据）'), assertionRows, addA),
    msg, h('div', { class: 'actions' }, save, cancel));
  cancel.addEventListener('click', () => done(false));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (name) => form.elements[name].value.trim();
    const body = {
      code: v('code'), name: v('name'), summary: v('summary'), provider_id: dept.id,
      subject_kind: v('subject_kind'), sharing_type: v('sharing_type'), update_cycle: v('update_cycle'),
      fields: [...fieldRows.children].map((li) => ({
        name: li.querySelector('input[name=fname]').value.trim(),
        type: li.querySelector('select[name=ftype]').value,
        personal: li.querySelector('input[name=fpersonal]').checked,
      })),
      assertions: [...assertionRows.children].map((li) => {
        const a = {
          name: li.querySelector('input[name=aname]').value.trim(),
          label: li.querySelector('input[name=alabel]').value.trim(),
          field: li.querySelector('select[name=afield]').value,
          op: li.querySelector('select[name=aop]').value,
        };
        const value = assertionValue(a.op, fieldType(a.field), li.querySelector('input[name=avalue]').value);
        if (value !== undefined) a.value = value;
        return a;
      }),
    };
    if (v('conditions')) body.conditions = v('conditions');
    if (v('legal_basis')) body.legal_basis = v('legal_basis');
    save.disabled = true;
    const r = res
      ? await api('PUT', `/api/v1/sharing/resources/${res.code}`, body)
      : await api('POST', '/api/v1/sharing/resources', body);
    save.disabled = false;
    if (!r.ok) {
      const at = where(r.body.field);
      msg.textContent = `未能保存：${at ? `${at}：` : ''}${reasonOf(r.body, r.status)}`;
      return;
    }
    done(true, r.body);
  });
  return form;
}

function resourceItem(res, edit) {
  const li = h('li', { 'data-resource': res.code });
  li.append(h('h3', {}, `${res.name} `, badge(TYPES[res.sharing_type] || res.sharing_type, res.sharing_type === 'none' ? 'plain' : 'green')),
    el('p', res.code, 'code'), el('p', res.summary),
    el('p', `信息项：${res.fields.map((f) => f.name).join('、')}；更新周期：${CYCLES[res.update_cycle] || res.update_cycle}`));
  if (res.assertions.length) li.append(el('p', `可在线核验：${res.assertions.map((a) => a.label).join('；')}`));
  if (res.conditions) li.append(el('p', `共享条件：${res.conditions}`, 'muted'));
  if (res.legal_basis) li.append(el('p', `依据：${res.legal_basis}`, 'muted'));
  if (res.realtime) li.append(el('p', '由提供部门的接口实时提供', 'muted'));
  if (edit) {
    const b = h('button', { type: 'button', class: 'small' }, '编辑');
    b.setAttribute('aria-label', `编辑${res.name}`);
    b.addEventListener('click', () => edit(res, li));
    li.append(h('div', { class: 'actions' }, b));
  }
  return li;
}

// The form to apply for another department's conditional resource.
function applyForm(dept, all, reload) {
  const choices = all.filter((r) => r.sharing_type === 'conditional' && r.provider.id !== dept.id);
  const sel = h('select', { id: `res-${dept.id}` }, h('option', { value: '' }, '请选择'),
    ...choices.map((r) => h('option', { value: r.code }, `${r.name}（${r.provider.name}）`)));
  const fieldsBox = h('div', {});
  let fields = null;
  sel.addEventListener('change', () => {
    const r = choices.find((x) => x.code === sel.value);
    fields = r ? pickFields('需要的信息项', r.fields.map((f) => f.name)) : null;
    fieldsBox.replaceChildren(...(fields ? [fields.node] : []));
  });
  const purpose = h('textarea', { id: `purpose-${dept.id}`, rows: 2, maxlength: 500 });
  const send = h('button', { type: 'submit', class: 'primary' }, '提交申请');
  const form = h('form', { class: 'apply' }, h('label', { for: sel.id }, '申请使用的资源'), sel, fieldsBox,
    h('label', { for: purpose.id }, '用途（办理哪类事项、为何需要）'), purpose, h('div', { class: 'actions' }, send));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!sel.value) { say('请选择要申请的资源'); return; }
    const r = await api('POST', '/api/v1/sharing/grants', {
      resource: sel.value, department_id: dept.id, purpose: purpose.value.trim(), fields: fields ? fields.picked() : [],
    });
    if (!r.ok) { say(`未能提交申请：${reasonOf(r.body, r.status)}`); return; }
    say('申请已提交，提供部门应在 10 个工作日内答复');
    await reload();
  });
  return form;
}

async function department(dept, all) {
  const box = h('div', {});
  // Opens the editor in place of a resource (or under the list for a new
  // one); after a save the catalog is read again.
  const edit = (res, where) => {
    const form = resourceEditor(dept, res, async (saved, doc) => {
      if (!saved) { form.remove(); for (const x of where ? where.children : []) x.hidden = false; return; }
      const again = await api('GET', '/api/v1/sharing/resources');
      if (again.ok) all.splice(0, all.length, ...again.body.items);
      say(res ? `已保存「${doc.name}」` : `已登记「${doc.name}」`);
      await reload();
    });
    // In the resource's own item (a list holds items only), over what it shows.
    if (where) {
      for (const x of where.children) x.hidden = true;
      where.append(form);
    } else box.querySelector('.new-resource').before(form);
    form.querySelector(res ? 'input[name=name]' : 'input[name=code]').focus();
  };
  const reload = async () => {
    const r = await api('GET', `/api/v1/sharing/grants?department_id=${dept.id}`);
    const grants = r.ok ? r.body.items : [];
    const toAnswer = grants.filter((g) => g.provider.id === dept.id);
    const ours = grants.filter((g) => g.consumer.id === dept.id);
    const list = (items, mine, empty) => {
      const ul = h('ul', { class: 'grants' }, ...items.map((g) => grantItem(g, reload, mine)));
      if (!items.length) ul.append(el('li', empty, 'muted'));
      return ul;
    };
    box.replaceChildren(
      h('section', { class: 'card', 'aria-labelledby': `answer-${dept.id}` },
        h('h2', { id: `answer-${dept.id}` }, `向${dept.name}提出的申请`),
        list(toAnswer, true, '没有申请。')),
      h('section', { class: 'card', 'aria-labelledby': `own-${dept.id}` },
        h('h2', { id: `own-${dept.id}` }, `${dept.name}共享的资源`),
        h('ul', { class: 'resources' }, ...all.filter((x) => x.provider.id === dept.id).map((x) => resourceItem(x, edit))),
        h('div', { class: 'actions new-resource' }, (() => {
          const b = h('button', { type: 'button' }, '登记新资源');
          b.addEventListener('click', () => edit(null, null));
          return b;
        })())),
      h('section', { class: 'card', 'aria-labelledby': `use-${dept.id}` },
        h('h2', { id: `use-${dept.id}` }, `${dept.name}申请使用的资源`),
        list(ours, false, '还没有申请。'), applyForm(dept, all, reload)));
    if (!r.ok) say(`无法读取申请：${reasonOf(r.body, r.status)}`);
  };
  await reload();
  return box;
}

if (who) {
  const officer = (who.roles || []).filter((r) => r.role === 'sharing_officer' && r.department);
  const res = await api('GET', '/api/v1/sharing/resources');
  const all = res.ok ? res.body.items : [];
  const parts = [el('h1', '数据共享', 'page'), flash];
  for (const r of officer) parts.push(await department(r.department, all));
  if (!officer.length) {
    // A supervisor: every application of the region, overdue ones first.
    const g = await api('GET', '/api/v1/sharing/grants');
    const items = g.ok ? g.body.items : [];
    items.sort((a, b) => Number(b.overdue) - Number(a.overdue));
    const ul = h('ul', { class: 'grants' }, ...items.map((x) => grantItem(x, null, false)));
    if (!items.length) ul.append(el('li', '没有申请。', 'muted'));
    parts.push(h('section', { class: 'card' },
      el('h2', `共享申请（逾期未答复 ${items.filter((x) => x.overdue).length} 件）`),
      el('p', '提供部门应在收到申请后 10 个工作日内答复；逾期未答复的排在最前。', 'muted'), ul));
    if (!g.ok) say(`无法读取申请：${reasonOf(g.body, g.status)}`);
  }
  main.replaceChildren(...parts);
}
