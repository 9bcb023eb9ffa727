// Phones first (issue #13 item 8): every page of web/ at 360 px, signed in
// as the person whose page it is, is no wider than the screen, and every
// visible button, input, select and link of a bar or a form offers a touch
// target at least 44 px tall (its own box or the label that stands for it;
// a link inside running text is exempt). Each page is kept as a screenshot
// (phone-<page>-360.png). The failures of all pages are reported together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs, apiSignIn, base, browser, noSideways, openDraft, serve, shopForm, shot, uploadAs,
} from './harness.mjs';

serve();

const ITEM = '11330106024892795E4010010201000'; // 个体工商户设立登记, 西湖区
const ZHANG = '33010619900101123X';
const LI = '330106198505052313';
const CLERK = '330106198808081015';
const REVIEWER = '330106198707072021';
const CATALOGUER = '330102198505054022';
const SUPERVISOR = '330106198303036024';

// The targets of a page that are under 44 px and not exempt, as text.
function smallTargets() {
  const MIN = 44;
  const shown = (e) => {
    const s = getComputedStyle(e);
    if (s.visibility === 'hidden' || s.display === 'none' || e.closest('[hidden], dialog:not([open])')) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  // A link with words of its own beside it in the same block: inline in text.
  const inText = (a) => [...a.parentElement.childNodes].some((n) => n !== a
    && ((n.nodeType === Node.TEXT_NODE && n.textContent.trim())
      || (n.nodeType === Node.ELEMENT_NODE && getComputedStyle(n).display === 'inline' && n.textContent.trim())));
  // The tallest box that takes the touch: the element, or its label.
  const hit = (e) => {
    let best = e.getBoundingClientRect().height;
    const labels = e.labels ? [...e.labels] : [];
    for (const l of labels) if (shown(l)) best = Math.max(best, l.getBoundingClientRect().height);
    return best;
  };
  const out = [];
  const seen = new Set();
  for (const e of document.querySelectorAll('button, select, input:not([type=hidden]), textarea, nav a[href], form a[href], .topnav a[href]')) {
    if (seen.has(e)) continue;
    seen.add(e);
    const hidden = !shown(e);
    // A control made invisible (a file input behind its Chinese label) is
    // reached through its label.
    const viaLabel = e.tagName === 'INPUT' && e.labels && [...e.labels].some(shown);
    if (hidden && !viaLabel) continue;
    if (e.tagName === 'A' && inText(e)) continue;
    const h = hit(e);
    if (h + 0.5 < MIN) {
      const name = (e.textContent || e.getAttribute('aria-label') || e.name || e.type || '').trim().slice(0, 20);
      out.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ')[0]}` : ''} "${name}" ${Math.round(h)}px`);
    }
  }
  return out;
}

test('phones: every page at 360 px, no sideways scrolling, touch targets of 44 px', async () => {
  // A case of 张三's, submitted: his case page, its progress, the reviewer's view.
  const zhang = await apiSignIn(ZHANG);
  const { no, code } = await openDraft(zhang, ITEM, shopForm({ 名称: '手机小店' }));
  for (const m of ['个体工商户登记（备案）申请书', '经营场所使用相关证明']) await uploadAs(zhang, no, m);
  assert.equal((await apiAs(zhang, 'POST', `/api/v1/cases/${no}/submit`)).status, 200);
  const cert = (await apiAs(zhang, 'GET', '/api/v1/me/certificates')).body.items[0].identifier;

  // [name, login (null: signed out), path, ready selector, act]
  const pages = [
    ['home', null, '/', '#popular a'],
    ['home-signed-in', ZHANG, '/', '#popular a'],
    ['services', null, '/services.html', '#items article'],
    ['guide', null, `/guide.html?item=${ITEM}`, '#guide h2'],
    ['apply', ZHANG, `/apply.html?item=${ITEM}`, '#fields .field'],
    ['progress', null, `/progress.html#${no}:${code}`, '#progress dl'],
    ['certificates', ZHANG, '/certificates.html', 'article.cert'],
    ['agents', LI, '/agents.html', 'article.cert li'],
    ['recover', null, '/recover.html', '#rc-id'],
    ['register', null, '/register.html', '#person-form'],
    ['register-business', LI, '/register.html', '#org-form'],
    ['verify', null, `/verify.html#${encodeURIComponent(cert)}`, '#answer p.ok'],
    ['status', null, '/status.html', '#health.ok'],
    ['404', null, '/no/such/page', '.topnav'],
    ['my', ZHANG, '/my/', '#cases li'],
    ['my-case', ZHANG, `/my/case.html?no=${no}`, '#main .card'],
    ['my-messages', ZHANG, '/my/messages.html', '#messages'],
    ['my-materials', ZHANG, '/my/materials.html', '#materials'],
    ['window', CLERK, '/window/', '#centre:not(:empty)', async (p) => {
      await p.fill('#applicant-code', ZHANG);
      await p.press('#applicant-code', 'Enter');
      await p.locator('#applicant dd', { hasText: '张三' }).waitFor();
      await p.selectOption('#dept', { label: '杭州市西湖区市场监督管理局' });
      await p.locator(`#item option[value="${ITEM}"]`).waitFor({ state: 'attached' });
      await p.selectOption('#item', ITEM);
      await p.click('#choose-form button[type=submit]');
      await p.locator('#materials tbody tr').first().waitFor();
    }],
    ['workbench', REVIEWER, '/workbench/', '#queue tbody tr'],
    ['workbench-case', REVIEWER, `/workbench/case.html?no=${no}`, '#case-title', async (p) => {
      await p.click('button[data-event=request_correction]');
      await p.locator('#corr-other').waitFor();
    }],
    ['catalog', CATALOGUER, '/catalog/', '#items tbody tr[data-code]'],
    ['catalog-item', CATALOGUER, `/catalog/item.html?code=${ITEM}`, '#editor [name=name]'],
    ['catalog-versions', CATALOGUER, `/catalog/versions.html?code=${ITEM}`, '.cmp-row'],
    ['catalog-consistency', CATALOGUER, '/catalog/consistency.html?basic_code=010010201000&region=330100', '.variant'],
    ['open', null, '/open/', '#chart canvas'],
    ['supervision', SUPERVISOR, '/supervision/', '#overdue-list tbody tr'],
  ];
  const found = [];
  const ctx = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  let who = null;
  for (const [name, login, path, ready, act] of pages) {
    if (login !== who) {
      // Signed in in this tab as ui.js does it (cookie + CSRF token in sessionStorage).
      await p.goto(`${base}/status.html`);
      await p.evaluate(() => import('/ui.js').then((ui) => ui.signOut()));
      if (login) {
        const ok = await p.evaluate((l) => import('/ui.js').then((ui) => ui.signIn(l, 'tongban-demo')).then((r) => r.ok), login);
        assert.ok(ok, `sign-in of ${login}`);
      }
      who = login;
    }
    await p.goto(`${base}${path}`);
    await p.locator(ready).first().waitFor();
    await p.waitForLoadState('networkidle');
    if (act) await act(p);
    if (!(await noSideways(p))) {
      const wide = await p.evaluate(() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`).join(', '));
      found.push(`${name}: wider than 360 px (${wide})`);
    }
    for (const s of await p.evaluate(smallTargets)) found.push(`${name}: ${s}`);
    await p.screenshot({ path: shot(`phone-${name}-360.png`), fullPage: true });
  }
  await ctx.close();
  assert.deepEqual(errors, []);
  // Each failure on its own line, so that a run lists every page's.
  if (found.length) console.log(found.join('\n'));
  assert.deepEqual(found, []);
});
