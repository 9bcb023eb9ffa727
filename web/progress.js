// Public progress of a case by its number and query code (also from
// #CASE_NO:CODE in the address): state, deadlines, colour, and steps.
// Text is set with textContent only.
import { el } from '/session.js';
import { shell } from '/shell.js';

shell({ active: 'progress' });

const states = {
  draft: '草稿', submitted: '已提交，待受理', accepted: '已受理', not_accepted: '不予受理',
  needs_correction: '需补正材料', under_review: '审查中', approved: '已批准', refused: '不予批准',
  completed: '已办结', withdrawn: '已撤回', suspended: '已暂停计时',
};
const events = {
  create: '创建', submit: '提交', accept: '受理', reject: '不予受理', request_correction: '一次性告知补正',
  review: '审查', suspend: '暂停计时', resume: '恢复计时', extend: '延长时限', approve: '批准',
  refuse: '不予批准', complete: '办结', withdraw: '撤回',
};
const colours = { green: '正常', yellow: '即将到期', red: '已超期' };

async function show(caseNo, code) {
  const out = document.getElementById('progress');
  const r = await fetch(`/api/v1/progress/${encodeURIComponent(caseNo)}?code=${encodeURIComponent(code)}`);
  const j = await r.json();
  if (!r.ok) {
    out.replaceChildren(el('p', r.status === 404 ? '没有找到：请核对办件编号和查询码' : `查询失败：${j.reason || j.error}`, 'bad'));
    return;
  }
  const dl = el('dl');
  const rows = [
    ['事项', j.item_name],
    ['办理部门', j.department],
    ['当前状态', states[j.state] || j.state],
  ];
  const c = j.clock || {};
  if (c.promised_due) rows.push(['承诺办结日期', c.promised_due]);
  if (c.remaining_workdays !== undefined) {
    rows.push(['剩余工作日', `${c.remaining_workdays} 天（${colours[c.colour] || c.colour}）`]);
  }
  for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
  const steps = el('ol');
  for (const s of j.steps) steps.append(el('li', `${s.date} ${events[s.event] || s.event}`));
  out.replaceChildren(dl, el('h3', '办理过程'), steps);
}

document.getElementById('query').addEventListener('submit', (ev) => {
  ev.preventDefault();
  show(document.getElementById('case-no').value.trim(), document.getElementById('code').value.trim());
});

if (location.hash.length > 1) {
  const [caseNo, code] = decodeURIComponent(location.hash.slice(1)).split(':');
  document.getElementById('case-no').value = caseNo || '';
  document.getElementById('code').value = code || '';
  if (caseNo && code) show(caseNo, code);
}
