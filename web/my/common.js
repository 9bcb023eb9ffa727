// What the pages of 我的 (/my/) share: the sub-navigation (办件, 消息,
// 材料, 证照, 数据使用记录, 信用记录), the clock of a case as a badge, the steps of a case as a
// track, and the names of events and rating levels. Text only.
import { badge, COLOURS, day, el, h } from '/ui.js';

const SECTIONS = [
  ['cases', '/my/', '我的办件'],
  ['messages', '/my/messages.html', '我的消息'],
  ['materials', '/my/materials.html', '我的材料'],
  ['certificates', '/certificates.html', '我的证照'],
  ['data', '/my/data-usage.html', '数据使用记录'],
  ['credit', '/my/credit.html', '信用记录'],
];

// The links between the pages of 我的, with the current one marked.
export function mineNav(active) {
  const ul = h('ul', { class: 'mine-nav' });
  for (const [key, href, text] of SECTIONS) {
    const a = h('a', { href }, text);
    if (key === active) a.setAttribute('aria-current', 'page');
    ul.append(h('li', {}, a));
  }
  return h('nav', { 'aria-label': '我的' }, ul);
}

// Whose things the page shows: the person, or the business they act for.
export function whose(who) {
  return who && who.acting_for ? who.acting_for.name : '我';
}

export const EVENTS = {
  create: '创建申请', submit: '提交申请', accept: '受理', reject: '不予受理',
  request_correction: '一次性告知补正', review: '转入审查', suspend: '中止办理',
  resume: '恢复办理', extend: '延长时限', approve: '批准', refuse: '不予批准',
  complete: '办结', withdraw: '撤回', hand_out: '送达',
};
export const eventName = (e) => EVENTS[e] || e;

// The five levels of 好差评, best first.
export const LEVELS = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'];

// The clock of a case as a badge: deadline colour and working days left,
// or why there is none.
export function clockBadge(clock) {
  if (!clock || !clock.accepted_on) return null;
  if (clock.suspended) return badge('已中止，时限暂停', 'plain');
  if (!clock.colour) return null;
  const left = clock.remaining_workdays;
  const days = left < 0 ? `超期 ${-left} 个工作日` : `剩 ${left} 个工作日`;
  return badge(`${COLOURS[clock.colour]} · ${days}`, clock.colour);
}

// The deadline of a case in words, or null before acceptance.
export function deadline(clock) {
  if (!clock || !clock.promised_due) return null;
  return `承诺 ${day(clock.promised_due)} 前办结`;
}

// Where a case is on its way: 填写, 提交, 受理, 审查, 办结 (done, current),
// or null for a case that ended otherwise (withdrawn, not accepted).
const TRACK = ['填写', '提交', '受理', '审查', '办结'];
const AT = {
  draft: 0, submitted: 2, needs_correction: 1, accepted: 3, under_review: 3, suspended: 3,
  approved: 4, refused: 5, completed: 5,
};
export function track(state) {
  if (!(state in AT)) return null;
  const at = AT[state];
  const ol = h('ol', { class: 'track', 'aria-label': '办理步骤' });
  TRACK.forEach((name, i) => {
    const li = el('li', name, i < at ? 'done' : i === at ? 'current' : '');
    if (i === at) li.setAttribute('aria-current', 'step');
    if (i === at && state === 'needs_correction') li.classList.add('warn');
    ol.append(li);
  });
  return ol;
}
