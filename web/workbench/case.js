// One case on the department workbench: who applied and who handles it
// (claim, assign to a colleague), the clock, the application form, every
// material (files open in the browser, e-certificates verified), the
// result certificates, the history, and buttons for exactly the
// transitions this official may take now (the API's allowed_events, from
// the same transition table and policy that decide them). Text only.
import { api, badge, day, el, h, reasonOf, showErrors, stateName, when } from '/ui.js';
import { shell } from '/shell.js';
import { clockBadge, eventName } from '/workbench/common.js';
import { jointCard } from '/joint.js';

const box = document.getElementById('case');
const no = new URLSearchParams(location.search).get('no') || '';
let who = null;
let staff = null; // the department's officials, when this official may assign
let flash = '';

const SOURCES = {
  upload: '申请人上传', library: '材料库复用', certificate: '电子证照', sharing: '数据共享在线核验',
  window: '窗口收取', commitment: '申请人告知承诺（待核查见下）', missing: '未提供',
};
const VERDICTS = {
  valid: ['有效（签名核验通过）', 'ok'], revoked: ['已注销', 'bad'], expired: ['已过期', 'bad'],
  forged: ['核验不通过', 'bad'], unknown: ['证照登记中没有此标识', 'bad'],
};
// Labels of the application form's common fields (the catalog gives no
// form schema); other keys show as they are.
const FIELDS = {
  name: '名称', address: '地址（经营场所）', business_scope: '经营范围', entity_type: '类型',
  operator: '经营者', phone: '联系电话', note: '备注', reason: '事由', capital: '资金数额',
  spouse_name: '配偶姓名', spouse_id: '配偶身份证件号码',
};
// Events whose reason the API requires.
const NEEDS_OPINION = new Set(['reject', 'refuse', 'suspend', 'extend']);

function card(title, ...kids) {
  return h('section', { class: 'card' }, el('h2', title), ...kids);
}

function dl(rows) {
  const d = h('dl');
  for (const [k, v] of rows) d.append(el('dt', k), h('dd', {}, v === null || v === undefined ? '—' : v));
  return d;
}

function personName(id, c) {
  if (id === null || id === undefined) return '系统';
  if (id === c.applicant_id) return `${c.applicant_name}（申请人）`;
  if (who && id === who.id) return `${who.name}（我）`;
  const s = (staff || []).find((x) => x.id === id);
  return s ? s.name : `工作人员（编号 ${id}）`;
}

// ---- who handles it --------------------------------------------------------

async function assign(id, form) {
  const r = await api('POST', `/api/v1/cases/${encodeURIComponent(no)}/assign`, { assignee: Number(id) });
  if (!r.ok) { showErrors(form, r); return; }
  flash = Number(id) === who.id ? '已认领此办件' : '已指派';
  await load();
}

function assignee(c) {
  const current = c.assignee ? (c.assignee.id === who.id ? `${c.assignee.name}（我）` : c.assignee.name) : '未认领';
  if (!staff || ['completed', 'not_accepted', 'withdrawn'].includes(c.state)) return el('span', current);
  const form = h('form', { class: 'assign', id: 'assign-form' });
  const sel = h('select', { name: 'assignee', id: 'assignee', 'aria-label': '指派给' });
  for (const s of staff) {
    const opt = h('option', { value: String(s.id) }, s.id === who.id ? `${s.name}（我）` : s.name);
    if (c.assignee && c.assignee.id === s.id) opt.selected = true;
    sel.append(opt);
  }
  const claimBtn = h('button', { type: 'button', id: 'claim' }, '认领');
  claimBtn.addEventListener('click', () => assign(who.id, form));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); assign(sel.value, form); });
  form.append(el('span', current, 'current'));
  if (!c.assignee || c.assignee.id !== who.id) form.append(claimBtn);
  form.append(sel, h('button', { type: 'submit' }, '指派'), h('p', { role: 'alert', class: 'bad' }));
  return form;
}

// ---- materials and certificates -------------------------------------------

function fileLink(ref, name) {
  const a = h('a', { href: `/api/v1/cases/${encodeURIComponent(no)}/materials/${encodeURIComponent(ref)}/file`, target: '_blank', rel: 'noopener' }, '打开文件');
  a.setAttribute('aria-label', `打开文件：${name}`);
  return a;
}

async function verify(id, into) {
  const r = await api('GET', `/api/v1/certificates/${encodeURIComponent(id)}/verify`);
  const [text, cls] = r.status === 429 ? ['核验次数过多，请稍后再试', 'bad']
    : (VERDICTS[r.body.status] || [reasonOf(r.body, r.status), 'bad']);
  const what = r.body.type ? `${r.body.type.name}，${r.body.issuer.name}签发：` : '';
  into.replaceChildren(el('span', `${what}${text}`, cls));
}

function materials(c) {
  const tbody = h('tbody');
  for (const m of c.materials || []) {
    const view = h('td', { 'data-label': '查看' });
    if ((m.source === 'upload' || m.source === 'library') && m.ref) {
      view.append(fileLink(m.ref, m.name));
    } else if (m.source === 'certificate' && m.ref) {
      view.append(el('span', '正在核验……', 'muted'));
      verify(m.ref, view);
    } else {
      view.append(el('span', '—', 'muted'));
    }
    tbody.append(h('tr', { 'data-material': m.name },
      h('td', { 'data-label': '材料' }, m.name),
      h('td', { 'data-label': '要求' }, m.required === 'required' ? '必需' : '可选'),
      h('td', { 'data-label': '来源', class: m.source === 'missing' ? 'muted' : '' }, SOURCES[m.source] || m.source),
      view));
  }
  const t = h('table', { class: 'stack' },
    h('thead', {}, h('tr', {}, el('th', '材料'), el('th', '要求'), el('th', '来源'), el('th', '查看'))), tbody);
  const out = [h('div', { class: 'table-wrap' }, t)];
  if (c.corrections && c.corrections.length) {
    out.push(el('h3', '已一次性告知补正的内容'),
      h('ul', {}, c.corrections.map((x) => el('li', `${x.material || x.field}：${x.reason}`))));
  }
  return out;
}

// ---- online checks (数据共享在线核验) --------------------------------------

// The sharing catalog, asked once per page.
let resources = null;

// A card that checks a fact about the applicant with another department's
// data instead of asking them for a certificate: a resource about their
// kind of applicant, then what it can confirm (or the fields to read),
// the purpose; the answer shown here, the query in the applicant's record.
async function onlineCheck(c) {
  if (resources === null) {
    const r = await api('GET', '/api/v1/sharing/resources');
    resources = r.ok ? r.body.items : [];
  }
  const kind = /^\d{17}[\dX]$/.test(c.applicant_code || '') ? 'person' : 'organisation';
  const usable = resources.filter((x) => x.sharing_type !== 'none' && x.subject_kind === kind);
  const sel = h('select', { id: 'check-resource' }, h('option', { value: '' }, '请选择'),
    ...usable.map((x) => h('option', { value: x.code }, `${x.name}（${x.provider.name}）`)));
  const what = h('div', { id: 'check-what' });
  const purpose = h('input', { type: 'text', id: 'check-purpose', maxlength: 200, value: `办理“${c.item_name}”` });
  const out = h('div', { id: 'check-answer', role: 'status' });
  const go = h('button', { type: 'button', class: 'primary' }, '核验');
  sel.addEventListener('change', () => {
    const x = usable.find((y) => y.code === sel.value);
    if (!x) { what.replaceChildren(); return; }
    const opts = x.assertions.length
      ? x.assertions.map((a) => h('label', {}, h('input', { type: 'checkbox', name: 'assertion', value: a.name }), a.label))
      : x.fields.map((f) => h('label', {}, h('input', { type: 'checkbox', name: 'field', value: f.name }), f.name));
    what.replaceChildren(h('fieldset', { class: 'checks' },
      el('legend', x.assertions.length ? '核验内容（只回答是或否）' : '查询的信息项'), ...opts));
  });
  go.addEventListener('click', async () => {
    const ticked = (name) => [...what.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    const body = { resource: sel.value, subject: c.applicant_code, purpose: purpose.value.trim(), case_no: c.case_no };
    if (what.querySelector('input[name=assertion]')) body.assertions = ticked('assertion');
    else body.fields = ticked('field');
    if (!sel.value) { out.replaceChildren(el('p', '请选择要核验的资源', 'bad')); return; }
    go.disabled = true;
    const r = await api('POST', '/api/v1/verify', body);
    go.disabled = false;
    if (!r.ok) { out.replaceChildren(el('p', `未能核验：${reasonOf(r.body, r.status)}`, 'bad')); return; }
    const lines = [];
    if (!r.body.found) lines.push(el('p', '提供部门没有该申请人的记录。', 'bad'));
    for (const x of r.body.results || []) lines.push(el('p', `${x.label}：${x.holds ? '是' : '否'}`, x.holds ? 'ok' : 'bad'));
    if (r.body.fields) lines.push(dl(Object.entries(r.body.fields).map(([k, v]) => [k, v === null ? '（未登记）' : String(v)])));
    lines.push(el('p', '本次查询已记录，申请人可在“数据使用记录”中看到。', 'muted'));
    out.replaceChildren(...lines);
  });
  return card('在线核验', el('p', `通过数据共享核验申请人（${c.applicant_name}）的信息，无需其另行提交证明。`, 'muted'),
    h('label', { for: sel.id }, '共享资源'), sel, what,
    h('label', { for: purpose.id }, '用途'), purpose, h('div', { class: 'actions' }, go), out);
}

// ---- commitments (证明事项告知承诺制) ---------------------------------------

const METHODS = { online: '在线核查', onsite: '现场核查', assist: '部门协查', document: '书面核查' };
const VERDICT = { pending: ['待核查', 'plain'], true: ['属实', 'green'], false: ['不实', 'red'] };

// The case's commitments with their due dates; a pending one is checked
// here: online through data sharing where the catalog names the resource
// (a fact that does not hold online stays pending for a finding), or by
// another method with a conclusion and what was found. A false one goes
// to the applicant's credit record.
function commitmentChecks(c) {
  const online = new Set((c.materials || []).filter((m) => m.commitment && m.commitment.online).map((m) => m.name));
  const items = c.commitments.map((k) => {
    const li = h('li', { 'data-commitment': k.material });
    const [word, colour] = VERDICT[k.state];
    li.append(h('h3', {}, k.material, ' ', badge(word, colour)),
      el('p', `申请人承诺：${k.content}`),
      el('p', k.state === 'pending' ? `核查期限：${day(k.due_date)}${k.overdue ? '（已超期）' : ''}` : `${METHODS[k.method] || ''}，${when(k.checked_at)}：${k.finding}`,
        k.overdue ? 'bad' : 'muted'));
    if (k.state !== 'pending') return li;
    const out = h('div', { role: 'status' });
    const path = `/api/v1/cases/${encodeURIComponent(c.case_no)}/commitments/${k.id}/check`;
    const send = async (body, button) => {
      button.disabled = true;
      const r = await api('POST', path, body);
      button.disabled = false;
      if (!r.ok) { out.replaceChildren(el('p', `未能核查：${reasonOf(r.body, r.status)}`, 'bad')); return; }
      if (r.body.state === 'pending') {
        out.replaceChildren(el('p', '在线核查结果与承诺不符。请现场核查或请有关部门协查后作出结论。', 'bad'));
        return;
      }
      flash = r.body.state === 'false'
        ? `已认定“${k.material}”的承诺不实，已记入申请人信用记录。请依法终止办理（不予受理、不予许可），已作出决定的依法撤销。`
        : `“${k.material}”的承诺核查属实。`;
      await load();
    };
    if (online.has(k.material)) {
      const go = h('button', { type: 'button', class: 'primary' }, '在线核查');
      go.addEventListener('click', () => send({ method: 'online' }, go));
      li.append(h('div', { class: 'actions' }, go));
    }
    const id = `k${k.id}`;
    const method = h('select', { id: `${id}-method`, name: 'method' },
      ...['onsite', 'assist', 'document'].map((m) => h('option', { value: m }, METHODS[m])));
    const yes = h('input', { type: 'radio', name: `${id}-outcome`, value: 'true', id: `${id}-yes` });
    const no2 = h('input', { type: 'radio', name: `${id}-outcome`, value: 'false', id: `${id}-no` });
    const finding = h('textarea', { id: `${id}-finding`, name: 'finding', rows: 2, maxlength: 500 });
    const save = h('button', { type: 'submit' }, '提交核查结论');
    finding.addEventListener('input', () => out.replaceChildren());
    const form = h('form', { class: 'commit-check' },
      h('label', { for: method.id }, '核查方式'), method,
      h('fieldset', { class: 'checks' }, el('legend', '结论'),
        h('label', { for: yes.id }, yes, '属实'), h('label', { for: no2.id }, no2, '不实（记入申请人信用记录）')),
      h('label', { for: finding.id }, '核查情况'), finding,
      h('div', { class: 'actions' }, save));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const picked = form.querySelector(`input[name=${id}-outcome]:checked`);
      if (!picked) { out.replaceChildren(el('p', '请选择结论：属实或不实', 'bad')); return; }
      if (finding.value.trim().length < 2) { out.replaceChildren(el('p', '请填写核查情况', 'bad')); finding.focus(); return; }
      send({ method: method.value, outcome: picked.value === 'true', finding: finding.value.trim() }, save);
    });
    li.append(form, out);
    return li;
  });
  return card('告知承诺核查', el('p', '申请人以告知承诺代替以下证明材料，请在期限内核查；承诺不实的，记入申请人信用记录。', 'muted'),
    h('ul', { class: 'commitments' }, ...items));
}

function certificates(c) {
  return h('ul', { class: 'certs' }, c.certificates.map((id) => {
    const li = h('li', {}, el('span', id, 'code'), ' ');
    const v = el('span', '正在核验……', 'muted');
    li.append(v);
    verify(id, v);
    return li;
  }));
}

// ---- transitions -------------------------------------------------------------

// The certificate a completion issues: its holder (for a type an
// organisation holds) and the face fields taken from input, prefilled
// from the application form.
async function certificateFields(c) {
  const item = await api('GET', `/api/v1/items/${encodeURIComponent(c.item)}?version=${c.item_version}`);
  const res = item.ok && item.body.result;
  if (!res || !res.certificate_type) return null;
  const types = await api('GET', '/api/v1/certificate-types');
  const type = (types.ok ? types.body : []).find((t) => t.name === res.certificate_type);
  if (!type) return null;
  const form = c.form || {};
  const fs = h('fieldset', { class: 'face' }, el('legend', `证照：${type.name}（内容取自申请表，可修改）`));
  if (type.holder_type === 'organisation') {
    fs.append(
      h('label', { for: 'holder-name' }, '持证主体名称'),
      h('input', { id: 'holder-name', name: 'certificate.holder.name', value: form.name || form['名称'] || '', class: 'wide' }),
      h('label', { for: 'holder-code' }, '持证主体统一社会信用代码（申请人本单位持证时可不填）'),
      h('input', { id: 'holder-code', name: 'certificate.holder.code', maxlength: '18', autocomplete: 'off', class: 'wide' }));
  }
  // A form filled at the window names its fields in Chinese (经营场所):
  // the face's label stands for its key there.
  for (const f of type.fields.filter((x) => x.from === 'input')) {
    const v = form[f.key] ?? form[f.label];
    fs.append(h('label', { for: `face-${f.key}` }, f.label + (f.required ? '（必填）' : '')),
      h('input', { id: `face-${f.key}`, name: `face.${f.key}`, 'data-field': `certificate.face.${f.key}`, 'data-face': f.key, value: typeof v === 'string' ? v : '', class: 'wide' }));
  }
  return fs;
}

function correctionList(c) {
  const fs = h('fieldset', { 'data-field': 'corrections', class: 'corrections' },
    el('legend', '需要补正的材料（可多选，一次性告知）'));
  (c.materials || []).forEach((m, i) => {
    const id = `corr-${i}`;
    fs.append(h('div', { class: 'corr' },
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', id, 'data-material': m.name }), ` ${m.name}`),
      h('input', { type: 'text', 'aria-label': `${m.name}的补正要求`, 'data-reason-for': m.name, placeholder: '补正要求，例如：复印件不清晰，请重新上传', class: 'wide' })));
  });
  fs.append(h('label', { for: 'corr-other' }, '其他需要补正的内容（可选）'),
    h('textarea', { id: 'corr-other', name: 'other', rows: '3' }));
  return fs;
}

async function actionForm(event, c) {
  const form = h('form', { class: 'card action', id: `form-${event}` }, el('h3', eventName(event)));
  if (event === 'request_correction') form.append(correctionList(c));
  if (event === 'suspend') {
    form.append(el('p', '中止期间不计入办理时限，恢复办理时时限按中止的工作日顺延。（中止的工作日数由恢复办理的日期决定，接口不另设天数。）', 'muted'));
  }
  if (event === 'extend') {
    form.append(el('p', '每个办件只能延长一次，法定时限按事项规定的延长工作日顺延。', 'muted'));
  }
  if (event === 'hand_out') {
    // 统一出件: handed out at the window, or posted (the opinion then
    // names the postal service and the tracking number).
    form.append(h('fieldset', { class: 'checks' }, el('legend', '送达方式'),
      h('label', {}, h('input', { type: 'radio', name: 'delivery', value: 'window', checked: true }), '窗口领取'),
      h('label', {}, h('input', { type: 'radio', name: 'delivery', value: 'post' }), '邮寄送达（在意见中写明快递公司和单号）')));
  }
  let face = null;
  if (event === 'complete') {
    face = await certificateFields(c);
    if (face) form.append(face);
  }
  const label = { hand_out: '送达说明（邮寄时必填）', reject: '不予受理的理由', refuse: '不予批准的理由', suspend: '中止的理由', extend: '延长的理由', approve: '审批意见', request_correction: '告知说明（可选）' }[event] || '办理意见（可选）';
  form.append(h('label', { for: `op-${event}` }, label + (NEEDS_OPINION.has(event) ? '（必填）' : '')),
    h('textarea', { id: `op-${event}`, name: 'opinion', rows: '3', maxlength: '1000', required: NEEDS_OPINION.has(event) }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, `确认${eventName(event)}`),
      h('button', { type: 'button', class: 'cancel' }, '取消')),
    h('p', { role: 'alert', class: 'bad' }));
  form.querySelector('.cancel').addEventListener('click', () => { form.remove(); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { event };
    if (event === 'hand_out') body.delivery = form.delivery.value;
    const opinion = form.opinion.value.trim();
    if (opinion) body.opinion = opinion;
    if (event === 'request_correction') {
      body.corrections = [];
      for (const cb of form.querySelectorAll('input[type=checkbox][data-material]')) {
        if (!cb.checked) continue;
        const name = cb.dataset.material;
        const why = form.querySelector(`[data-reason-for="${CSS.escape(name)}"]`).value.trim();
        body.corrections.push({ material: name, reason: why || '请按要求补正此材料' });
      }
      const other = form.other.value.trim();
      if (other) body.corrections.push({ field: '其他', reason: other });
    }
    if (face) {
      const cert = { face: {} };
      for (const i of face.querySelectorAll('[data-face]')) if (i.value.trim()) cert.face[i.dataset.face] = i.value.trim();
      const code = form.querySelector('#holder-code');
      if (code && code.value.trim()) {
        cert.holder = { code: code.value.trim(), name: form.querySelector('#holder-name').value.trim() };
      }
      body.certificate = cert;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    const r = await api('POST', `/api/v1/cases/${encodeURIComponent(no)}/events`, body);
    btn.disabled = false;
    if (!r.ok) {
      // "certificate.face.x" and "face.x" name the same input.
      if (r.body && r.body.field && r.body.field.startsWith('face.')) r.body.field = `certificate.${r.body.field}`;
      showErrors(form, r);
      return;
    }
    flash = `已${eventName(event)}，办件现为：${stateName(r.body.state)}`;
    await load();
  });
  return form;
}

function actions(c) {
  const panel = h('div', { id: 'action-panel' });
  const bar = h('div', { class: 'actions' });
  for (const event of c.allowed_events || []) {
    const b = h('button', { type: 'button', 'data-event': event, class: ['approve', 'accept', 'complete'].includes(event) ? 'primary' : '' }, eventName(event));
    b.addEventListener('click', async () => {
      const f = await actionForm(event, c);
      panel.replaceChildren(f);
      const first = f.querySelector('input, textarea');
      (first || f.querySelector('button')).focus();
    });
    bar.append(b);
  }
  if (!bar.children.length) {
    return card('办理', el('p', '此办件当前没有您可以办理的操作。', 'muted'));
  }
  return card('办理', bar, panel);
}

// ---- the page -------------------------------------------------------------

async function render(c) {
  const form = Object.entries(c.form || {});
  const clock = c.clock || {};
  const steps = h('ol', { class: 'history' }, (c.steps || []).map((s) => h('li', {},
    h('div', { class: 'when' }, when(s.at)),
    h('div', {}, el('strong', eventName(s.event)), s.from ? ` ${stateName(s.from)} → ${stateName(s.to)}` : ` → ${stateName(s.to)}`),
    h('div', { class: 'muted' }, `办理人：${personName(s.handler, c)}`),
    s.opinion ? el('div', `意见：${s.opinion}`, 'opinion') : null)));
  const head = h('section', { class: 'card' },
    h('h1', { id: 'case-title', tabindex: '-1' }, c.item_name),
    dl([
      ['办件编号', el('span', c.case_no, 'code')],
      ['申请人', c.applicant_name || '—'],
      ['状态', badge(stateName(c.state))],
      ['时限', clockBadge(c.clock)],
      ['经办人', assignee(c)],
    ]));
  // The catalog's age rules checked against the applicant's identity
  // number: a hint for the review, the conditions decide.
  const unfit = (c.eligibility || []).filter((x) => !x.holds);
  const limit = (x) => `${x.sex === 'male' ? '男性' : x.sex === 'female' ? '女性' : ''}${x.min !== null ? `年满 ${x.min} 周岁` : ''}${x.max !== null ? `不超过 ${x.max} 周岁` : ''}`;
  if (unfit.length) {
    head.append(el('p', `按身份证件核对，申请人今年 ${unfit[0].age} 周岁，可能不符合适用条件（${unfit.map(limit).join('；')}），请依受理条件审查。`, 'bad'));
  }
  const out = [head];
  if (flash) out.unshift(el('p', flash, 'ok flash'));
  out.push(actions(c),
    card('时限', dl([
      ['受理日期', day(clock.accepted_on)],
      ['承诺办结日期', day(clock.promised_due)],
      ['法定办结日期', day(clock.statutory_due)],
      ['剩余工作日', clock.remaining_workdays === undefined ? '—'
        : clock.remaining_workdays < 0 ? `已超期 ${-clock.remaining_workdays} 个工作日` : String(clock.remaining_workdays)],
      ['已延长', clock.extended ? '是（只能延长一次）' : '否'],
      ['已中止', clock.suspended ? '是，时限暂停计算' : '否'],
    ])),
    card('申请表', form.length ? dl(form.map(([k, v]) => [FIELDS[k] || k, typeof v === 'string' ? v : JSON.stringify(v)])) : el('p', '申请表没有填写内容。', 'muted')),
    card('材料', ...materials(c)));
  if ((c.commitments || []).length) out.push(commitmentChecks(c));
  if (c.applicant_code && !['draft', 'withdrawn'].includes(c.state)) out.push(await onlineCheck(c));
  if ((c.certificates || []).length) out.push(card('办理结果：电子证照', certificates(c)));
  const joint = await jointCard(c, true, async (msg) => { flash = msg; await load(); });
  if (joint) out.splice(out.indexOf(head) + 2, 0, joint);
  out.push(card('办理记录', steps));
  box.replaceChildren(...out);
  document.title = `${c.item_name} · 办件 ${c.case_no} · 通办`;
  if (flash) { document.getElementById('case-title').focus(); flash = ''; }
}

async function load() {
  const r = await api('GET', `/api/v1/cases/${encodeURIComponent(no)}`);
  if (!r.ok) {
    box.replaceChildren(h('section', { class: 'card' }, el('h1', '办件详情'),
      el('p', r.status === 404 ? '没有找到这个办件，或您无权查看。' : reasonOf(r.body, r.status), 'bad')));
    return;
  }
  if (staff === null) {
    const s = await api('GET', `/api/v1/departments/${r.body.department_id}/staff`);
    staff = s.ok ? s.body.items : false;
  }
  await render(r.body);
}

async function start() {
  who = await shell({ active: 'workbench', signIn: true });
  if (!who) return;
  await load();
}

start();
