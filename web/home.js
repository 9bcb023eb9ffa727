// The home page: search, the most used services (常用服务) of the
// signed-in person's region (else of the whole platform), each leading to
// its guide; services by theme (一件事), by service object, by region
// (picked by name: province, city, county) and by department, each
// leading to the catalog (/services.html) with that filter.
import { api, h } from '/ui.js';
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

// Fills select with the regions under parent ("" for the provinces).
async function regions(select, parent, all) {
  const r = await api('GET', parent ? `/api/v1/regions?parent=${parent}` : '/api/v1/regions');
  select.replaceChildren();
  if (all) select.append(h('option', { value: '' }, '全部'));
  for (const g of (r.ok ? r.body.items : [])) select.append(h('option', { value: g.code }, g.name));
}

async function place() {
  const province = document.getElementById('province');
  const city = document.getElementById('city');
  const county = document.getElementById('county');
  await regions(province, '', false);
  // The platform's own province first: the deployment serves it.
  province.value = '330000';
  await regions(city, province.value, true);
  province.addEventListener('change', async () => {
    await regions(city, province.value, true);
    county.replaceChildren(h('option', { value: '' }, '全部'));
  });
  city.addEventListener('change', async () => {
    if (city.value) await regions(county, city.value, true);
    else county.replaceChildren(h('option', { value: '' }, '全部'));
  });
  document.getElementById('place').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const code = county.value || city.value || province.value;
    location.href = `/services.html?region=${code}`;
  });
}

popular();
events();
departments();
place();
