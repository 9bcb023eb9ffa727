// The openness page (/open/): the public indicators of the province and,
// by drill-down, of its cities, counties and a county's departments, over a
// month, quarter or year. Public: aggregates only (GET /api/v1/indicators),
// nobody signs in.
import { shell } from '/shell.js';
import { dashboard } from '/open/dash.js';

await shell({ active: 'open' });
await dashboard(document.getElementById('main')).reload();
