/**
 * The status page served at `GET /`: one HTML document with its CSS and
 * script inline, no framework, nothing fetched from the network but the
 * status API on the same origin. It lists the specs with progress bars; a
 * selected spec shows its task graph (tasks in dependency layers, SVG edges,
 * coloured by state), a table of tasks and one of attempts with links to their
 * logs. It stays live through `/api/stream` and polls `/api/specs` every 2 s
 * when the stream fails. It only reads.
 *
 * It lives in a TypeScript string rather than an .html file so it survives
 * the bridge's single-file bundle (scripts/build.ts) with no loader and no
 * build step. The script avoids backticks and dollar-brace so the whole page
 * is one String.raw literal; data is put in the page with textContent and
 * attributes only, never as HTML, so a spec or a log cannot inject markup.
 * A `?token=` in the page's URL is passed on to every API call (auth.ts).
 */
export const STATUS_PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>nightshift status</title>
<style>
  :root { --fg: #202124; --muted: #5f6368; --line: #dadce0; --bg: #fff; --panel: #f8f9fa;
    --pending: #9aa0a6; --assigned: #8ab4f8; --in-progress: #1a73e8; --diff-submitted: #a142f4; --in-review: #7b1fa2;
    --completed: #188038; --failed: #d93025; --blocked: #e37400; --planning: #8ab4f8; --rejected: #d93025; --unreadable: #5f6368; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 16px; padding: 10px 16px; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; }
  #conn { color: var(--muted); font-size: 12px; }
  #conn[data-mode="live"]::before { content: "● "; color: var(--completed); }
  #conn[data-mode="polling"]::before { content: "● "; color: var(--blocked); }
  #conn[data-mode="error"]::before { content: "● "; color: var(--failed); }
  main { display: grid; grid-template-columns: minmax(240px, 320px) 1fr; min-height: calc(100vh - 45px); }
  nav { border-right: 1px solid var(--line); background: var(--panel); padding: 8px; overflow-y: auto; }
  nav h2, section h2, section h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 12px 4px 6px; }
  a.spec { display: block; padding: 8px; margin: 4px 0; border-radius: 6px; color: inherit; text-decoration: none; border: 1px solid transparent; }
  a.spec:hover { background: #fff; border-color: var(--line); }
  a.spec[aria-current="true"] { background: #fff; border-color: var(--in-progress); }
  .spec .title { font-weight: 600; display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .spec .meta { display: flex; gap: 8px; align-items: center; font-size: 12px; color: var(--muted); }
  .spec .problems { font-size: 12px; color: var(--failed); white-space: pre-wrap; margin-top: 4px; }
  .bar { height: 6px; background: var(--line); border-radius: 3px; overflow: hidden; margin-top: 6px; }
  .bar > div { height: 100%; background: var(--completed); }
  .badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; color: #fff; background: var(--pending); white-space: nowrap; }
  section#detail { padding: 8px 16px 32px; overflow-x: auto; }
  .empty { color: var(--muted); padding: 8px; }
  .head h2 { text-transform: none; letter-spacing: 0; font-size: 20px; color: var(--fg); margin: 8px 0 2px; }
  .head .meta { color: var(--muted); display: flex; gap: 12px; flex-wrap: wrap; align-items: center; }
  .note { color: var(--muted); font-style: italic; }
  svg#graph { display: block; margin: 8px 0; }
  svg .node rect { stroke: rgba(0,0,0,.25); stroke-width: 1; rx: 6; }
  svg .node text { font-size: 12px; fill: #fff; pointer-events: none; }
  svg .node text.sub { font-size: 11px; opacity: .9; }
  svg .edge { stroke: var(--muted); stroke-width: 1.5; fill: none; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 16px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-size: 12px; color: var(--muted); font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.err { color: var(--failed); max-width: 480px; white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, monospace; font-size: 12px; }
  [data-status="pending"] { --st: var(--pending); } [data-status="assigned"] { --st: var(--assigned); }
  [data-status="in-progress"] { --st: var(--in-progress); } [data-status="diff-submitted"] { --st: var(--diff-submitted); }
  [data-status="in-review"] { --st: var(--in-review); } [data-status="completed"] { --st: var(--completed); }
  [data-status="failed"] { --st: var(--failed); } [data-status="blocked"] { --st: var(--blocked); }
  [data-status="planning"] { --st: var(--planning); } [data-status="rejected"] { --st: var(--rejected); }
  [data-status="unreadable"] { --st: var(--unreadable); } [data-status="running"] { --st: var(--in-progress); }
  [data-status="succeeded"] { --st: var(--completed); }
  .badge[data-status], [data-status] > .badge { background: var(--st); }
  svg .node rect { fill: var(--st, var(--pending)); }
  @media (max-width: 720px) { main { grid-template-columns: 1fr; } nav { border-right: 0; border-bottom: 1px solid var(--line); } }
</style>
</head>
<body>
<header><h1>nightshift</h1><span id="conn" data-mode="connecting">connecting</span></header>
<main>
  <nav aria-label="specs"><h2>Specs</h2><div id="specs"><p class="empty">Loading.</p></div></nav>
  <section id="detail" aria-live="polite"><p class="empty">Select a spec to see its tasks.</p></section>
</main>
<script>
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('token');
  var selected = null;
  var specs = [];
  var detailSeq = 0;
  var pollTimer = null;
  var stream = null;
  var $ = function (id) { return document.getElementById(id); };

  function api(path) {
    if (!token) return path;
    return path + (path.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token);
  }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) if (attrs[k] !== null && attrs[k] !== undefined) n.setAttribute(k, String(attrs[k]));
    (kids || []).forEach(function (c) { if (c !== null && c !== undefined) n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return n;
  }
  function svg(tag, attrs, kids) {
    var n = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs || {}) n.setAttribute(k, String(attrs[k]));
    (kids || []).forEach(function (c) { n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return n;
  }
  // Each item its own element, so the flex gap separates them.
  function meta(items) {
    return el('span', { 'class': 'meta' }, items.filter(function (i) { return i !== null && i !== ''; }).map(function (i) { return typeof i === 'string' ? el('span', {}, [i]) : i; }));
  }
  function badge(status) { return el('span', { 'class': 'badge', 'data-status': status }, [status]); }
  function duration(ms) {
    if (ms === null || ms === undefined) return '';
    if (ms < 1000) return ms + ' ms';
    var s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    var m = Math.floor(s / 60), rs = Math.floor(s % 60);
    if (m < 60) return m + 'm ' + (rs < 10 ? '0' : '') + rs + 's';
    var h = Math.floor(m / 60), rm = m % 60;
    return h + 'h ' + (rm < 10 ? '0' : '') + rm + 'm';
  }
  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + '\u2026' : text; }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : ''; }
  function setMode(mode, text) { var c = $('conn'); c.setAttribute('data-mode', mode); c.textContent = text; }

  function getJson(path) {
    return fetch(api(path), { headers: { accept: 'application/json' }, cache: 'no-store' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.ok) return body;
        var msg = body && body.error ? body.error.message : 'HTTP ' + r.status;
        if (r.status === 401) msg = 'This server needs its token: open this page as /?token=<NIGHTSHIFT_TOKEN>. (' + msg + ')';
        var e = new Error(msg); e.status = r.status; throw e;
      });
    });
  }

  function renderList() {
    var box = $('specs');
    box.textContent = '';
    if (specs.length === 0) { box.appendChild(el('p', { 'class': 'empty' }, ['No specs yet: drop one in specs/active/.'])); return; }
    specs.forEach(function (s) {
      var p = s.progress;
      var pct = p ? p.percentage : 0;
      var kids = [el('span', { 'class': 'title' }, [s.title]), meta([badge(s.status), s.id, p ? p.completed + '/' + p.total : '', s.archived ? 'archived' : null])];
      if (p) kids.push(el('div', { 'class': 'bar', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 }, [el('div', { style: 'width:' + pct + '%' })]));
      if (s.problems && s.problems.length) kids.push(el('div', { 'class': 'problems' }, [s.problems.slice(0, 5).join('\n')]));
      box.appendChild(el('a', { 'class': 'spec', href: '#' + encodeURIComponent(s.id), 'data-spec': s.id, 'data-status': s.status, 'aria-current': s.id === selected ? 'true' : 'false' }, kids));
    });
  }

  function layers(tasks) {
    var ids = {}, layer = {};
    tasks.forEach(function (t) { ids[t.id] = true; layer[t.id] = 0; });
    // Longest path from a root; n passes settle any order (the loader has refused cycles).
    for (var pass = 0; pass < tasks.length; pass++) {
      var moved = false;
      tasks.forEach(function (t) {
        t.dependsOn.forEach(function (d) { if (ids[d] && layer[d] + 1 > layer[t.id]) { layer[t.id] = layer[d] + 1; moved = true; } });
      });
      if (!moved) break;
    }
    return layer;
  }

  function graph(tasks) {
    var W = 180, H = 46, GX = 56, GY = 14, PAD = 4;
    var layer = layers(tasks), cols = [], pos = {};
    tasks.forEach(function (t) { var l = layer[t.id]; (cols[l] = cols[l] || []).push(t); });
    var rows = 0;
    cols.forEach(function (col, x) {
      rows = Math.max(rows, col.length);
      col.forEach(function (t, y) { pos[t.id] = { x: PAD + x * (W + GX), y: PAD + y * (H + GY) }; });
    });
    var width = PAD * 2 + cols.length * (W + GX) - GX, height = PAD * 2 + rows * (H + GY) - GY;
    var root = svg('svg', { id: 'graph', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'task graph' });
    var defs = svg('defs', {}, [svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#5f6368' })])]);
    root.appendChild(defs);
    tasks.forEach(function (t) {
      t.dependsOn.forEach(function (d) {
        var a = pos[d], b = pos[t.id];
        if (!a || !b) return;
        root.appendChild(svg('line', { 'class': 'edge', x1: a.x + W, y1: a.y + H / 2, x2: b.x - 2, y2: b.y + H / 2, 'marker-end': 'url(#arrow)', 'data-from': d, 'data-to': t.id }));
      });
    });
    tasks.forEach(function (t) {
      var p = pos[t.id];
      var g = svg('g', { 'class': 'node', 'data-task': t.id, 'data-status': t.status, transform: 'translate(' + p.x + ',' + p.y + ')' }, [
        svg('title', {}, [t.id + ': ' + t.title + ' (' + t.status + ')']),
        svg('rect', { width: W, height: H, rx: 6 }),
        svg('text', { x: 8, y: 18 }, [clip(t.title, 26)]),
        svg('text', { 'class': 'sub', x: 8, y: 36 }, [t.status + (t.attempt ? ' \u00B7 #' + t.attempt : '')]),
      ]);
      root.appendChild(g);
    });
    return root;
  }

  function logLink(specId, a) {
    var path = '/api/specs/' + encodeURIComponent(specId) + '/tasks/' + encodeURIComponent(a.taskId) + '/attempts/' + a.attempt + '/log?format=text';
    return el('a', { href: api(path), target: '_blank', rel: 'noopener noreferrer' }, ['log']);
  }

  function renderDetail(d) {
    var spec = d.spec, box = $('detail');
    box.textContent = '';
    var done = d.tasks.filter(function (t) { return t.status === 'completed'; }).length;
    box.appendChild(el('div', { 'class': 'head', 'data-spec': spec.id, 'data-status': spec.status }, [
      el('h2', {}, [spec.title]),
      meta([badge(spec.status), spec.id, 'priority ' + spec.priority, done + '/' + d.tasks.length + ' tasks', d.file, d.archived ? 'archived' : null]),
    ]));
    if (!d.attemptsKnown) box.appendChild(el('p', { 'class': 'note' }, ['No database here: attempts are not shown.']));
    box.appendChild(el('h3', {}, ['Task graph']));
    box.appendChild(graph(d.tasks));
    box.appendChild(el('h3', {}, ['Tasks']));
    var rows = d.tasks.map(function (t) {
      return el('tr', { 'class': 'task', 'data-task': t.id, 'data-status': t.status }, [
        el('td', {}, [el('strong', {}, [t.id]), el('br'), t.title]),
        el('td', { 'data-col': 'state' }, [badge(t.status)]),
        el('td', { 'class': 'num', 'data-col': 'attempt' }, [t.attempt ? String(t.attempt) : '']),
        el('td', { 'class': 'num', 'data-col': 'duration' }, [duration(t.durationMs)]),
        el('td', { 'class': 'err', 'data-col': 'error', title: t.lastError || '' }, [t.lastError ? clip(t.lastError, 300) : '']),
      ]);
    });
    box.appendChild(el('table', { id: 'tasks' }, [
      el('thead', {}, [el('tr', {}, ['task', 'state', 'attempt', 'duration', 'last error'].map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows),
    ]));
    if (d.attemptsKnown) {
      box.appendChild(el('h3', {}, ['Attempts']));
      var arows = d.attempts.map(function (a) {
        return el('tr', { 'class': 'attempt', 'data-task': a.taskId, 'data-attempt': a.attempt, 'data-status': a.status }, [
          el('td', {}, [a.taskId]), el('td', { 'class': 'num' }, [String(a.attempt)]), el('td', {}, [badge(a.status)]),
          el('td', {}, [a.worker || '']), el('td', {}, [time(a.startedAt)]), el('td', { 'class': 'num' }, [duration(a.durationMs)]),
          el('td', {}, [a.reason || '']), el('td', { 'class': 'err', title: a.error || '' }, [a.error ? clip(a.error, 200) : '']),
          el('td', {}, [logLink(spec.id, a)]),
        ]);
      });
      if (arows.length === 0) arows = [el('tr', {}, [el('td', { colspan: 9, 'class': 'empty' }, ['No attempts yet.'])])];
      box.appendChild(el('table', { id: 'attempts' }, [
        el('thead', {}, [el('tr', {}, ['task', '#', 'status', 'worker', 'started', 'duration', 'reason', 'error', ''].map(function (h) { return el('th', {}, [h]); }))]),
        el('tbody', {}, arows),
      ]));
    }
  }

  function loadDetail() {
    if (!selected) return;
    var seq = ++detailSeq, id = selected;
    getJson('/api/specs/' + encodeURIComponent(id)).then(function (d) {
      if (seq === detailSeq && id === selected) renderDetail(d);
    }, function (err) {
      if (seq !== detailSeq) return;
      var box = $('detail');
      box.textContent = '';
      box.appendChild(el('p', { 'class': 'empty' }, [err.message]));
    });
  }

  function onOverview(ov) {
    specs = ov.specs || [];
    renderList();
    loadDetail();
  }

  function select() {
    var h = location.hash.replace(/^#/, '');
    selected = h ? decodeURIComponent(h) : null;
    renderList();
    if (selected) loadDetail();
  }

  function poll() {
    getJson('/api/specs').then(function (ov) { setMode('polling', 'polling every 2 s'); onOverview(ov); },
      function (err) { setMode('error', err.message); });
  }
  function startPolling() {
    if (pollTimer !== null) return;
    poll();
    pollTimer = setInterval(poll, 2000);
  }
  function stopPolling() { if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; } }

  function startStream() {
    if (typeof EventSource !== 'function') { startPolling(); return; }
    stream = new EventSource(api('/api/stream'));
    stream.addEventListener('specs', function (e) {
      stopPolling();
      setMode('live', 'live');
      onOverview(JSON.parse(e.data));
    });
    stream.onerror = function () {
      // The stream failed (a proxy that buffers, a server restart, a refused token):
      // poll instead, and try the stream again in a while.
      stream.close();
      stream = null;
      startPolling();
      setTimeout(function () { if (stream === null) startStream(); }, 15000);
    };
  }

  window.addEventListener('hashchange', select);
  select();
  startStream();
})();
</script>
</body>
</html>
`;
