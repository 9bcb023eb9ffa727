// 多地联办 on a case's page: the part of the service done at another
// province's platform (the item's joint_part), how far it has got there,
// step by step as that platform reports it, and, for the officials who
// handle the case, the form that sends the part to the platform that does
// it. Shared by the workbench (/workbench/case.html) and the applicant's
// page (/my/case.html). Text only.
import { api, badge, el, h, reasonOf, showErrors, stateName, when } from '/ui.js';

const EVENTS = {
  submit: '提交', accept: '受理', review: '开始审查', approve: '批准', refuse: '不予批准',
  complete: '办结', reject: '不予受理', request_correction: '要求补正', suspend: '中止',
  resume: '恢复', extend: '延长时限', withdraw: '撤回', hand_out: '送达', create: '创建',
};

function partView(p, staff) {
  const done = p.state === 'completed' && p.approved;
  const stepList = h('ol', { class: 'history' }, (p.steps || []).map((s) => h('li', {},
    el('div', when(s.at), 'when'),
    h('div', {}, el('strong', EVENTS[s.event] || s.event), ` → ${stateName(s.state)}`),
    s.opinion ? el('div', `意见：${s.opinion}`, 'opinion') : null)));
  const d = h('dl', {},
    el('dt', '办理平台'), el('dd', p.peer.name),
    el('dt', '对方事项'), el('dd', p.item.name),
    el('dt', '联办编号'), h('dd', {}, el('span', p.part_no, 'code')),
    el('dt', '对方办件编号'), h('dd', {}, p.peer_case_no ? el('span', p.peer_case_no, 'code') : '尚未生成'),
    el('dt', '对方办理状态'), h('dd', {}, badge(p.state === 'forwarded' ? '已推送，等待对方接收' : p.state === 'failed' ? '对方未能接收' : stateName(p.state))));
  const out = [d];
  if (p.note) out.push(el('p', `对方说明：${p.note}`, 'bad'));
  if (done) out.push(el('p', staff ? '对方已批准并办结，本办件可以作出审批决定。' : '对方已办结，本地正在办理最后环节。', 'ok'));
  else if (p.state === 'completed') out.push(el('p', '对方已办结但未批准，本办件不能批准。', 'bad'));
  else if (staff) out.push(el('p', '对方平台批准并办结前，本办件不能批准。', 'muted'));
  if ((p.steps || []).length) out.push(el('h3', '对方办理记录'), stepList);
  return h('div', { class: 'joint-part' }, ...out);
}

function sendForm(no, offers, onSent) {
  const form = h('form', { id: 'joint-form' });
  const sel = h('select', { id: 'joint-offer', name: 'item' });
  offers.forEach((o, i) => sel.append(h('option', { value: String(i) }, `${o.name} · ${o.item_name}`)));
  const go = h('button', { type: 'submit', class: 'primary' }, '推送联办');
  form.append(h('label', { for: sel.id }, '办理联办部分的平台和事项'), sel,
    el('p', '将推送申请人信息、申请表和对方事项所需的材料文件，对方平台生成办件并回传办理进度。', 'muted'),
    h('div', { class: 'actions' }, go), h('p', { role: 'alert', class: 'bad' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    go.disabled = true;
    const o = offers[Number(sel.value)];
    const r = await api('POST', `/api/v1/cases/${encodeURIComponent(no)}/joint`, { peer: o.province, item: o.code });
    go.disabled = false;
    if (!r.ok) { showErrors(form, r); return; }
    onSent(`已推送${o.name}办理：联办编号 ${r.body.part_no}`);
  });
  return form;
}

// The 多地联办 card of case c (c.case_no, c.state), or null when its item
// is handled at one platform. staff: the reader is an official of the case;
// onSent(message) after the part was sent.
export async function jointCard(c, staff, onSent) {
  const r = await api('GET', `/api/v1/cases/${encodeURIComponent(c.case_no)}/joint`);
  if (!r.ok || !r.body.joint_part) return r.ok ? null : el('p', reasonOf(r.body, r.status), 'bad');
  const j = r.body;
  const box = h('section', { class: 'card', id: 'joint' }, el('h2', '多地联办'),
    el('p', `本事项需在另一省份的政务服务平台办理一部分：${j.joint_part.name}。${staff ? '' : '您无需往返两地，对方平台的办理进度会显示在这里。'}`));
  const live = j.parts.filter((p) => !['failed', 'not_accepted', 'withdrawn'].includes(p.state));
  j.parts.forEach((p) => box.append(partView(p, staff)));
  if (staff && !live.length && ['accepted', 'under_review'].includes(c.state)) {
    if (j.offers.length) box.append(sendForm(c.case_no, j.offers, onSent));
    else box.append(el('p', '尚无对端平台提供办理这一部分的事项（请管理员同步对端平台的跨省通办目录）。', 'bad'));
  } else if (staff && !live.length && ['submitted'].includes(c.state)) {
    box.append(el('p', '受理后可推送联办部分。', 'muted'));
  } else if (!j.parts.length && !staff) {
    box.append(el('p', '受理后，本地部门将把需在对方平台办理的部分推送过去。', 'muted'));
  }
  return box;
}
