// What the catalog pages (事项管理) share: the names of an item's members
// in Chinese, the words for their coded values, the regions a manager covers, department and region names,
// and a value as a reader sees it. Everything is text; nothing is parsed
// as HTML.
import { api, DEPTH, el, h } from '/ui.js';

// The members of an item, in the order the guide (办事指南) shows them.
export const LABELS = {
  name: '事项名称',
  implementation_code: '实施编码',
  basic_code: '基本目录编码',
  item_type: '事项类型',
  department: '实施部门',
  region: '行政区划',
  use_level: '行使层级',
  conditions: '受理条件',
  materials: '申请材料',
  form_fields: '申请表',
  steps: '办理流程',
  statutory_days: '法定办结时限',
  promised_days: '承诺办结时限',
  extension_days: '可延长时限',
  fees: '收费',
  service_objects: '服务对象',
  case_kind: '办件类型',
  channels: '办理渠道',
  online_depth: '网办深度',
  required_visits: '到现场次数',
  visit_reason: '需到现场的原因',
  cross_region: '通办范围',
  joint_part: '多地联办',
  address: '办理地点',
  hours: '办理时间',
  phone: '咨询电话',
  complaint_phone: '投诉电话',
  appeals: '救济途径',
  legal_basis: '设定依据',
  result: '办理结果',
  events: '关联事件',
  valid_from: '生效日期',
  valid_to: '失效日期',
};

export const SUB_LABELS = {
  name: '名称', form: '形式', required: '是否必需', source: '来源', copies: '份数',
  issuing_body: '出具单位', certificate_type: '对应电子证照', sharing_resource: '共享数据',
  blank_form: '空白表格', sample: '示例样表', legal_basis: '依据', note: '备注',
  role: '环节', days: '时限（工作日）', item: '收费项目', amount_yuan: '金额（元）',
  basis: '收费依据', waiver: '减免政策', type: '结果类型',
  options: '选项', min: '最小值', max: '最大值', max_length: '最多字数', unit: '单位', prefill: '自动填写来源',
  help: '填写说明',
};

export const WORDS = {
  form: { original: '原件', copy: '复印件', electronic: '电子件' },
  required: { required: '必需', optional: '非必需', later: '容缺后补', conditional: '视情形提交' },
  source: { applicant: '申请人自备', government: '政府部门核发', institution: '第三方机构出具' },
  case_kind: { immediate: '即办件', promised: '承诺件', either: '即办件、承诺件' },
  channels: { window: '窗口', web: '网上', mobile: '移动端', post: '邮寄' },
  online_depth: Object.fromEntries(Object.entries(DEPTH).map(([k, v]) => [k, `${'一二三四'[k - 1]}级：${v}`])),
  service_objects: { 1: '自然人', 2: '企业法人', 3: '事业法人', 4: '社会组织法人', 5: '行政机关', 6: '其他组织' },
  cross_region: { nationwide: '全国通办', province: '全省通办', city: '全市通办', county: '全县（区）通办', township: '全镇（乡、街道）通办', none: '不通办' },
  type: { certificate: '证照', approval: '批文', document: '文书', other: '其他' },
  state: { draft: '草稿', published: '已发布', superseded: '已被新版本替代', withdrawn: '已撤回' },
  item_type: {
    '01': '行政许可', '02': '行政处罚', '03': '行政强制', '04': '行政征收', '05': '行政给付',
    '06': '行政检查', '07': '行政确认', '08': '行政奖励', '09': '行政裁决', 10: '其他行政权力', 20: '公共服务',
  },
  required_visits: { 0: '0 次（零跑腿）', 1: '1 次', 2: '2 次' },
  field_type: {
    text: '单行文字', textarea: '多行文字', integer: '整数', decimal: '数字（两位小数）', date: '日期',
    select: '下拉选择', phone: '电话', id_number: '身份证号码', credit_code: '统一社会信用代码', email: '电子邮箱',
  },
  use_level: { 1: '国家级', 2: '省级', 3: '市级', 4: '县级', 5: '乡镇级', 6: '村级' },
};

// The label of a JSON path such as materials[2].name: 申请材料第3项·名称.
export function pathLabel(path) {
  const m = /^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?/.exec(path || '');
  if (!m) return path || '';
  let s = LABELS[m[1]] || m[1];
  if (m[2] !== undefined) s += `第${Number(m[2]) + 1}项`;
  if (m[3]) s += `·${SUB_LABELS[m[3]] || m[3]}`;
  return s;
}

// The regions whose catalog this person manages (or may read in draft):
// from their catalog_manager, admin and supervisor roles.
export function myRegions(who) {
  const out = [];
  for (const r of (who && who.roles) || []) {
    if (['catalog_manager', 'admin', 'supervisor'].includes(r.role) && r.region && !out.includes(r.region)) out.push(r.region);
  }
  return out;
}

const regionCache = new Map();
// The name of a region code (asked once per code).
export async function regionName(code) {
  if (!code) return '';
  if (!regionCache.has(code)) {
    regionCache.set(code, api('GET', `/api/v1/regions/${encodeURIComponent(code)}`)
      .then((r) => (r.ok && r.body.name) || code));
  }
  return regionCache.get(code);
}

// Department names by credit code, for the region and below.
export async function departmentNames(region) {
  const map = new Map();
  const r = await api('GET', `/api/v1/departments?region=${encodeURIComponent(region)}`);
  for (const d of (r.ok && r.body.items) || []) map.set(d.credit_code, d.name);
  return map;
}

// A state as a badge.
export function stateBadge(state) {
  const kind = { draft: 'yellow', published: 'green', withdrawn: 'red' }[state] || 'plain';
  return el('span', WORDS.state[state] || state, `badge badge-${kind}`);
}

function word(key, v) {
  const w = WORDS[key];
  return w && w[v] !== undefined ? w[v] : v;
}

// One line of text for a scalar value of member key.
export function scalarText(key, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (/_days$/.test(key)) return `${v} 个工作日`;
  return String(word(key, v));
}

// The text lines of one element of an array member (a material, a step, a
// fee) or of the result: "名称：…" per sub-member.
export function objectLines(obj) {
  return Object.entries(obj).map(([k, v]) => [k, `${SUB_LABELS[k] || k}：${scalarText(k, v)}`]);
}

// A value as elements (lists for arrays, lines for objects).
export function valueNode(key, v) {
  if (Array.isArray(v)) {
    if (!v.length) return el('span', key === 'fees' ? '不收费' : '（无）', 'muted');
    const ol = h('ol', { class: 'vals' });
    for (const x of v) {
      ol.append(x && typeof x === 'object' ? h('li', {}, objectNode(x)) : el('li', scalarText(key, x)));
    }
    return ol;
  }
  if (v && typeof v === 'object') return objectNode(v);
  return el('span', scalarText(key, v));
}

function objectNode(obj) {
  const div = h('div', { class: 'obj' });
  for (const [, line] of objectLines(obj)) div.append(el('div', line));
  return div;
}

export const itemHref = (code, v) => `/catalog/item.html?code=${encodeURIComponent(code)}${v ? `&v=${v}` : ''}`;
