// 搜索同义词 (/catalog/synonyms.html): the words people type and what the
// catalog's service names say instead (GET /api/v1/catalog/synonyms); the
// province's catalog managers add, change and remove them (PUT / DELETE
// /api/v1/catalog/synonyms/{word}); everyone else reads. Text only.
import { api, el, h, reasonOf, showErrors } from '/ui.js';
import { shell } from '/shell.js';

const form = document.getElementById('syn-form');
const tbody = document.querySelector('#synonyms tbody');
const status = document.getElementById('status');
let mayEdit = false;

async function load() {
  const r = await api('GET', '/api/v1/catalog/synonyms');
  if (!r.ok) {
    status.textContent = `无法读取：${reasonOf(r.body, r.status)}`;
    return;
  }
  tbody.replaceChildren(...r.body.items.map((x) => {
    const cells = [h('td', { 'data-label': '群众常说的词' }, x.word), h('td', { 'data-label': '事项中的说法' }, x.expansions.join('、'))];
    const act = h('td', { 'data-label': '操作' });
    if (mayEdit) {
      const change = h('button', { type: 'button', class: 'small' }, '修改');
      change.setAttribute('aria-label', `修改“${x.word}”`);
      change.addEventListener('click', () => {
        form.word.value = x.word;
        form.expansions.value = x.expansions.join('、');
        form.expansions.focus();
      });
      const drop = h('button', { type: 'button', class: 'small' }, '删除');
      drop.setAttribute('aria-label', `删除“${x.word}”`);
      drop.addEventListener('click', async () => {
        const d = await api('DELETE', `/api/v1/catalog/synonyms/${encodeURIComponent(x.word)}`);
        status.className = d.ok ? 'ok' : 'bad';
        status.textContent = d.ok ? `已删除“${x.word}”。` : `未能删除：${reasonOf(d.body, d.status)}`;
        await load();
      });
      act.append(change, ' ', drop);
    }
    return h('tr', { 'data-word': x.word }, ...cells, act);
  }));
}

async function main() {
  const who = await shell({ active: 'catalog', signIn: true });
  if (!who) return;
  // The table serves the whole platform: the province's managers keep it
  // (the API decides; a refusal says why).
  mayEdit = (who.roles || []).some((g) => ['catalog_manager', 'admin'].includes(g.role) && /^\d{2}0000$/.test(g.region || ''));
  document.getElementById('edit').hidden = !mayEdit;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const word = form.word.value.trim();
    const expansions = form.expansions.value.split(/[、,，]/).map((x) => x.trim()).filter(Boolean);
    if (!word) {
      showErrors(form, { ok: false, status: 400, body: { field: 'word', reason: '请填写群众常说的词' } });
      return;
    }
    const r = await api('PUT', `/api/v1/catalog/synonyms/${encodeURIComponent(word)}`, { expansions });
    if (!r.ok) {
      showErrors(form, r);
      return;
    }
    showErrors(form, null);
    status.className = 'ok';
    status.textContent = `已保存“${word}”。`;
    form.reset();
    await load();
  });
  await load();
}

main();
