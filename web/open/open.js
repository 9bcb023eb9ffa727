// The openness page (/open/): the public indicators of the province and,
// by drill-down, of its cities, counties and a county's departments, over a
// month, quarter or year. Public: aggregates only (GET /api/v1/indicators),
// nobody signs in. Below them, the newest signed checkpoint of the audit
// trail (GET /api/v1/audit/checkpoint), so that anyone may keep a copy.
import { shell } from '/shell.js';
import { dashboard } from '/open/dash.js';
import { api, el, h } from '/ui.js';

await shell({ active: 'open' });
await dashboard(document.getElementById('main')).reload();

const cp = await api('GET', '/api/v1/audit/checkpoint');
if (cp.ok) {
  const when = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short',
  }).format(new Date(cp.body.time * 1000));
  (document.querySelector('footer') || document.getElementById('main')).append(h('p', { id: 'audit-checkpoint' },
    `审计日志检查点：截至 ${when} 共 ${cp.body.count} 条记录，各链头部哈希 `,
    el('code', `${cp.body.head.slice(0, 16)}…`),
    `，由平台密钥 ${cp.body.key_id} 签名（`,
    h('a', { href: '/api/v1/audit/checkpoint', download: 'audit-checkpoint.json' }, '下载留存'),
    '，可用于日后核验审计日志未被删改）。'));
}
