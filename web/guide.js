// The service guide (办事指南) of one item, /guide.html?item=CODE: what
// the catalog holds about it in the order a person needs it (online or
// not and how many visits, conditions, materials, process, time limits,
// fees, where and when, legal basis, phone numbers, appeals). For a
// signed-in person the materials the platform already holds (a valid
// e-certificate or a library material of the material's certificate type)
// are marked. "在线申请" is offered only for online depth 3 or 4; else the
// guide says where to go. Text is set with textContent only; print-friendly
// (the shared style hides the bar in print).
import { api, DEPTH, el, h, onlineChannel, REQUIREMENT } from '/ui.js';
import { shell } from '/shell.js';

// What each online depth (ui.js DEPTH) means for the person applying.
const DEPTH_MEANS = { 1: '仅可在网上查看办事指南', 2: '网上提交材料预审，到现场办理', 3: '网上申请，按需到现场', 4: '网上申请、办理、送达' };
const CHANNELS = { window: '窗口', web: '网页', mobile: '移动端', post: '邮寄' };
const FORM = { original: '原件', copy: '复印件', electronic: '电子件' };
const MEDIA = { paper: '纸质', electronic: '电子', either: '纸质或电子' };
const CROSS = { nationwide: '全国通办', province: '全省通办', city: '全市通办', county: '全县（区）通办', township: '全镇（乡、街道）通办', none: '不支持跨区域通办' };
const OBJECTS = { 1: '自然人', 2: '企业法人', 3: '事业单位', 4: '社会组织', 5: '机关', 6: '其他' };

const code = new URLSearchParams(location.search).get('item') || '';
// ?province=: an item another province's platform offers for
// cross-province handling (跨省通办), its guide as that platform wrote it.
const province = new URLSearchParams(location.search).get('province') || '';
const main = document.getElementById('guide');

// A section with a heading and its content.
function part(title, ...content) {
  return h('section', { 'aria-label': title }, el('h2', title), ...content);
}

function facts(rows) {
  const dl = el('dl');
  for (const [k, v] of rows) if (v !== undefined && v !== null && v !== '') dl.append(el('dt', k), el('dd', v));
  return dl;
}

function list(items, ordered) {
  const l = el(ordered ? 'ol' : 'ul');
  for (const t of items) l.append(el('li', t));
  return l;
}

// What the platform already holds for the signed-in person, by
// certificate type: valid e-certificates and library materials.
async function held(who) {
  const have = new Map();
  if (!who) return have;
  const [c, m] = await Promise.all([api('GET', '/api/v1/me/certificates'), api('GET', '/api/v1/me/materials')]);
  for (const x of (c.ok ? c.body.items : [])) {
    if (x.status && x.status !== 'valid') continue;
    const name = x.type && x.type.name;
    if (name && !have.has(name)) have.set(name, '电子证照');
  }
  for (const x of (m.ok ? m.body.items : [])) {
    if (x.kind && !have.has(x.kind)) have.set(x.kind, '我的材料');
  }
  return have;
}

function materials(it, have, who) {
  if (it.materials === null) return [unstated()];
  if (!it.materials.length) return [el('p', '无需提交材料。')];
  const ol = el('ol', undefined, 'materials');
  for (const m of it.materials) {
    const li = el('li');
    li.append(el('strong', m.name));
    const bits = [REQUIREMENT[m.required] || m.required];
    // As guides count them: 原件1份、复印件2份 when both are given.
    // What the guide does not say (form, count, source) is left out.
    if (typeof m.originals === 'number' && typeof m.copies === 'number') bits.push(`原件 ${m.originals} 份、复印件 ${m.copies} 份`);
    else if (m.form) bits.push(`${FORM[m.form] || m.form}${m.copies ? ` ${m.copies} 份` : ''}`);
    else if (m.copies) bits.push(`${m.copies} 份`);
    if (m.media) bits.push(MEDIA[m.media]);
    if (m.source === 'applicant') bits.push('申请人自备');
    else if (m.source) bits.push(`由${m.issuing_body || '政府部门'}出具`);
    else if (m.issuing_body) bits.push(`出具单位：${m.issuing_body}`);
    li.append(el('div', bits.join('；'), 'muted'));
    if (m.condition) li.append(el('div', `需要提交的情形：${m.condition}`));
    if (m.note) li.append(el('div', m.note));
    if (m.certificate_type && have.has(m.certificate_type)) {
      li.append(h('div', {}, h('span', { class: 'badge badge-green' }, `平台已有：${have.get(m.certificate_type)}`), ' 无需再提交'));
    } else if (m.certificate_type && who) {
      li.append(el('div', `平台暂无您的${m.certificate_type}，需上传`, 'muted'));
    } else if (m.certificate_type) {
      li.append(el('div', `可由电子证照「${m.certificate_type}」免交，登录后查看`, 'muted'));
    }
    if (m.blank_form) li.append(h('div', {}, h('a', { href: m.blank_form }, '空白表格')));
    if (m.sample) li.append(h('div', {}, h('a', { href: m.sample }, '填写样例')));
    ol.append(li);
  }
  const out = [ol];
  if (!who && onlineChannel(it) !== null) out.push(el('p', '登录后可查看哪些材料平台已有，无需重复提交。', 'muted'));
  return out;
}

// What the guide does not state is said so (未公布), never filled in:
// an unstated fee is not "free", an unstated phone is not "—".
const UNSTATED = '未公布';
const unstated = () => el('p', `${UNSTATED}（本事项的办事指南未载明，请向实施部门咨询）`, 'muted');
const said = (v) => (v === null || v === undefined ? UNSTATED : v);
const isKey = (c) => typeof c === 'string' && c.startsWith('tb');

// A step as the guide writes it: its role and its time in working days or
// hours, each when stated, and the guide's own words for the time.
function step(s) {
  const bits = [s.role, typeof s.days === 'number' ? (s.days ? `${s.days} 个工作日` : '当场') : '',
    typeof s.hours === 'number' ? `${s.hours} 小时` : ''].filter(Boolean);
  return `${s.name}${bits.length ? `（${bits.join('，')}）` : ''}${s.text && !s.hours ? `：${s.text}` : ''}`;
}

// Time limits as written: working days or hours, 即办 or 承诺 or both
// with the situation that decides; unstated ones said so.
function limits(it) {
  const kind = { immediate: '即办件', promised: '承诺件', either: '即办件、承诺件' }[it.case_kind];
  const promised = typeof it.promised_hours === 'number' ? `${it.promised_hours} 小时`
    : it.promised_days === null ? UNSTATED
      : it.case_kind === 'immediate' && !it.promised_days ? '即办' : `${it.promised_days} 个工作日`;
  return facts([
    ['办件类型', kind || UNSTATED],
    ['何种情形即办', it.case_kind === 'either' ? it.case_kind_condition : ''],
    ['承诺时限', promised],
    ['法定时限', it.statutory_days === null ? UNSTATED : `${it.statutory_days} 个工作日`],
    ['可延长', it.extension_days ? `${it.extension_days} 个工作日` : ''],
    ['指南原文', it.time_text],
  ]);
}

// Why this platform takes no online application for it: the guide may
// say the service is online elsewhere (its own depth and channels), but a
// case here needs a stated case kind and time limits.
function notHere(it) {
  if (!(it.online_depth >= 3)) return '本事项不能在网上申请，';
  const missing = [!it.case_kind ? '办件类型' : '',
    typeof it.promised_days !== 'number' && typeof it.promised_hours !== 'number' ? '承诺时限' : '',
    typeof it.statutory_days !== 'number' ? '法定时限' : ''].filter(Boolean);
  return missing.length ? `本平台暂不受理本事项的网上申请（办事指南未载明${missing.join('、')}），` : '本事项不能通过本平台在网上申请，';
}

// Where to go instead: the stated address and hours, else a number to
// ask, else the page the guide was taken from.
function whereToGo(it) {
  if (it.address) return `请到以下地点办理：${it.address}${it.hours ? `（${it.hours}）` : ''}。`;
  if (it.phone) return `办理地点未公布，请先致电 ${it.phone} 咨询。`;
  if (it.source) return '办理地点未公布，请以本页末尾所列原发布页面为准，或向实施部门咨询。';
  return '办理地点未公布，请向实施部门咨询。';
}

// Codes as the province publishes them; the platform's own key is not a
// published code.
function codes(it) {
  const out = (it.codes || []).map((c) => `${c.label}：${c.code}`);
  if (!out.length) out.push(isKey(it.implementation_code) ? UNSTATED : it.implementation_code);
  return out.join('；');
}

// Where the guide was published, for an item entered from one.
function source(it) {
  const s = it.source;
  if (!s) return '';
  return h('p', { class: 'muted' }, '本指南录自', s.publisher ? `${s.publisher}发布的` : '', '页面 ',
    h('a', { href: s.url, rel: 'noopener' }, s.title || s.url), `（${s.retrieved} 获取）。`);
}

// Where and who: the accepting window when it is not the department's
// own, an item any institution of a class implements, and every service
// place with its address, hours and phone; else the one address.
function places(it) {
  const out = [];
  if (it.implemented_by) out.push(el('p', `实施机构：${it.implemented_by}`));
  if (it.accepting_body) out.push(el('p', `受理窗口：${it.accepting_body.name}`));
  if ((it.places || []).length) {
    out.push(h('ol', { class: 'places' }, ...it.places.map((p) => h('li', {}, el('strong', p.name),
      facts([['地址', said(p.address)], ['办公时间', said(p.hours)], ['电话', said(p.phone)]])))));
  } else {
    out.push(facts([['办理地点', said(it.address)], ['办理时间', said(it.hours)]]));
  }
  return out;
}

// The legal basis: one text, or entries (law, article, words) as a list.
function basis(b) {
  if (b === null || b === undefined) return unstated();
  if (!Array.isArray(b)) return el('p', b);
  return list(b.map((x) => `${x.law}${x.article ? ` ${x.article}` : ''}${x.text ? `：${x.text}` : ''}`));
}

// Rules the platform checks against the applicant's identity number.
const AGE = (r) => `${r.sex === 'male' ? '男性' : r.sex === 'female' ? '女性' : ''}${r.min !== null ? `年满 ${r.min} 周岁` : ''}${r.max !== null ? `${r.min !== null ? '、' : ''}不超过 ${r.max} 周岁` : ''}`;

function fees(it) {
  if (it.fees === null || it.fees === undefined) return [unstated()];
  if (!it.fees.length) return [el('p', '不收费。')];
  return [list(it.fees.map((f) => [`${f.item}：${f.amount_yuan} 元`,
    f.basis ? `依据：${f.basis}` : '', f.waiver ? `减免：${f.waiver}` : ''].filter(Boolean).join('；')))];
}

// How a person of this province applies for a peer's item: online at the
// peer with their own account (全程网办: /federation/go.html asks their
// consent first), or at a window here that receives it and forwards it
// (异地代收代办).
function acrossProvinces(it, peer) {
  const apply = `/apply.html?item=${encodeURIComponent(it.implementation_code)}`;
  const online = onlineChannel(it) !== null;
  return h('div', { class: 'cross noprint' },
    online ? h('p', { class: 'actions' }, h('a', {
      href: `/federation/go.html?to=${peer.province}&next=${encodeURIComponent(apply)}`, class: 'apply',
    }, `用本平台账号到${peer.name}在线申请`)) : '',
    el('p', `也可以就近到本省政务服务中心的综合窗口申请：窗口代收材料、转${peer.name}办理，办理进度可在本平台查看，结果在窗口领取或邮寄（异地代收代办）。`));
}

function render(it, have, who, peer) {
  document.title = `${it.name} · 办事指南 · 通办`;
  document.getElementById('item-name').textContent = it.name;
  const online = onlineChannel(it) !== null;
  const go = peer ? acrossProvinces(it, peer)
    : online
      ? h('p', { class: 'actions noprint' }, h('a', { href: `/apply.html?item=${encodeURIComponent(it.implementation_code)}`, class: 'apply' }, '在线申请'))
      : el('p', `${notHere(it)}${whereToGo(it)}`);
  const visits = it.required_visits === null ? UNSTATED : it.required_visits === 0 ? '无需到现场（0 次）' : `${it.required_visits} 次`;
  main.replaceChildren(
    peer ? el('p', `本事项由${peer.name}提供，可跨省通办；以下指南同步自该平台。`, 'notice') : '',
    part('能否网上办理',
      facts([
        ['网办深度', DEPTH[it.online_depth] ? `${DEPTH[it.online_depth]}（${DEPTH_MEANS[it.online_depth]}）` : UNSTATED],
        ['办理渠道', (it.channels || []).map((c) => CHANNELS[c] || c).join('、') || UNSTATED],
        ['到现场次数', visits],
        ['到现场原因', it.required_visits > 0 ? said(it.visit_reason) : ''],
        ['通办范围', CROSS[it.cross_region] || UNSTATED],
        ['多地联办', it.joint_part ? `${it.joint_part.name}（由对方省份平台办理，申请人只需在本地申请一次，无需往返两地）` : ''],
        ['服务对象', (it.service_objects || []).map((o) => OBJECTS[o] || o).join('、') || UNSTATED],
        ['实施主体', it.department_name],
        ['事项编码', codes(it)],
      ]),
      go),
    part('受理条件', it.conditions ? list(it.conditions) : unstated(),
      (it.eligibility || []).length ? el('p', `在线申请时，平台按您的身份证件核对：${it.eligibility.map(AGE).join('；')}。`, 'muted') : ''),
    part('申请材料', ...materials(it, have, who)),
    (it.form_fields || []).length ? part('申请表填写项目',
      el('p', '在线申请时填写以下项目，带“必填”的须填写；姓名、证件号码等平台已有的信息会自动填写。', 'muted'),
      list(it.form_fields.map((f) => `${f.name}${f.required ? '（必填）' : ''}${f.help ? `：${f.help}` : ''}`))) : '',
    part('办理流程', it.steps ? list(it.steps.map(step), true) : unstated()),
    part('办理时限', limits(it)),
    part('收费', ...fees(it)),
    part('办理地点和时间', ...places(it)),
    part('办理结果', facts([['结果名称', said(it.result && it.result.name)]])),
    part('设定依据', basis(it.legal_basis)),
    part('咨询与投诉', facts([['咨询电话', said(it.phone)], ['投诉电话', said(it.complaint_phone)]])),
    part('救济途径', it.appeals ? list(it.appeals) : unstated()),
    source(it),
    h('p', { class: 'noprint' }, h('button', { type: 'button', onclick: () => print() }, '打印本指南')),
  );
}

async function start() {
  const who = await shell({ active: 'services' });
  if (!code) {
    main.replaceChildren(part('未指定事项', h('p', {}, '请从', h('a', { href: '/services.html' }, '办事服务'), '中选择要办理的事项。')));
    return;
  }
  const r = province
    ? await api('GET', `/api/v1/federation/items/${encodeURIComponent(province)}/${encodeURIComponent(code)}`)
    : await api('GET', `/api/v1/items/${encodeURIComponent(code)}`);
  if (r.ok && province) {
    const it = { ...r.body.doc, department_name: r.body.department };
    render(it, new Map(), who, r.body.peer);
    return;
  }
  if (!r.ok) {
    document.getElementById('item-name').textContent = '未找到该事项';
    main.replaceChildren(part('未找到该事项', h('p', {}, '事项编码有误或事项已停止办理，请到', h('a', { href: '/services.html' }, '办事服务'), '重新查找。')));
    return;
  }
  render(r.body, await held(who), who);
}

start();
