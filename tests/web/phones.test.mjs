// Phones first (issue #13 item 8): every page of web/ at 360 px, signed in
// as the person whose page it is, is no wider than the screen, and every
// visible button, input, select and link of a bar or a form offers a touch
// target at least 44 px tall (its own box or the label that stands for it;
// a link inside running text is exempt). Each page is kept as a screenshot
// (phone-<page>-360.png). The failures of all pages are reported together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everyPage, noSideways, serve, shot, walkPages } from './harness.mjs';

serve();


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
  const pages = await everyPage('手机小店');
  const found = [];
  const errors = await walkPages(pages, 360, async (p, name) => {
    if (!(await noSideways(p))) {
      const wide = await p.evaluate(() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`).join(', '));
      found.push(`${name}: wider than 360 px (${wide})`);
    }
    for (const t of await p.evaluate(smallTargets)) found.push(`${name}: ${t}`);
    await p.screenshot({ path: shot(`phone-${name}-360.png`), fullPage: true });
  });
  assert.deepEqual(errors, []);
  // Each failure on its own line, so that a run lists every page's.
  if (found.length) console.log(found.join('\n'));
  assert.deepEqual(found, []);
});
