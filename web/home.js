// The home page: search, the most used services (常用服务) of the
// signed-in person's region (else of the whole platform), each leading to
// its guide; services by theme (一件事), by service object, by region
// (picked by name: province, city, county) and by department, each
// leading to the catalog (/services.html) with that filter.
import { api, h, regionPicker } from '/ui.js';
import { shell } from '/shell.js';

const bar = shell({ active: 'home' });

async function popular() {
  const who = await bar;
  const region = who && who.region ? `&region=${encodeURIComponent(who.region)}` : '';
  const r = await api('GET', `/api/v1/popular-items?limit=8${region}`);
  const list = document.getElementById('popular');
  for (const it of (r.ok ? r.body.items : [])) {
    list.append(h('li', {}, h('a', { href: `/guide.html?item=${encodeURIComponent(it.implementation_code)}` },
      it.name)));
  }
}

async function events() {
  const r = await api('GET', '/api/v1/events');
  const list = document.getElementById('events');
  for (const e of (r.ok ? r.body.items : [])) {
    list.append(h('li', {}, h('a', { href: `/services.html?event=${encodeURIComponent(e.event)}` },
      e.event, h('span', { class: 'muted' }, ` ${e.items} 项`))));
  }
}

async function departments() {
  const r = await api('GET', '/api/v1/departments');
  const list = document.getElementById('departments');
  for (const d of (r.ok ? r.body.items : [])) {
    if (d.sector === 'centre') continue; // a centre has no items of its own
    list.append(h('li', {}, h('a', { href: `/services.html?department=${d.id}` }, d.name)));
  }
}

// A region picked by name leads to its services.
async function place() {
  const form = document.getElementById('place');
  const picker = await regionPicker();
  form.prepend(picker.node);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.href = `/services.html?region=${picker.code()}`;
  });
}

popular();
events();
departments();
place();
