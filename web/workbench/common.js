// What the workbench's two pages share: the names of events, the clock
// as a badge, and the official's department.
import { badge, COLOURS } from '/ui.js';

export const EVENTS = {
  create: '创建', submit: '提交申请', accept: '受理', reject: '不予受理',
  request_correction: '一次性告知补正', review: '转入审查', suspend: '中止办理',
  resume: '恢复办理', extend: '延长时限', approve: '批准', refuse: '不予批准',
  complete: '办结', withdraw: '撤回', hand_out: '出件（送达）',
};
export const eventName = (e) => EVENTS[e] || e;

// The clock of a case as a badge: colour and working days left, or why
// there is none (not yet accepted, stopped).
export function clockBadge(clock) {
  if (!clock) return badge('—');
  if (clock.suspended) return badge('已中止，时限暂停');
  if (!clock.colour) return badge(clock.accepted_on ? '—' : '待受理');
  const left = clock.remaining_workdays;
  const days = left < 0 ? `超期 ${-left} 个工作日` : `剩 ${left} 个工作日`;
  return badge(`${COLOURS[clock.colour]} · ${days}`, clock.colour);
}

// The department (id, name) in which me holds a case role, or null.
export function myDepartment(me) {
  for (const g of (me && me.roles) || []) {
    if (g.department && ['reviewer', 'approver', 'window_clerk'].includes(g.role)) return g.department;
  }
  return null;
}
