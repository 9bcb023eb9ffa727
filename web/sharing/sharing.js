// 数据共享 (/sharing/): a department's sharing officer answers the
// applications for its resources (approve some or all of the fields asked,
// or refuse with reasons, within 10 working days), revokes grants, sees
// what the department shares, and applies for other departments'
// conditional resources; supervisors see every application of their region
// and those past their due date. Text only.
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

function resourceItem(res) {
  const li = h('li', {});
  li.append(h('h3', {}, `${res.name} `, badge(TYPES[res.sharing_type] || res.sharing_type, res.sharing_type === 'none' ? 'plain' : 'green')),
    el('p', res.code, 'code'), el('p', res.summary),
    el('p', `信息项：${res.fields.map((f) => f.name).join('、')}；更新周期：${CYCLES[res.update_cycle] || res.update_cycle}`));
  if (res.assertions.length) li.append(el('p', `可在线核验：${res.assertions.map((a) => a.label).join('；')}`));
  if (res.conditions) li.append(el('p', `共享条件：${res.conditions}`, 'muted'));
  if (res.legal_basis) li.append(el('p', `依据：${res.legal_basis}`, 'muted'));
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
        h('ul', { class: 'resources' }, ...all.filter((x) => x.provider.id === dept.id).map(resourceItem))),
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
