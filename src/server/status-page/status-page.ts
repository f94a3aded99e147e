// The status page for people (GET /status on the operations port): one HTML document with no
// framework. The server embeds the first report as JSON; a small script renders it and polls
// /status.json every second, so new commits and leader changes show up without a reload.
// Every name reaches the page through textContent (table names are arbitrary UTF-8), and the
// embedded JSON has <, >, & and the JavaScript line separators escaped so that no name can end
// the script element.
import type { StatusReport } from './status-report.ts';

export const REFRESH_MS = 1000;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside <script type="application/json">. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Runs in the browser: plain JavaScript (the project's TypeScript has no DOM types), checked by
// the headless Chromium test in test/ops/status-page.test.ts.
const PAGE_SCRIPT = `
(function (refreshMs) {
  var el = function (id) { return document.getElementById(id); };
  var text = function (tag, value, cls) {
    var e = document.createElement(tag);
    e.textContent = value === null || value === undefined ? '\u2014' : String(value);
    if (cls) e.className = cls;
    return e;
  };
  var rows = function (id, items, classes) {
    el(id).replaceChildren.apply(el(id), items.map(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (c, i) { tr.appendChild(text('td', c, classes && classes[i])); });
      return tr;
    }));
  };
  var bytes = function (n) {
    if (n === null) return null;
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    if (n < 1073741824) return (n / 1048576).toFixed(1) + ' MiB';
    return (n / 1073741824).toFixed(2) + ' GiB';
  };
  var render = function (r) {
    el('self').textContent = r.self;
    el('role').textContent = r.role;
    el('leader').textContent = r.leader === null ? 'none elected' : r.leader;
    el('session').textContent = r.session === null ? 'embedded (no ZooKeeper)' : r.session;
    var h = r.health;
    el('health').textContent = h ? h.status + ', writes ' + h.writes + (h.problems.length ? ' (' + h.problems.join(', ') + ')' : '') : '\u2014';
    el('health').className = h && h.status === 'SERVING' ? 'ok' : 'bad';
    rows('members', r.members.map(function (m) { return [m.location, m.role, m.health]; }), [null, 'role', 'health']);
    rows('tables', r.tables.map(function (t) { return [t.name, t.version, t.rows, bytes(t.bytes), t.committedAt]; }), ['name', 'version']);
    el('tables-note').textContent = r.tablesTruncated ? 'first ' + r.tables.length + ' tables shown' : r.tables.length + ' table(s)';
    rows('commits', r.latestCommits.map(function (c) { return [c.committedAt, c.table, c.version, c.rows]; }));
    rows('maintenance', r.maintenance.map(function (m) { return [m.finishedAt, m.trigger, m.expiredVersions, m.compactedTables, m.deletedFiles, m.errors]; }));
    rows('config', r.config.map(function (c) { return [c.key, JSON.stringify(c.value), c.from]; }));
    el('config-version').textContent = r.configVersion === null ? "embedded mode: this server's own settings"
      : r.configVersion === -1 ? 'no cluster config node: each replica uses its own settings' : 'cluster config version ' + r.configVersion;
    el('updated').textContent = 'updated ' + r.generatedAt;
    el('updated').className = '';
  };
  render(JSON.parse(el('initial').textContent));
  var poll = function () {
    fetch('status.json', { cache: 'no-store' }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    }).then(render, function (e) {
      el('updated').textContent = 'cannot reach the server (' + e.message + '); retrying';
      el('updated').className = 'bad';
    }).then(function () { setTimeout(poll, refreshMs); });
  };
  setTimeout(poll, refreshMs);
})`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
th { background: #f3f3f3; } dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; }
dt { color: #666; } .ok { color: #17702a; } .bad { color: #b00020; } #updated { color: #666; font-size: 0.9em; }
`;

export function renderStatusPage(report: StatusReport): string {
  const table = (id: string, heads: string[]) => `<table><thead><tr>${heads.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody id="${id}"></tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>quiver ${escapeHtml(report.self)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>quiver <span id="self"></span></h1>
<dl>
<dt>role</dt><dd id="role"></dd>
<dt>leader</dt><dd id="leader"></dd>
<dt>ZooKeeper session</dt><dd id="session"></dd>
<dt>health</dt><dd id="health"></dd>
</dl>
<h2>Members</h2>${table('members', ['location', 'role', 'health'])}
<h2>Tables</h2><p id="tables-note"></p>${table('tables', ['name', 'version', 'rows', 'bytes', 'last commit'])}
<h2>Latest commits</h2>${table('commits', ['committed at', 'table', 'version', 'rows'])}
<h2>Maintenance runs (this replica)</h2>${table('maintenance', ['finished', 'trigger', 'versions expired', 'tables compacted', 'files deleted', 'errors'])}
<h2>Settings in force</h2><p id="config-version"></p>${table('config', ['setting', 'value', 'from'])}
<p id="updated"></p>
<script type="application/json" id="initial">${scriptJson(report)}</script>
<script>${PAGE_SCRIPT}(${REFRESH_MS});</script>
</body></html>
`;
}
