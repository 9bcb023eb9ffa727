// The indicators dashboard that the openness page (/open/) and the
// supervision page (/supervision/) share: a period (month, quarter, year),
// the region's figures from GET /api/v1/indicators, a chart of its
// sub-regions drawn by Apache ECharts (loaded by the page as the classic
// script /vendor/echarts.min.js: the global `echarts`) and the same figures
// in a table, which is the chart's text equivalent for screen readers.
// Drill-down goes province -> city -> county -> department; a county's
// table lists its townships, and its departments (departments=true) are
// charted and tabled too; a department is the last level (its figures
// within the county, no table below).
// The region, department and period live in the address
// (?region=&dept=&period=&p=), so that back and forward work and a view can
// be shared.
import { api, el, h, reasonOf } from '/ui.js';

// Today in China (YYYY-MM-DD), whatever the browser's time zone.
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

const pad = (n) => String(n).padStart(2, '0');
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m: 1-12

// The periods one may choose of a kind, newest first: {value, label, from, to}
// (to is never after today).
export function periods(kind, now = today()) {
  const [y, m] = now.split('-').map(Number);
  const cap = (d) => (d > now ? now : d);
  const out = [];
  if (kind === 'year') {
    for (let i = 0; i < 3; i++) {
      const yy = y - i;
      out.push({ value: `${yy}`, label: `${yy}年`, from: `${yy}-01-01`, to: cap(`${yy}-12-31`) });
    }
  } else if (kind === 'quarter') {
    let q = Math.floor((m - 1) / 3) + 1;
    let yy = y;
    for (let i = 0; i < 8; i++) {
      const m0 = (q - 1) * 3 + 1;
      out.push({
        value: `${yy}-Q${q}`, label: `${yy}年第${'一二三四'[q - 1]}季度`,
        from: `${yy}-${pad(m0)}-01`, to: cap(`${yy}-${pad(m0 + 2)}-${pad(lastDay(yy, m0 + 2))}`),
      });
      if (--q === 0) { q = 4; yy--; }
    }
  } else {
    let mm = m;
    let yy = y;
    for (let i = 0; i < 12; i++) {
      out.push({
        value: `${yy}-${pad(mm)}`, label: `${yy}年${mm}月`,
        from: `${yy}-${pad(mm)}-01`, to: cap(`${yy}-${pad(mm)}-${pad(lastDay(yy, mm))}`),
      });
      if (--mm === 0) { mm = 12; yy--; }
    }
  }
  return out;
}

// ---- figures as a person reads them ---------------------------------------

// A rate (0..1, or null) as a percentage with one decimal; null is "—".
export const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
// A mean number of visits with two decimals; null is "—".
export const avg = (x) => (x === null || x === undefined ? '—' : x.toFixed(2));
// A count.
export const num = (x) => (x === null || x === undefined ? '—' : String(x));

// The table's columns: [key, heading, format]. The test compares the
// cells with the API through the same formats.
export const COLUMNS = [
  ['items_published', '已发布事项', num],
  ['online_rate', '可办理率', pct],
  ['avg_visits', '平均跑动次数', avg],
  ['cases_received', '受理件数', num],
  ['cases_completed', '办结件数', num],
  ['on_time_rate', '按时办结率', pct],
  ['overdue', '当前超期', num],
  ['reuse_rate', '免提交材料占比', pct],
  ['good_rating_rate', '好评率', pct],
  ['followup_rate', '差评整改率', pct],
];

const HINTS = {
  items_published: '今日在有效期内的已发布实施事项',
  online_rate: '网上可办（全程网办或网上办理）的事项所占比例',
  avg_visits: '办理事项平均需到现场的次数',
  cases_received: '统计期内提交的申请',
  cases_completed: '统计期内办结的办件',
  on_time_rate: '办结件中在承诺时限内办结的比例',
  overdue: '目前正在办理且已超过承诺时限的办件',
  reuse_rate: '所需材料中由电子证照、材料库或数据共享提供、无需上传的比例',
  good_rating_rate: '评价中“非常满意”“满意”的比例',
  followup_rate: '差评（不满意、非常不满意）中已整改回访的比例',
};

// A region one may drill into: a province, city or county (a township,
// 9 digits, has no sub-regions).
const drillable = (code) => code.length === 6;
// A county (not a province's or city's code): the level whose departments
// are the drill-down's last step.
const county = (code) => /^\d{4}(?!00)\d{2}$/.test(code);

// ---- the dashboard ----------------------------------------------------------

// Builds the dashboard into root. opts: {top: the region one may not go
// above (code, or null: the province), onRegion(answer): called after
// each load with the API's answer}. Returns {reload()}.
export function dashboard(root, opts = {}) {
  const state = readAddress(opts.top);
  const kindSel = h('select', { id: 'period-kind', name: 'period' },
    h('option', { value: 'month' }, '按月'),
    h('option', { value: 'quarter' }, '按季度'),
    h('option', { value: 'year' }, '按年'));
  const pSel = h('select', { id: 'period-value', name: 'p' });
  const form = h('form', { class: 'card period', 'aria-label': '统计周期' },
    h('div', {}, h('label', { for: 'period-kind' }, '统计周期'), kindSel),
    h('div', {}, h('label', { for: 'period-value' }, '期间'), pSel),
    h('p', { id: 'period-range', class: 'muted', 'aria-live': 'polite' }));
  const trail = h('nav', { class: 'trail', 'aria-label': '地区层级' });
  const heading = el('h2', '', 'region-name');
  heading.id = 'region-name';
  heading.tabIndex = -1;
  const kpis = h('dl', { id: 'kpis', class: 'kpis' });
  const msg = el('p', '', 'bad');
  msg.setAttribute('role', 'alert');
  const chartBox = h('div', { id: 'chart', class: 'chart', role: 'img' });
  const chartNote = el('p', '', 'muted');
  const table = h('table', { id: 'children', class: 'figures' });
  const chartHead = h('h2', { id: 'chart-h' }, '下级地区办件情况');
  const deptTable = h('table', { id: 'departments', class: 'figures' });
  const deptWrap = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'departments-cap' }, deptTable);
  const tableWrap = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'children-cap' }, table);
  root.append(form, trail,
    h('section', { class: 'card', 'aria-labelledby': 'region-name' }, heading, msg, kpis),
    h('section', { class: 'card', 'aria-labelledby': 'chart-h' },
      chartHead, chartNote, chartBox, deptWrap, tableWrap));

  let chart = null;
  window.addEventListener('resize', () => chart && chart.resize());

  function fillPeriods() {
    kindSel.value = state.kind;
    pSel.replaceChildren();
    const list = periods(state.kind);
    for (const p of list) pSel.append(h('option', { value: p.value }, p.label));
    if (!list.some((p) => p.value === state.p)) state.p = list[0].value;
    pSel.value = state.p;
    return list.find((p) => p.value === state.p);
  }

  async function load(push) {
    const period = fillPeriods();
    form.querySelector('#period-range').textContent =
      `统计区间：${dayText(period.from)}至${dayText(period.to)}`;
    if (push) writeAddress(state);
    const q = new URLSearchParams({ from: period.from, to: period.to });
    if (state.region) q.set('region', state.region);
    const byDept = county(state.region);
    if (byDept) q.set('departments', 'true');
    else state.dept = '';
    const r = await api('GET', `/api/v1/indicators?${q}`);
    if (!r.ok) {
      msg.textContent = `无法读取指标：${reasonOf(r.body, r.status)}`;
      return;
    }
    msg.textContent = '';
    let d = r.body;
    state.path = await pathOf(d, opts.top);
    if (state.dept) {
      // The last level: one department's figures within the county (a
      // department with nothing counted in the period shows zeros).
      const found = (d.departments || []).find((x) => String(x.department_id) === state.dept);
      if (found) {
        d = { ...found, children: [], county: d.name };
      } else {
        msg.textContent = '该部门在所选期间没有可统计的事项或办件，显示所在地区的指标。';
        state.dept = '';
      }
    }
    drawTrail(d);
    heading.textContent = `${d.name} · 政务服务指标`;
    drawKpis(d);
    drawTable(d);
    drawDepartments(d);
    drawChart(d);
    if (opts.onRegion) await opts.onRegion(d, period);
  }

  // The regions from the top one down to d, for the trail (the region's
  // path from GET /api/v1/regions/{code}).
  async function pathOf(d, top) {
    const r = await api('GET', `/api/v1/regions/${d.region}`);
    const path = r.ok ? r.body.path : [{ code: d.region, name: d.name }];
    return path.filter((p) => !top || within(p.code, top));
  }

  function drawTrail(d) {
    const ol = h('ol', {});
    for (const p of state.path) {
      if (p.code === d.region && !d.department_id) ol.append(h('li', {}, h('span', { 'aria-current': 'page' }, p.name)));
      else ol.append(h('li', {}, regionLink(p.code, p.name)));
    }
    if (d.department_id) ol.append(h('li', {}, h('span', { 'aria-current': 'page' }, d.name)));
    trail.replaceChildren(el('span', d.department_id ? '当前部门：' : '当前地区：', 'muted'), ol);
  }

  function regionLink(code, name, dept = '') {
    const a = h('a', { href: hrefOf({ ...state, region: code, dept }) }, name);
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      state.region = code;
      state.dept = dept;
      load(true).then(() => heading.focus());
    });
    return a;
  }

  // The county's departments (the last level), each a link to its own
  // figures; hidden above a county and on a department's page.
  function drawDepartments(d) {
    const list = d.department_id ? [] : (d.departments || []);
    deptWrap.hidden = !list.length;
    if (!list.length) {
      deptTable.replaceChildren();
      return;
    }
    const cap = h('caption', { id: 'departments-cap' },
      `${d.name}各部门指标（${dayText(d.from)}至${dayText(d.to)}）`);
    const head = h('tr', {}, h('th', { scope: 'col' }, '部门'),
      COLUMNS.map(([, label]) => h('th', { scope: 'col' }, label)));
    const body = h('tbody', {});
    for (const c of list) {
      body.append(h('tr', { 'data-department': String(c.department_id) },
        h('th', { scope: 'row' }, regionLink(d.region, c.name, String(c.department_id))),
        COLUMNS.map(([key, , fmt]) => h('td', { 'data-key': key }, fmt(c[key])))));
    }
    deptTable.replaceChildren(cap, h('thead', {}, head), body);
  }

  function drawKpis(d) {
    kpis.replaceChildren();
    for (const [key, label, fmt] of COLUMNS) {
      const box = h('div', { class: `kpi${key === 'overdue' && d.overdue > 0 ? ' kpi-bad' : ''}`, 'data-key': key },
        h('dt', {}, label), h('dd', {}, fmt(d[key])), h('dd', { class: 'hint' }, HINTS[key]));
      kpis.append(box);
    }
  }

  function drawTable(d) {
    // A department has no level below: its page shows its own figures only.
    tableWrap.hidden = !!d.department_id;
    const cap = h('caption', { id: 'children-cap' },
      `${d.name}各下级地区指标（${dayText(d.from)}至${dayText(d.to)}）`);
    const head = h('tr', {}, h('th', { scope: 'col' }, '地区'),
      COLUMNS.map(([, label]) => h('th', { scope: 'col' }, label)));
    const body = h('tbody', {});
    const rows = [...d.children, { ...d, name: `${d.name}合计`, total: true }];
    for (const c of rows) {
      const name = !c.total && drillable(c.region) && (!opts.top || within(c.region, opts.top))
        ? regionLink(c.region, c.name) : c.name;
      body.append(h('tr', { 'data-region': c.region, class: c.total ? 'total' : null },
        h('th', { scope: 'row' }, name),
        COLUMNS.map(([key, , fmt]) => h('td', { 'data-key': key }, fmt(c[key])))));
    }
    table.replaceChildren(cap, h('thead', {}, head), body);
  }

  function drawChart(d) {
    // The region's own level (its own departments' cases, which count for
    // no sub-region) is the region less its sub-regions, when it has any.
    const own = {};
    for (const k of ['cases_received', 'cases_completed', 'overdue']) {
      own[k] = d[k] - d.children.reduce((n, c) => n + c[k], 0);
    }
    const depts = d.departments || [];
    // A county: a bar per department (its cases are mostly the county's
    // own level, which no township holds).
    const kids = d.department_id ? [d] : depts.length ? depts
      : d.children.length && (own.cases_received || own.cases_completed || own.overdue)
        ? [{ ...own, name: `${d.name}本级` }, ...d.children] : d.children;
    chartHead.textContent = d.department_id ? '部门办件情况' : depts.length ? '各部门办件情况' : '下级地区办件情况';
    const label = d.department_id
      ? `柱状图：${d.name}的受理、办结与当前超期件数，具体数字见上方指标。`
      : depts.length
      ? `柱状图：${d.name}各部门的受理、办结与当前超期件数，具体数字见下表。`
      : `柱状图：${d.name}本级及各下级地区的受理、办结与当前超期件数，具体数字见下表。`;
    chartBox.setAttribute('aria-label', label);
    chartNote.textContent = d.department_id
      ? `${d.name}是最末一级，没有下级单位；以上为该部门在${d.county}的指标。`
      : depts.length
        ? '柱状图展示本地区各部门的受理、办结与当前超期件数，点击下表中的部门名称可查看该部门的指标。数字见图下方表格。'
        : kids.length
          ? '柱状图展示本级及各下级地区的受理、办结与当前超期件数；“本级”为本地区部门直接办理、不属于任何下级地区的办件。数字见图下方表格。'
          : '该地区没有下级地区。';
    chartBox.hidden = !kids.length;
    if (!kids.length) return;
    if (typeof echarts === 'undefined') {
      chartNote.textContent = '图表组件未能加载，请查看下方表格。';
      return;
    }
    // eslint-disable-next-line no-undef
    if (!chart) chart = echarts.init(chartBox, null, { renderer: 'canvas', locale: 'ZH' });
    const narrow = chartBox.clientWidth < 600;
    chart.setOption({
      animation: false,
      aria: { enabled: false }, // the table below is the text equivalent
      color: ['#0b5cad', '#1b7f3b', '#b71c1c'],
      // Drawn on the canvas: no HTML built from data.
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { top: 0, textStyle: { fontFamily: 'Noto Sans CJK SC, sans-serif' } },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category', data: kids.map((c) => c.name),
        axisLabel: { interval: 0, rotate: narrow || kids.length > 8 ? 45 : 0, fontSize: 12 },
      },
      yAxis: { type: 'value', minInterval: 1, name: '件' },
      series: [
        { name: '受理', type: 'bar', data: kids.map((c) => c.cases_received) },
        { name: '办结', type: 'bar', data: kids.map((c) => c.cases_completed) },
        { name: '当前超期', type: 'bar', data: kids.map((c) => c.overdue) },
      ],
    }, true);
    chart.resize();
  }

  kindSel.addEventListener('change', () => { state.kind = kindSel.value; state.p = ''; load(true); });
  pSel.addEventListener('change', () => { state.p = pSel.value; load(true); });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  window.addEventListener('popstate', () => { Object.assign(state, readAddress(opts.top)); load(false); });

  return { reload: () => load(false), state };
}

// ---- helpers ------------------------------------------------------------------

// "2026年11月30日".
function dayText(ymd) {
  const [y, m, d] = ymd.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

// True when code lies within top by the GB/T 2260 prefix rule.
export function within(code, top) {
  let n = 6;
  while (n > 2 && top.slice(n - 2, n) === '00') n -= 2;
  return code.slice(0, n) === top.slice(0, n);
}

function readAddress(top) {
  const q = new URLSearchParams(location.search);
  let region = q.get('region') || top || '';
  if (!/^\d{6}$/.test(region) || (top && !within(region, top))) region = top || '';
  const kind = ['month', 'quarter', 'year'].includes(q.get('period')) ? q.get('period') : 'month';
  const dept = /^\d{1,18}$/.test(q.get('dept') || '') ? q.get('dept') : '';
  return { region, dept, kind, p: q.get('p') || '' };
}

function hrefOf(s) {
  const q = new URLSearchParams();
  if (s.region) q.set('region', s.region);
  if (s.dept) q.set('dept', s.dept);
  q.set('period', s.kind);
  if (s.p) q.set('p', s.p);
  return `?${q}`;
}

function writeAddress(s) {
  history.pushState(null, '', hrefOf(s));
}
