// The Dynamo dashboard: polls /api/dashboard and draws this node's view of the cluster.
// Everything from the API goes into the page through textContent or setAttribute, never as
// markup: node ids, addresses and errors are operator or peer strings.
'use strict';

(function () {
  const POLL_MS = 2000;
  const SVG = 'http://www.w3.org/2000/svg';
  // Distinguishable on white; a member keeps its colour while the member list stays the same.
  const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7',
    '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0', '#1f7a8c', '#c2185b'];
  const OP_COLOURS = { get: '#4269d0', put: '#ff725c', delete: '#3ca951' };
  const EXTRA_OP_COLOURS = ['#a463f2', '#efb118', '#9c6b4e'];
  let lastOk = 0;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  function fmt(n, digits) {
    if (n === null || n === undefined || Number.isNaN(n)) return '–';
    return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  function bytes(n) {
    if (!n) return '0 B';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return fmt(n, i === 0 ? 0 : 1) + ' ' + units[i];
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
    if (seconds < 60) return fmt(seconds, 0) + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + Math.floor(seconds % 60) + ' s';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
    return Math.floor(seconds / 86400) + ' d ' + Math.floor((seconds % 86400) / 3600) + ' h';
  }

  function colours(members) {
    const ids = members.map(m => m.id).sort();
    const map = new Map();
    ids.forEach((id, i) => map.set(id, PALETTE[i % PALETTE.length]));
    return map;
  }

  function fillRows(table, rows, columns, emptyText) {
    const body = table.tBodies[0];
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = el('tr');
      tr.appendChild(el('td', { class: 'empty', colspan: columns }, emptyText));
      body.appendChild(tr);
    }
    rows.forEach(r => body.appendChild(r));
  }

  function swatch(colour) {
    const s = el('span', { class: 'swatch' });
    s.style.background = colour || '#ccc';
    return s;
  }

  function renderFacts(d) {
    const facts = document.getElementById('facts');
    const up = d.members.filter(m => m.up).length;
    const items = [
      ['members up', up + ' / ' + d.members.length],
      ['partitions', d.ring.partitions],
      ['replicas', d.ring.available ? d.ring.replicas : '–'],
      ['N / R / W', d.defaults.n + ' / ' + d.defaults.r + ' / ' + d.defaults.w],
      ['ring version', d.ring.available ? d.ring.version : '–'],
      ['claimant', d.ring.available ? (d.ring.claimant || '–') : '–'],
      ['uptime', duration(d.uptimeMillis / 1000)],
      ['storage failures', d.storageFailures],
      ['version', d.version],
    ];
    facts.replaceChildren();
    for (const [label, value] of items) {
      const div = el('div');
      div.appendChild(el('span', { class: 'label' }, label));
      div.appendChild(el('span', { class: 'value' }, value));
      facts.appendChild(div);
    }
  }

  function renderMembers(d, palette) {
    const rows = d.members.map(m => {
      const tr = el('tr', { 'data-node-id': m.id, 'data-up': m.up, 'data-state': m.state });
      const name = el('td');
      name.appendChild(swatch(palette.get(m.id)));
      name.appendChild(el('span', { class: 'node-id' }, m.id));
      if (m.self) name.appendChild(el('span', { class: 'self' }, '(this node)'));
      tr.appendChild(name);
      const health = el('td');
      health.appendChild(el('span', { class: 'badge ' + (m.up ? 'up' : 'down'), 'data-health': m.up ? 'up' : 'down' },
        m.up ? 'up' : 'down'));
      tr.appendChild(health);
      tr.appendChild(el('td', { class: 'num' }, m.self ? '–' : fmt(m.phi, 2)));
      const state = el('td');
      state.appendChild(el('span', { class: 'badge ' + (m.state === 'valid' ? 'state' : m.state === 'down' ? 'down' : 'leaving') },
        m.state || '–'));
      tr.appendChild(state);
      tr.appendChild(el('td', { class: 'num' }, m.capacity));
      tr.appendChild(el('td', { class: 'num' }, m.partitionsOwned));
      tr.appendChild(el('td', { class: 'num' }, m.copies));
      tr.appendChild(el('td', { class: 'num' }, fmt(m.shareOfFair, 2)));
      tr.appendChild(el('td', { class: 'num' }, m.hintsPending));
      tr.appendChild(el('td', { class: 'node-id' }, m.clientAddress));
      return tr;
    });
    fillRows(document.getElementById('members'), rows, 10, 'no members yet');
  }

  function renderRing(d, palette) {
    const down = new Set(d.members.filter(m => !m.up).map(m => m.id));
    const root = document.getElementById('ring');
    root.replaceChildren();
    const q = d.ring.owners.length;
    root.setAttribute('data-partitions', q);
    document.getElementById('pending-moves').textContent = d.ring.pendingMoves.length;
    document.getElementById('ring-summary').textContent =
      q ? q + ' partitions, ' + d.ring.replicas + ' copies each' : 'no ring yet';
    const cx = 160, cy = 160, outer = 150, inner = 96;
    const gap = q > 1 ? Math.min(0.012, 0.25 / q) : 0;
    for (let p = 0; p < q; p++) {
      const owners = d.ring.owners[p];
      const pending = d.ring.pending[p] || [];
      const a0 = (p / q) * 2 * Math.PI - Math.PI / 2 + gap;
      const a1 = ((p + 1) / q) * 2 * Math.PI - Math.PI / 2 - gap;
      const large = a1 - a0 > Math.PI ? 1 : 0;
      const pt = (r, a) => (cx + r * Math.cos(a)).toFixed(2) + ' ' + (cy + r * Math.sin(a)).toFixed(2);
      const path = q === 1
        ? 'M ' + pt(outer, 0) + ' A ' + outer + ' ' + outer + ' 0 1 1 ' + pt(outer, Math.PI) + ' A ' + outer + ' ' + outer + ' 0 1 1 ' + pt(outer, 0) + ' Z'
        : 'M ' + pt(outer, a0) + ' A ' + outer + ' ' + outer + ' 0 ' + large + ' 1 ' + pt(outer, a1)
          + ' L ' + pt(inner, a1) + ' A ' + inner + ' ' + inner + ' 0 ' + large + ' 0 ' + pt(inner, a0) + ' Z';
      const seg = svg('path', {
        d: path,
        fill: palette.get(owners[0]) || '#d0d7de',
        'data-partition': p,
        'data-owner': owners[0] || '',
        'data-pending': pending.length > 0,
      });
      // A partition whose first owner is down is served by the others: drawn faded.
      if (down.has(owners[0])) seg.setAttribute('fill-opacity', '0.3');
      if (pending.length > 0) {
        seg.setAttribute('stroke', '#24292f');
        seg.setAttribute('stroke-width', '2');
        seg.setAttribute('stroke-dasharray', '3 2');
      }
      const title = svg('title');
      title.textContent = 'partition ' + p + ': ' + owners.join(', ')
        + (pending.length ? ' (pending: ' + pending.join(', ') + ')' : '');
      seg.appendChild(title);
      root.appendChild(seg);
    }
    const label = svg('text', { x: cx, y: cy - 4, 'text-anchor': 'middle', 'font-size': 28, 'font-weight': 600, fill: '#1f2328' });
    label.textContent = String(q);
    root.appendChild(label);
    const sub = svg('text', { x: cx, y: cy + 18, 'text-anchor': 'middle', 'font-size': 12, fill: '#6b7280' });
    sub.textContent = 'partitions';
    root.appendChild(sub);

    const legend = document.getElementById('legend');
    legend.replaceChildren();
    const primaries = new Map();
    d.ring.owners.forEach(o => primaries.set(o[0], (primaries.get(o[0]) || 0) + 1));
    for (const m of d.members) {
      const li = el('li', { 'data-node-id': m.id });
      li.appendChild(swatch(palette.get(m.id)));
      li.appendChild(document.createTextNode(m.id));
      li.appendChild(el('span', { class: 'count' }, (primaries.get(m.id) || 0) + ' first, ' + m.copies + ' copies'
        + (m.up ? '' : ', down')));
      legend.appendChild(li);
    }
  }

  function opColour(op, ops) {
    if (OP_COLOURS[op]) return OP_COLOURS[op];
    return EXTRA_OP_COLOURS[ops.indexOf(op) % EXTRA_OP_COLOURS.length];
  }

  function renderOps(d) {
    const samples = d.requests.samples;
    const last = samples.length ? samples[samples.length - 1] : null;
    const rows = d.requests.ops.map(op => {
      const f = last && last.ops[op] ? last.ops[op] : null;
      const tr = el('tr', { 'data-op': op, 'data-rate': f ? f.rate : 0 });
      const name = el('td');
      name.appendChild(swatch(opColour(op, d.requests.ops)));
      name.appendChild(document.createTextNode(op));
      tr.appendChild(name);
      tr.appendChild(el('td', { class: 'num' }, f ? fmt(f.rate, 1) : '0'));
      tr.appendChild(el('td', { class: 'num' }, f ? fmt(f.errorRate, 1) : '0'));
      tr.appendChild(el('td', { class: 'num' }, f ? fmt(f.p50, 2) : '–'));
      tr.appendChild(el('td', { class: 'num' }, f ? fmt(f.p99, 2) : '–'));
      tr.appendChild(el('td', { class: 'num' }, f ? fmt(f.p999, 2) : '–'));
      return tr;
    });
    fillRows(document.getElementById('ops'), rows, 6, 'no requests yet');
    const series = [];
    const latency = [];
    for (const op of d.requests.ops) {
      const colour = opColour(op, d.requests.ops);
      series.push({ colour, points: samples.map(s => [s.atMillis, s.ops[op] ? s.ops[op].rate : 0]) });
      for (const [key, dash] of [['p99', null], ['p50', '5 3'], ['p999', '1 3']]) {
        latency.push({ colour, dash, points: samples.map(s => [s.atMillis, s.ops[op] ? s.ops[op][key] : null]) });
      }
    }
    const now = d.generatedAtMillis;
    const from = now - Math.max(60, Math.min(600, samples.length * d.requests.intervalSeconds)) * 1000;
    chart(document.getElementById('rate-chart'), series, from, now);
    chart(document.getElementById('latency-chart'), latency, from, now);
  }

  // A line chart of [time, value] series over [from, to]; null values leave gaps.
  function chart(root, series, from, to) {
    root.replaceChildren();
    const W = 480, H = 150, left = 44, right = 8, top = 8, bottom = 20;
    let max = 0;
    for (const s of series) for (const [t, v] of s.points) if (v !== null && t >= from && v > max) max = v;
    const step = niceStep(max / 4);
    const ticks = Math.max(1, Math.ceil(max / step));
    max = step * ticks;
    const x = t => left + ((t - from) / (to - from)) * (W - left - right);
    const y = v => top + (1 - v / max) * (H - top - bottom);
    for (let i = 0; i <= ticks; i++) {
      const v = step * i;
      root.appendChild(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: '#eaeef2' }));
      const t = svg('text', { x: left - 6, y: y(v) + 3, 'text-anchor': 'end' });
      t.textContent = fmt(v, step < 1 ? 2 : 0);
      root.appendChild(t);
    }
    for (const minutes of [0, 2, 4, 6, 8, 10]) {
      const t = to - minutes * 60000;
      if (t < from) continue;
      const label = svg('text', { x: x(t), y: H - 5, 'text-anchor': minutes === 0 ? 'end' : 'middle' });
      label.textContent = minutes === 0 ? 'now' : '-' + minutes + ' min';
      root.appendChild(label);
    }
    for (const s of series) {
      let d = '';
      let pen = false;
      for (const [t, v] of s.points) {
        if (v === null || t < from) { pen = false; continue; }
        d += (pen ? ' L ' : ' M ') + x(t).toFixed(1) + ' ' + y(v).toFixed(1);
        pen = true;
      }
      if (!d) continue;
      const line = svg('path', { d: d.trim(), fill: 'none', stroke: s.colour, 'stroke-width': 1.8, 'stroke-linejoin': 'round' });
      if (s.dash) line.setAttribute('stroke-dasharray', s.dash);
      root.appendChild(line);
    }
  }

  // The smallest of 1, 2 or 5 times a power of ten that is at least v: round axis ticks.
  function niceStep(v) {
    if (!(v > 0)) return 0.25;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function renderHints(d) {
    const rows = d.hints.map(h => {
      const tr = el('tr', { 'data-target': h.target, 'data-count': h.count });
      tr.appendChild(el('td', { class: 'node-id' }, h.target));
      tr.appendChild(el('td', { class: 'num' }, h.count));
      tr.appendChild(el('td', { class: 'num' }, duration(h.oldestAgeSeconds)));
      return tr;
    });
    fillRows(document.getElementById('hints'), rows, 3, 'no hints held');
  }

  function renderTransfers(d) {
    const rows = d.transfers.map(t => {
      const tr = el('tr', { 'data-partition': t.partition, 'data-state': t.state });
      tr.appendChild(el('td', { class: 'num' }, t.partition));
      tr.appendChild(el('td', { class: 'node-id' }, t.from));
      const state = el('td');
      state.appendChild(el('span', { class: 'badge ' + (t.state === 'failed' ? 'down' : t.state === 'done' ? 'up' : 'warn') }, t.state));
      if (t.error) state.appendChild(el('span', { class: 'muted small' }, ' ' + t.error));
      tr.appendChild(state);
      const progress = el('td');
      const bar = el('span', { class: 'progress' });
      const fill = el('span');
      const share = t.state === 'done' ? 1 : t.bytesTotal > 0 ? Math.min(1, t.bytesDone / t.bytesTotal) : 0;
      fill.style.width = (share * 100).toFixed(0) + '%';
      bar.appendChild(fill);
      progress.appendChild(bar);
      progress.appendChild(el('span', { class: 'muted small' },
        ' ' + bytes(t.bytesDone) + (t.bytesTotal ? ' of ' + bytes(t.bytesTotal) : '') + ', ' + fmt(t.keysDone, 0) + ' keys'));
      tr.appendChild(progress);
      tr.appendChild(el('td', { class: 'num' }, bytes(t.bytesPerSecond) + '/s'));
      return tr;
    });
    fillRows(document.getElementById('transfers'), rows, 5, 'no transfers');
  }

  function renderAntiEntropy(d) {
    const dl = document.getElementById('anti-entropy');
    dl.replaceChildren();
    const a = d.antiEntropy;
    if (!a) {
      dl.appendChild(el('div', {}, 'anti-entropy is not running on this node'));
      return;
    }
    const items = [
      ['partitions owned', a.ownedPartitions],
      ['hash trees ready', a.treesReady + ' / ' + a.ownedPartitions],
      ['exchanged with all owners', a.partitionsExchanged + ' / ' + a.ownedPartitions],
      ['oldest full exchange', a.oldestFullExchangeSeconds === null ? 'never' : duration(a.oldestFullExchangeSeconds) + ' ago'],
      ['found differing', a.partitionsFoundDiffering],
      ['queued or running', a.partitionsPending],
      ['exchanges', fmt(a.exchanges, 0)],
      ['keys compared', fmt(a.keysCompared, 0)],
      ['keys repaired', fmt(a.keysRepaired, 0)],
      ['bytes sent', bytes(a.bytesSent + a.answerBytesSent)],
      ['tombstones purged', fmt(a.tombstonesPurged, 0)],
      ['held, not owned', a.partitionsHeldNotOwned + ' partitions'],
    ];
    for (const [label, value] of items) {
      const div = el('div');
      div.appendChild(el('dt', {}, label));
      div.appendChild(el('dd', {}, value));
      dl.appendChild(div);
    }
  }

  function render(d) {
    document.getElementById('node-id').textContent = d.node;
    document.title = 'Dynamo: ' + d.node;
    const palette = colours(d.members);
    renderFacts(d);
    renderMembers(d, palette);
    renderRing(d, palette);
    renderOps(d);
    renderHints(d);
    renderTransfers(d);
    renderAntiEntropy(d);
    document.body.setAttribute('data-loaded', 'true');
  }

  function connection(ok, text) {
    const c = document.getElementById('connection');
    c.setAttribute('data-connection', ok ? 'ok' : 'stale');
    c.textContent = text;
  }

  async function poll() {
    try {
      const response = await fetch('/api/dashboard', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      render(await response.json());
      lastOk = Date.now();
      connection(true, 'live, updated ' + new Date(lastOk).toLocaleTimeString());
    } catch (e) {
      connection(false, 'no answer' + (lastOk ? ' since ' + new Date(lastOk).toLocaleTimeString() : '') + ': ' + e.message);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
