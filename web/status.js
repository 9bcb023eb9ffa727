// The status page (for operators and developers): shows the platform's
// health and checks a code through the public API. Text is set with textContent only.
import { shell } from '/shell.js';

shell();
const health = document.getElementById('health');
fetch('/healthz')
  .then((r) => r.json())
  .then((j) => {
    health.textContent = j.status === 'ok' ? `运行正常（存储：${j.store}）` : '存储不可用';
    health.className = j.status === 'ok' ? 'ok' : 'bad';
  })
  .catch(() => { health.textContent = '无法连接'; health.className = 'bad'; });

const form = document.getElementById('check');
const result = document.getElementById('result');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const code = document.getElementById('code').value.trim();
  const r = await fetch('/api/v1/codes/check?code=' + encodeURIComponent(code));
  const j = await r.json();
  if (!r.ok) {
    result.textContent = `输入有误：${j.reason || j.error}`;
    result.className = 'bad';
  } else if (j.valid) {
    const d = j.details;
    result.textContent = j.kind === 'resident-id'
      ? `有效的公民身份号码：${d.region_name || d.region}，出生日期 ${d.birth}，${d.sex === 'male' ? '男' : '女'}`
      : `有效的统一社会信用代码：${d.registration_dept_name}·${d.category_name}，${d.region_name || d.region}`;
    result.className = 'ok';
  } else {
    result.textContent = `无效：${j.reason}`;
    result.className = 'bad';
  }
});
