// 版本对比: two versions of one item side by side, member by member of
// their JSON documents. Arrays of materials, steps and fees are compared
// element by element (by position), and within an element line by line,
// so a renamed material shows as that material's 名称 line marked. A row
// that differs carries "有变化" and a coloured edge, and the summary above
// links to each change.
import { api, el, h, reasonOf, when } from '/ui.js';
import { shell } from '/shell.js';
import { itemHref, LABELS, objectLines, pathLabel, scalarText, WORDS } from '/catalog/common.js';

const params = new URLSearchParams(location.search);
const code = params.get('code') || '';
const pick = document.getElementById('pick');
const out = document.getElementById('compare');
const summary = document.getElementById('summary');
const alertBox = pick.querySelector('[role=alert]');
const docs = new Map();

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function version(v) {
  if (!docs.has(v)) {
    const r = await api('GET', `/api/v1/items/${encodeURIComponent(code)}?version=${v}`);
    if (!r.ok) throw new Error(reasonOf(r.body, r.status));
    docs.set(v, r.body);
  }
  return docs.get(v);
}

// The lines of one side of a comparison: [key, text] pairs.
function lines(key, v) {
  if (v === undefined) return [['', '（无此项）']];
  if (Array.isArray(v)) {
    if (!v.length) return [['', key === 'fees' ? '不收费' : '（无）']];
    return v.map((x, i) => [String(x), `${i + 1}. ${scalarText(key, x)}`]);
  }
  if (v && typeof v === 'object') return objectLines(v).map(([k, t]) => [`${k}=${JSON.stringify(v[k])}`, t]);
  return [['', scalarText(key, v)]];
}

// One side: its lines, those not on the other side marked.
function side(key, mine, theirs, cls, head) {
  const col = h('div', { class: `col ${cls}` }, el('div', head, 'col-head'));
  const other = new Set(lines(key, theirs).map(([k, t]) => k || t));
  const changedRow = !same(mine, theirs);
  for (const [k, t] of lines(key, mine)) {
    const diff = changedRow && !other.has(k || t);
    col.append(diff ? h('div', { class: 'line' }, el('mark', t)) : el('div', t, 'line'));
  }
  return col;
}

function block(path, key, a, b, heads) {
  const changed = !same(a, b);
  const id = `cmp-${path.replace(/[^a-z0-9]+/gi, '-')}`;
  const title = h('h3', { id: `${id}-t` }, pathLabel(path));
  if (changed) title.append(' ', el('span', '有变化', 'badge badge-yellow'));
  const row = h('section', { class: `cmp-row${changed ? ' changed' : ''}`, id, 'data-path': path, 'aria-labelledby': `${id}-t` },
    title, h('div', { class: 'cols' }, side(key, a, b, 'old', heads[0]), side(key, b, a, 'new', heads[1])));
  return { row, changed, path, id };
}

function compare(a, b) {
  const heads = [`第${a.version}版（${WORDS.state[a.state]}）`, `第${b.version}版（${WORDS.state[b.state]}）`];
  const keys = [...Object.keys(LABELS), ...Object.keys({ ...a, ...b })]
    .filter((k, i, all) => all.indexOf(k) === i && k !== 'version' && k !== 'state');
  const blocks = [];
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    const objs = (v) => Array.isArray(v) && v.some((e) => e && typeof e === 'object');
    if (objs(x) || objs(y)) {
      const n = Math.max((x || []).length, (y || []).length);
      if (!n) blocks.push(block(k, k, x, y, heads));
      for (let i = 0; i < n; i++) blocks.push(block(`${k}[${i}]`, k, (x || [])[i], (y || [])[i], heads));
    } else {
      blocks.push(block(k, k, x, y, heads));
    }
  }
  return blocks;
}

async function show() {
  alertBox.textContent = '';
  const l = Number(pick.left.value);
  const r = Number(pick.right.value);
  let a;
  let b;
  try {
    [a, b] = await Promise.all([version(l), version(r)]);
  } catch (e) {
    alertBox.textContent = `无法读取版本：${e.message}`;
    return;
  }
  const blocks = compare(a, b);
  const changes = blocks.filter((x) => x.changed);
  out.replaceChildren(...blocks.map((x) => x.row));
  out.classList.toggle('only', pick.only.checked);
  summary.replaceChildren();
  if (l === r) {
    summary.append(el('p', '左右选择的是同一个版本。', 'muted'));
  } else if (!changes.length) {
    summary.append(el('p', `第${a.version}版与第${b.version}版内容相同。`));
  } else {
    summary.append(el('p', `第${b.version}版相对第${a.version}版共有 ${changes.length} 处变化：`));
    const ul = h('ul', { class: 'changes' });
    for (const c of changes) ul.append(h('li', {}, h('a', { href: `#${c.id}` }, pathLabel(c.path))));
    summary.append(ul);
  }
  const u = new URLSearchParams(location.search);
  u.set('left', String(l));
  u.set('right', String(r));
  history.replaceState(null, '', `?${u}`);
}

async function main() {
  const who = await shell({ active: 'catalog', signIn: true });
  if (!who) return;
  if (!/^[0-9A-Za-z.-]{1,36}$/.test(code)) {
    document.getElementById('title').textContent = '没有指定事项';
    return;
  }
  const r = await api('GET', `/api/v1/items/${encodeURIComponent(code)}/versions`);
  const list = r.ok ? r.body.versions : [];
  const draft = Number(params.get('draft'));
  if (draft) list.unshift({ version: draft, state: 'draft', name: '', created_at: null });
  if (!list.length) {
    alertBox.textContent = `无法列出版本：${reasonOf(r.body, r.status)}`;
    return;
  }
  document.getElementById('title').textContent = `版本对比：${list[0].name || (await version(list[0].version)).name}`;
  const link = document.getElementById('item-link');
  link.href = itemHref(code, list[0].version);
  link.textContent = list[0].name || '事项';
  for (const s of [pick.left, pick.right]) {
    for (const v of list) {
      const at = v.published_at ? `，${when(v.published_at)}发布` : '';
      s.append(h('option', { value: String(v.version) }, `第${v.version}版（${WORDS.state[v.state] || v.state}${at}）`));
    }
  }
  pick.right.value = params.get('right') || String(list[0].version);
  pick.left.value = params.get('left') || String((list[1] || list[0]).version);
  pick.addEventListener('change', show);
  pick.addEventListener('submit', (ev) => ev.preventDefault());
  await show();
}

main();
