// Applying online for one item (?item=IMPLEMENTATION_CODE): opens a draft,
// shows each material with how it is already satisfied (an e-certificate,
// the applicant's library) or that it needs an upload, takes the uploads,
// and submits. Text is set with textContent only.
import { api, bindSignIn, el, signedIn } from '/session.js';
import { filePicker } from '/ui.js';
import { shell } from '/shell.js';

shell({ active: 'services' });

const code = new URLSearchParams(location.search).get('item') || '';
const requirement = { required: '必须', optional: '可选', later: '容缺后补' };
let caseNo = null;
let queryCode = null;


function fail(text) {
  document.getElementById('error').textContent = text;
}

// How a material is satisfied, in words.
function status(m) {
  switch (m.source) {
    case 'certificate': return ['已由电子证照提供，无需提交', 'ok'];
    case 'library': return ['已从您的材料库调取，无需提交', 'ok'];
    case 'sharing': return ['已通过数据共享获取，无需提交', 'ok'];
    case 'upload': return ['已上传', 'ok'];
    case 'window': return ['已在窗口提交', 'ok'];
    default: return m.required === 'required' ? ['需上传', 'bad'] : ['未提供', ''];
  }
}

function uploader(m) {
  const cell = el('td');
  if (m.source === 'certificate' || m.source === 'library' || m.source === 'sharing') return cell;
  const { input, node } = filePicker({ ariaLabel: `上传${m.name}` });
  const button = el('button', '上传');
  button.type = 'button';
  button.addEventListener('click', async () => {
    if (!input.files.length) return;
    const form = new FormData();
    form.append('material', m.name);
    form.append('file', input.files[0]);
    const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/materials`, form);
    if (!r.ok) {
      fail(`上传失败：${r.body.reason || r.body.error}`);
      return;
    }
    fail('');
    showCase();
  });
  cell.append(node, ' ', button);
  return cell;
}

async function showCase() {
  const r = await api('GET', `/api/v1/cases/${encodeURIComponent(caseNo)}`);
  if (!r.ok) {
    fail(`无法读取办件：${r.body.reason || r.body.error}`);
    return;
  }
  document.getElementById('case').hidden = false;
  document.getElementById('case-no').textContent = `办件编号 ${caseNo}（${r.body.state === 'draft' ? '草稿' : r.body.state}）`;
  const rows = r.body.materials.map((m) => {
    const tr = el('tr');
    tr.dataset.material = m.name;
    const [text, cls] = status(m);
    tr.append(el('td', m.name), el('td', requirement[m.required] || m.required),
      el('td', text, cls), uploader(m));
    return tr;
  });
  document.querySelector('#materials tbody').replaceChildren(...rows);
}

async function start() {
  if (!/^[0-9A-Z]{31}$/.test(code)) {
    fail('请从服务事项进入（地址中缺少事项编码）');
    return;
  }
  const item = await api('GET', `/api/v1/items/${code}`);
  if (!item.ok) {
    fail(`没有这个事项：${item.body.reason || item.body.error}`);
    return;
  }
  document.getElementById('item').hidden = false;
  document.getElementById('item-name').textContent = item.body.name;
  const facts = document.getElementById('item-facts');
  facts.replaceChildren(
    el('dt', '承诺时限'), el('dd', item.body.case_kind === 'immediate' ? '即办（当场办结）' : `${item.body.promised_days} 个工作日`),
    el('dt', '到现场次数'), el('dd', `${item.body.required_visits} 次`));
  if (!signedIn()) {
    document.getElementById('signin').hidden = false;
    return;
  }
  document.getElementById('signin').hidden = true;
  const made = await api('POST', '/api/v1/cases', { item: code });
  if (made.status === 401 || made.status === 403) {
    document.getElementById('signin').hidden = false;
    return;
  }
  if (!made.ok) {
    fail(`无法创建申请：${made.body.reason || made.body.error}`);
    return;
  }
  caseNo = made.body.case_no;
  queryCode = made.body.query_code;
  showCase();
}

bindSignIn(start);

document.getElementById('submit').addEventListener('click', async () => {
  const r = await api('POST', `/api/v1/cases/${encodeURIComponent(caseNo)}/submit`);
  const result = document.getElementById('result');
  if (!r.ok) {
    const missing = (r.body.missing || []).map((m) => m.material).join('、');
    result.replaceChildren(el('p', missing ? `还缺少：${missing}` : `提交失败：${r.body.reason}`, 'bad'));
    return;
  }
  const link = el('a', '查询办理进度');
  link.href = `/progress.html#${encodeURIComponent(`${caseNo}:${queryCode}`)}`;
  const done = el('p', `已提交。办件编号 ${caseNo}，查询码 ${queryCode}（凭此查询办理进度） `, 'ok');
  done.append(link);
  result.replaceChildren(done);
  document.getElementById('submit').disabled = true;
});

start();
