// Applying online for one item (/apply.html?item=IMPLEMENTATION_CODE), in
// three steps: the application form drawn from the item's definition in the
// catalog (prefilled by the platform from what it holds), the materials
// (what an e-certificate or the library already gives is shown with its
// source, the rest uploaded), and a review before submission. One draft per
// applicant and item: a return resumes it (the API answers 409 with its
// number). What is typed is kept in this browser until the draft has it, so
// a reload loses nothing. Offered only when the catalog entry allows the
// item online (depth III or IV, through web or mobile); otherwise the page
// says where to go. Text is set with textContent only.
import {
  api, DEPTH, el, fieldInput, filePicker, h, onlineChannel, reasonOf, REQUIREMENT, showErrors,
  signInForm,
} from '/ui.js';
import { shell } from '/shell.js';

const $ = (id) => document.getElementById(id);
const code = new URLSearchParams(location.search).get('item') || '';
// Where a prefilled value came from, in words (forBusiness: acting for one).
const prefillFrom = (p, forBusiness) => {
  if (p.startsWith('certificate:')) return `您的电子证照（${p.slice(12).split('.')[0]}）`;
  if (p.startsWith('agent.')) return '您的账户';
  return forBusiness ? '企业的账户信息' : '您的账户';
};
// The query code is answered once, when the draft is opened: kept for this
// tab so that the last step can still show it after a reload.
const QC = 'tongban.qc.';
// Typed values the draft does not have yet, per case (this browser only).
const TYPED = 'tongban.typed.';
const STEP = 'tongban.step.';

let item = null; // the item document
let caseNo = null;
let data = null; // GET /api/v1/cases/{no}
let saveTimer = null;
let acting = false; // applying for a business the person acts for

const fields = () => item.form_fields || [];

function fail(text) {
  $('error').textContent = text;
}

function showItem() {
  $('item').hidden = false;
  $('item-name').textContent = item.name;
  document.title = `${item.name} · 在线申请 · 通办`;
  $('guide-link').href = `/guide.html?item=${encodeURIComponent(code)}`;
  $('item-facts').replaceChildren(
    el('dt', '承诺时限'), el('dd', item.case_kind === 'immediate' ? '即办（当场办结）' : `${item.promised_days} 个工作日`),
    el('dt', '到现场次数'), el('dd', item.required_visits ? `${item.required_visits} 次（${item.visit_reason || ''}）` : '0 次，全程网上办理'));
}

function showOffline() {
  const box = $('offline');
  box.hidden = false;
  const why = item.online_depth < 3
    ? `本事项的网上办理深度为“${DEPTH[item.online_depth] || item.online_depth}”，需到办理地点申请。`
    : '本事项不通过网上渠道受理，请到办理地点申请。';
  box.replaceChildren(
    el('h2', '本事项暂不能在网上申请'),
    el('p', why),
    h('dl', {},
      el('dt', '办理地点'), el('dd', item.address || '实施部门办事窗口'),
      el('dt', '办理时间'), el('dd', item.hours || '未公布'),
      el('dt', '咨询电话'), el('dd', item.phone || '未公布')),
    h('p', {}, h('a', { href: `/guide.html?item=${encodeURIComponent(code)}` }, '查看办事指南，了解需要带哪些材料')));
}

// ---- the steps ---------------------------------------------------------------

function go(step, quiet) {
  sessionStorage.setItem(STEP + caseNo, step);
  const order = ['form', 'materials', 'review'];
  $('steps').hidden = false;
  for (const li of $('steps').children) {
    const i = order.indexOf(li.dataset.step);
    li.classList.toggle('done', i < order.indexOf(step));
    if (li.dataset.step === step) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  for (const s of order) $(`step-${s}`).hidden = s !== step;
  if (step === 'form') drawForm();
  if (step === 'materials') drawMaterials();
  if (step === 'review') drawReview();
  // A step moved to: its heading takes the focus (a screen reader reads
  // it); not on arrival, which would scroll past the item.
  if (quiet) return;
  const heading = $(`step-${step}`).querySelector('h2');
  heading.tabIndex = -1;
  heading.focus();
}

// ---- 1. the application form -------------------------------------------------

function typed() {
  try { return JSON.parse(localStorage.getItem(TYPED + caseNo) || '{}'); } catch { return {}; }
}

function drawForm() {
  const saved = data.form || {};
  const local = typed();
  const rows = fields().map((f, i) => {
    const id = `f${i}`;
    const value = local[f.name] ?? (saved[f.name] === undefined ? '' : String(saved[f.name]));
    const box = fieldInput(f, value, { id });
    const hints = [];
    if (f.help) hints.push(h('p', { class: 'hint', id: `${id}-hint` }, f.help));
    if (f.prefill && saved[f.name] !== undefined && saved[f.name] !== '') {
      hints.push(el('p', `已根据${prefillFrom(f.prefill, acting)}自动填写，如有变化可修改`, 'from'));
    }
    if (f.help) box.setAttribute('aria-describedby', `${id}-hint`);
    const control = f.unit ? h('div', { class: 'with-unit' }, box, el('span', f.unit)) : box;
    return h('div', { class: 'field' },
      h('label', { for: id }, f.name, f.required ? el('span', '（必填）', 'req') : el('span', '（选填）', 'muted')),
      control, ...hints);
  });
  $('fields').replaceChildren(...rows);
  $('form-note').textContent = '带“必填”的项目须填写；填写内容自动保存，可随时离开，下次回来接着填。';
}

// The form as typed: every field with a value.
function readForm() {
  const out = { ...(data.form || {}) };
  for (const f of fields()) {
    const node = $('appform').elements[`form.${f.name}`];
    if (!node) continue;
    const v = node.value.trim();
    if (v) out[f.name] = v;
    else delete out[f.name];
  }
  return out;
}

// Marks each required field without a value; answers whether there was none.
function markMissing() {
  showErrors($('appform'), null);
  let first = null;
  for (const f of fields()) {
    const node = $('appform').elements[`form.${f.name}`];
    if (!f.required || !node || node.value.trim()) continue;
    node.setAttribute('aria-invalid', 'true');
    const msg = el('p', '此项必须填写', 'field-error');
    msg.id = `${node.id}-error`;
    node.setAttribute('aria-describedby', msg.id);
    (node.closest('.with-unit') || node).after(msg);
    first = first || node;
  }
  if (first) {
    $('appform').querySelector('[role=alert]').textContent = '还有必填项目没有填写，已在上方标出。';
    first.focus();
  }
  return !first;
}

async function saveForm() {
  const form = readForm();
  localStorage.setItem(TYPED + caseNo, JSON.stringify(form));
  const r = await api('PUT', `/api/v1/cases/${encodeURIComponent(caseNo)}`, { form });
  if (r.ok) {
    data.form = form;
    localStorage.removeItem(TYPED + caseNo);
    $('saved').textContent = `已保存（${new Date().toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' })}）`;
  }
  return r;
}

function bindForm() {
  const form = $('appform');
  // Kept in this browser at once, saved to the draft a moment later.
  form.addEventListener('input', () => {
    localStorage.setItem(TYPED + caseNo, JSON.stringify(readForm()));
    clearTimeout(saveTimer);
    saveTimer = setTimeout(async () => {
      const r = await saveForm();
      if (!r.ok && r.status === 400) $('saved').textContent = `暂未保存：${reasonOf(r.body, r.status)}`;
    }, 1200);
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearTimeout(saveTimer);
    if (!markMissing()) return;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const r = await saveForm();
    button.disabled = false;
    if (!r.ok) {
      showErrors(form, r);
      return;
    }
    go('materials');
  });
}

// ---- 2. the materials --------------------------------------------------------

function status(m) {
  switch (m.source) {
    case 'certificate': return ['已由电子证照提供，无需提交', 'ok'];
    case 'library': return ['已从您的材料库调取，无需提交', 'ok'];
    case 'sharing': return ['已通过数据共享获取，无需提交', 'ok'];
    case 'upload': return ['已上传', 'ok'];
    case 'window': return ['已在窗口提交', 'ok'];
    case 'commitment': return ['已签署告知承诺，无需提交（办理部门将在受理后核查）', 'ok'];
    default:
      if (m.online_check) return ['提交时由平台通过数据共享在线核验，无需上传（核验未通过时再上传）', 'ok'];
      if (m.required === 'conditional') return [`属于“${m.condition}”情形的需上传`, ''];
      return m.required === 'required' ? ['需上传', 'bad'] : ['未提供', ''];
  }
}

// 证明事项告知承诺制: the notice the applicant reads before committing
// instead of bringing the material (国办发〔2020〕42号: what is to be proven,
// the check and the liability of a false commitment), and the signature.
function commitmentRow(m) {
  const c = m.commitment;
  const agree = h('input', { type: 'checkbox', id: `agree-${m.name}` });
  const sign = h('button', { type: 'button', class: 'primary' }, '签署承诺');
  const msg = el('p', '', 'bad');
  msg.setAttribute('role', 'alert');
  sign.addEventListener('click', async () => {
    if (!agree.checked) {
      msg.textContent = '请先阅读告知内容并勾选承诺';
      agree.focus();
      return;
    }
    sign.disabled = true;
    const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/commitments`, { material: m.name });
    sign.disabled = false;
    if (!r.ok) {
      msg.textContent = `未能签署：${reasonOf(r.body, r.status)}`;
      return;
    }
    await reload();
    drawMaterials();
    $('mat-error').textContent = '';
  });
  const notice = h('div', { class: 'commitment', role: 'group', 'aria-label': `${m.name}告知承诺书` },
    el('h3', `告知承诺书：${m.name}`),
    h('dl', {},
      el('dt', '需要证明的事项'), el('dd', m.name),
      el('dt', '承诺内容'), el('dd', c.content),
      el('dt', '核查方式'), el('dd', `办理部门将在提交后 ${c.check_days} 个工作日内核查，可能通过数据共享在线核查、现场核查或请有关部门协助核查。`),
      el('dt', '不实承诺的责任'), el('dd', '承诺不实的，办理部门将依法终止办理或撤销已作出的决定，并记入信用记录；信用修复前不再适用告知承诺。')),
    h('label', { class: 'check', for: agree.id }, agree,
      '本人已知晓上述告知内容，承诺符合要求，所述属实，愿意承担不实承诺的法律责任。'),
    h('div', { class: 'actions' }, sign), msg);
  return h('tr', { class: 'commitment-row', 'data-commitment': m.name }, h('td', { colspan: '4' }, notice));
}

function uploader(m) {
  const cell = el('td');
  if (['certificate', 'library', 'sharing'].includes(m.source)) return cell;
  if (m.source === 'commitment') {
    const back = h('button', { type: 'button' }, '撤回承诺');
    back.addEventListener('click', async () => {
      back.disabled = true;
      const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/commitments`, { material: m.name, commit: false });
      back.disabled = false;
      if (!r.ok) {
        $('mat-error').textContent = `未能撤回：${reasonOf(r.body, r.status)}`;
        return;
      }
      await reload();
      drawMaterials();
    });
    cell.append(back);
    return cell;
  }
  const { input: file, node } = filePicker({ ariaLabel: `上传${m.name}`, label: m.source === 'upload' ? '重新选择' : '选择文件' });
  const button = h('button', { type: 'button' }, '上传');
  button.addEventListener('click', async () => {
    if (!file.files.length) {
      $('mat-error').textContent = `请先为“${m.name}”选择文件`;
      return;
    }
    button.disabled = true;
    const body = new FormData();
    body.append('material', m.name);
    body.append('file', file.files[0]);
    const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/materials`, body);
    button.disabled = false;
    if (!r.ok) {
      $('mat-error').textContent = `“${m.name}”上传失败：${reasonOf(r.body, r.status)}`;
      return;
    }
    $('mat-error').textContent = '';
    await reload();
    drawMaterials();
  });
  cell.append(node, ' ', button);
  if (m.commitment) {
    const offer = h('button', { type: 'button', 'aria-expanded': 'false' }, '以告知承诺代替');
    offer.addEventListener('click', () => {
      const row = cell.closest('tr');
      const open = row.nextElementSibling && row.nextElementSibling.classList.contains('commitment-row');
      if (open) row.nextElementSibling.remove();
      else row.after(commitmentRow(m));
      offer.setAttribute('aria-expanded', String(!open));
    });
    cell.append(h('p', { class: 'muted small' }, '无法提供的，可签署告知承诺书代替：'), offer);
  }
  return cell;
}

function drawMaterials() {
  const rows = data.materials.map((m) => {
    const [text, cls] = status(m);
    return h('tr', { 'data-material': m.name },
      el('td', m.name), el('td', REQUIREMENT[m.required] || m.required), el('td', text, cls), uploader(m));
  });
  $('materials').querySelector('tbody').replaceChildren(...rows);
}

const missing = () => data.materials.filter((m) => m.required === 'required' && status(m)[1] === 'bad');

// ---- 3. review and submit ----------------------------------------------------

function drawReview() {
  const form = data.form || {};
  const shown = fields().length ? fields() : Object.keys(form).map((name) => ({ name }));
  $('review-form').replaceChildren(...shown.flatMap((f) => {
    const v = form[f.name];
    return [el('dt', f.name), el('dd', v === undefined || v === '' ? '（未填写）' : `${v}${f.unit ? ` ${f.unit}` : ''}`)];
  }));
  if (!shown.length) $('review-form').replaceChildren(el('dd', '本事项无需填写申请表'));
  $('review-materials').replaceChildren(...data.materials.map((m) => {
    const [text, cls] = status(m);
    return h('li', {}, `${m.name}：`, el('span', text, cls));
  }));
  showErrors($('submit-form'), null);
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('submit-form');
  const alert = form.querySelector('[role=alert]');
  if (!$('promise').checked) {
    alert.textContent = '请阅读并勾选承诺后再提交';
    $('promise').focus();
    return;
  }
  const button = $('submit');
  if (button.disabled) return;
  button.disabled = true;
  button.textContent = '正在提交……';
  const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/submit`);
  button.textContent = '提交申请';
  if (!r.ok) {
    button.disabled = false;
    const field = r.body.field || '';
    if (field.startsWith('form.')) {
      go('form');
      showErrors($('appform'), r);
    } else if (r.body.missing && r.body.missing.length) {
      await reload();
      go('materials');
      $('mat-error').textContent = `还缺少：${r.body.missing.map((m) => m.material || m.name).join('、')}`;
    } else {
      alert.textContent = `提交未成功：${reasonOf(r.body, r.status)}`;
    }
    return;
  }
  done();
}

async function done() {
  let qc = sessionStorage.getItem(QC + caseNo);
  if (!qc) {
    // A resumed draft: its code was shown when it was opened, maybe on
    // another day; a new one is made now (the old one stops working).
    const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/query-code`, {});
    qc = r.ok ? r.body.query_code : null;
  }
  sessionStorage.removeItem(STEP + caseNo);
  localStorage.removeItem(TYPED + caseNo);
  for (const id of ['steps', 'resumed', 'step-form', 'step-materials', 'step-review']) $(id).hidden = true;
  $('done-facts').replaceChildren(
    el('dt', '办件编号'), el('dd', caseNo, 'code'),
    el('dt', '查询码'), el('dd', qc || '请在“我的办件”中查看', qc ? 'code' : ''),
    el('dt', '办理时限'), el('dd', item.case_kind === 'immediate' ? '即办' : `受理后 ${item.promised_days} 个工作日内办结`));
  $('to-case').href = `/my/case.html?no=${encodeURIComponent(caseNo)}`;
  $('to-progress').href = qc ? `/progress.html#${encodeURIComponent(`${caseNo}:${qc}`)}` : '/progress.html';
  $('done').hidden = false;
  $('done').focus();
}

// ---- opening or resuming the draft ----------------------------------------

// A refusal of the API while the page works: its reason is for the person.
class Refused extends Error {}

async function reload() {
  const r = await api('GET', `/api/v1/cases/${encodeURIComponent(caseNo)}`);
  if (!r.ok) throw new Refused(reasonOf(r.body, r.status));
  data = r.body;
}

async function open(channel) {
  const made = await api('POST', '/api/v1/cases', { item: code, channel });
  if (made.status === 409 && made.body.case_no) {
    caseNo = made.body.case_no;
    await reload();
    const at = data.steps && data.steps[0] && data.steps[0].at;
    const when = at ? new Date(at * 1000).toLocaleDateString('zh-CN') : '';
    $('resumed').textContent = `已为您打开${when ? ` ${when} ` : ''}保存的申请（办件编号 ${caseNo}），接着填写即可。`;
    $('resumed').hidden = false;
    return true;
  }
  if (!made.ok) {
    fail(`无法开始申请：${reasonOf(made.body, made.status)}`);
    return false;
  }
  caseNo = made.body.case_no;
  sessionStorage.setItem(QC + caseNo, made.body.query_code);
  await reload();
  return true;
}

async function start() {
  const who = await shell({ active: 'services' });
  acting = Boolean(who && who.acting_for);
  if (!/^[0-9A-Za-z.-]{1,36}$/.test(code)) {
    fail('请从办事指南进入（地址中缺少事项编码）');
    return;
  }
  const r = await api('GET', `/api/v1/items/${code}`);
  if (!r.ok) {
    fail(`没有找到这个事项：${reasonOf(r.body, r.status)}`);
    return;
  }
  item = r.body;
  showItem();
  const channel = onlineChannel(item);
  if (!channel) {
    showOffline();
    return;
  }
  if (!who) {
    $('signin').hidden = false;
    $('signin-form').replaceChildren(signInForm(() => location.reload()));
    return;
  }
  if (!(await open(channel))) return;
  // An item without a form has two steps: the headings count them so.
  if (!fields().length) {
    document.querySelector('#steps [data-step=form]').remove();
    $('step-materials').querySelector('h2').textContent = '第一步　提交材料';
    $('step-review').querySelector('h2').textContent = '第二步　核对并提交';
  }
  if (data.state !== 'draft') {
    fail(`该申请已${data.state === 'withdrawn' ? '撤回' : '提交'}，请在“我的办件”中查看。`);
    return;
  }
  bindForm();
  // What the catalog's rules say of this applicant (an age limit, by the
  // identity number): a warning before the work, never a refusal.
  const unfit = (data.eligibility || []).filter((x) => !x.holds);
  if (unfit.length) {
    $('eligibility').textContent = `提醒：${unfit.map((x) => x.reason).join('')}您仍可提交申请，由办理部门依受理条件审查。`;
    $('eligibility').hidden = false;
  }
  // An item without a form starts at the materials: no step before them.
  $('back-form').hidden = !fields().length;
  $('back-form').addEventListener('click', () => go('form'));
  $('to-review').addEventListener('click', () => {
    const lack = missing();
    if (lack.length) {
      $('mat-error').textContent = `还缺少必须提交的材料：${lack.map((m) => m.name).join('、')}`;
      return;
    }
    go('review');
  });
  $('back-materials').addEventListener('click', () => go('materials'));
  $('submit-form').addEventListener('submit', submit);
  const first = fields().length ? 'form' : 'materials';
  const kept = sessionStorage.getItem(STEP + caseNo);
  go(kept && (kept !== 'form' || fields().length) ? kept : first, true);
}

start().catch((e) => {
  if (e instanceof Refused) {
    fail(`无法读取申请：${e.message}`);
    return;
  }
  console.error(e);
  fail('页面出错，请刷新后重试');
});
