// dockline console: plain browser JavaScript against the gateway's HTTP API (no build step).
// Cluster, ring and containers are polled every 2 s; the live tail is a Server-Sent Events stream.
'use strict';

const REFRESH_MS = 2000;
const MAX_TAIL_LINES = 2000;
const $ = (sel) => document.querySelector(sel);
let token = sessionStorage.getItem('dockline-token') || new URLSearchParams(location.hash.slice(1)).get('token') || '';
let containers = [];
let tail = null; // {name, source, paused, lines: []}
let stickToBottom = true; // false while the reader has scrolled up to look at older lines

function withToken(url) {
  if (!token) return url;
  return url + (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token);
}

async function api(path) {
  const headers = token ? {Authorization: 'Bearer ' + token} : {};
  const r = await fetch(path, {headers});
  if (r.status === 401) {
    $('#token-form').hidden = false;
    throw new Error('a bearer token is required');
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function fmt(n) {
  return n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e4 ? (n / 1e3).toFixed(1) + 'k' : (Math.round(n * 10) / 10).toString();
}

function renderMembers(cluster) {
  $('#gateway').textContent = 'gateway ' + cluster.gateway;
  const rows = cluster.members.map((m) => el('tr', {'data-node': m.node},
    el('td', {}, m.node),
    el('td', {class: m.ready ? 'ok' : 'ko'}, m.ready ? 'ready' : 'not ready'),
    el('td', {}, ...Object.entries(m.roles || {}).map(([role, s]) =>
      el('span', {class: 'role ' + (s.ready ? 'ok' : 'ko'), title: s.detail}, role))),
    el('td', {class: 'muted'}, m.address || '')));
  $('#members tbody').replaceChildren(...rows);
}

/** A collector's disk use from /api/ring, and why it takes no writes when it is short of disk. */
function disk(c) {
  const d = c.disk || {};
  if (d.storedBytes == null) return '';
  return ', disk ' + fmt(d.storedBytes) + 'B stored (' + fmt(d.rawBytes || 0) + 'B raw), ' + fmt(d.freeBytes || 0)
    + 'B free' + (d.shortOfDisk ? ', read-only: ' + d.shortOfDisk : '');
}

function renderRing(ring) {
  const total = ring.collectors.reduce((s, c) => s + (c.bytesPerSecond || 0), 0);
  // a stream is short of replicas while a replica lacks lines or the set has fewer than the factor
  const short = ring.collectors.flatMap((c) => c.streamLoads || []).filter((s) => s.fullyReplicated === false);
  $('#ring-meta').textContent = 'ε ' + ring.epsilon + ', ' + ring.collectors.length + ' collector(s), replication '
    + (ring.replicationFactor || 1) + (short.length ? ', ' + short.length + ' stream(s) under-replicated'
    : ', every stream fully replicated');
  $('#ring-meta').className = short.length ? 'ko' : 'muted';
  $('#ring-meta').title = short.map((s) => s.container.substring(0, 12) + ' on ' + (s.replicas || []).join(', '))
    .join('\n');
  const held = {};
  for (const c of containers) (held[c.collector] = held[c.collector] || []).push(c.name);
  const rows = ring.collectors.map((c) => {
    const share = total > 0 ? (c.bytesPerSecond || 0) / total : 0;
    return el('div', {class: 'collector', 'data-node': c.node, title: (held[c.node] || []).join(', ')},
      el('span', {class: c.ready ? 'ok' : 'ko'}, c.node),
      el('div', {class: 'bar'}, el('div', {style: ''})),
      el('span', {class: 'muted'}, c.streams + ' streams, ' + fmt(c.linesPerSecond || 0) + ' lines/s, '
        + fmt(c.bytesPerSecond || 0) + ' B/s' + disk(c)));
  });
  $('#ring').replaceChildren(...rows);
  ring.collectors.forEach((c, i) => {
    const share = total > 0 ? (c.bytesPerSecond || 0) / total : 0;
    rows[i].querySelector('.bar > div').style.width = Math.round(share * 100) + '%';
  });
}

function renderContainers() {
  const f = $('#container-filter').value.trim().toLowerCase();
  const shown = containers.filter((c) => !f || c.name.toLowerCase().includes(f) || c.host.toLowerCase().includes(f)
    || Object.entries(c.labels || {}).some(([k, v]) => (k + '=' + v).toLowerCase().includes(f)));
  const rows = shown.map((c) => {
    const tr = el('tr', {'data-id': c.id, 'data-name': c.name, class: tail && tail.name === c.name ? 'selected' : ''},
      el('td', {}, c.name), el('td', {}, c.host), el('td', {}, c.collector || '-'), el('td', {class: 'muted'}, c.image),
      el('td', {class: 'num'}, fmt(c.lastSeq)), el('td', {class: 'num'}, fmt(c.linesPerSecond || 0)),
      el('td', {class: 'num'}, fmt(c.bytesPerSecond || 0)));
    tr.addEventListener('click', () => openTail(c.name));
    return tr;
  });
  $('#containers tbody').replaceChildren(...rows);
}

// the followed container's loss ledger: how many lines were lost, and why
function renderLosses(c) {
  const box = $('#tail-losses');
  const lost = c.lost || {};
  if (lost.error) {
    box.className = 'muted';
    box.textContent = 'lines lost: unknown (' + lost.error + ')';
    return;
  }
  const reasons = lost.reasons || [];
  box.className = reasons.length ? 'ko' : 'muted';
  box.title = reasons.map((r) => r.reason + ': ' + r.why).join('\n');
  box.textContent = !reasons.length ? 'no lines lost' : 'lines lost: ' + lost.lines + (lost.uncounted
    ? ' counted, and uncounted ' + lost.uncounted + ' time(s)' : '') + ' — ' + reasons.map((r) => r.reason + ' '
    + (r.lines !== undefined ? r.lines + ' lines' : r.times + ' time(s), not countable') + ' (last ' + r.lastAt + ')')
    .join('; ');
}

async function refreshLosses() {
  if (!tail) return;
  const name = tail.name;
  try {
    const c = await api('/api/containers/' + encodeURIComponent(name));
    if (tail && tail.name === name) renderLosses(c);
  } catch (e) {
    if (tail && tail.name === name) renderLosses({lost: {error: e.message}});
  }
}

async function refresh() {
  try {
    renderMembers(await api('/api/cluster'));
    $('#conn').textContent = 'live';
    $('#conn').className = 'badge ok';
  } catch (e) {
    $('#conn').textContent = e.message;
    $('#conn').className = 'badge ko';
  }
  try {
    containers = (await api('/api/containers')).sort((a, b) => a.name.localeCompare(b.name));
    renderContainers();
  } catch (e) {
    containers = [];
    $('#containers tbody').replaceChildren(el('tr', {}, el('td', {class: 'muted', colSpan: 7}, e.message)));
  }
  await refreshLosses();
  try {
    renderRing(await api('/api/ring'));
  } catch (e) {
    $('#ring-meta').textContent = '';
    $('#ring').replaceChildren(el('p', {class: 'muted'}, e.message));
  }
}

// --- live tail ---

function openTail(name) {
  closeTail();
  tail = {name, paused: false, lines: []};
  history.replaceState(null, '', '#tail=' + encodeURIComponent(name));
  $('#tail-view').hidden = false;
  $('#tail-title').textContent = name;
  $('#tail-lines').replaceChildren();
  $('#tail-losses').textContent = '';
  refreshLosses();
  stickToBottom = true;
  const url = withToken('/api/containers/' + encodeURIComponent(name) + '/logs?follow=true&tail=200');
  const source = new EventSource(url);
  tail.source = source;
  source.onopen = () => setTailState('following', 'ok');
  source.onerror = () => setTailState('reconnecting…', 'ko'); // EventSource resumes with Last-Event-ID
  source.addEventListener('line', (ev) => addLine(JSON.parse(ev.data)));
  source.addEventListener('gap', (ev) => {
    const g = JSON.parse(ev.data);
    addLine({gap: true, line: 'lines ' + g.from + ' to ' + g.to + ' are missing'});
  });
  renderContainers();
}

function setTailState(text, cls) {
  $('#tail-state').textContent = text;
  $('#tail-state').className = 'badge ' + cls;
}

function closeTail() {
  if (tail && tail.source) tail.source.close();
  tail = null;
  $('#tail-view').hidden = true;
  history.replaceState(null, '', location.pathname);
}

/** The text of a line with the tail filter's matches marked. */
function marked(node, line) {
  const f = $('#tail-filter').value;
  if (f && line.includes(f)) {
    const parts = line.split(f);
    parts.forEach((p, i) => { node.append(p); if (i < parts.length - 1) node.append(el('mark', {}, f)); });
  } else {
    node.textContent = line;
  }
  return node;
}

function lineNode(l) {
  if (l.gap) return el('div', {class: 'gap'}, '… ' + l.line);
  let text;
  if (l.lines > 1) {
    // a record (a stack trace): folded under its first line
    const nl = l.line.indexOf('\n');
    text = el('details', {class: 'text'}, marked(el('summary', {}), l.line.slice(0, nl) + '  (+' + (l.lines - 1) + ' lines)'),
      marked(el('pre', {}), l.line.slice(nl + 1)));
  } else {
    text = marked(el('span', {class: 'text'}), l.line);
  }
  const level = l.level && l.level !== 'none' ? ' level-' + l.level : '';
  return el('div', {class: 'line ' + l.stream + level, 'data-seq': l.seq}, el('span', {class: 'time'}, l.time.slice(11, 23)), text);
}

function visible(l) {
  const f = $('#tail-filter').value;
  if (l.gap) return !f;
  if (l.stream === 'stderr' && !$('#tail-stderr').checked) return false;
  return !f || l.line.includes(f);
}

function addLine(l) {
  if (!tail) return;
  tail.lines.push(l);
  if (tail.lines.length > MAX_TAIL_LINES) tail.lines.shift();
  if (tail.paused || !visible(l)) return;
  const box = $('#tail-lines');
  box.append(lineNode(l));
  while (box.childElementCount > MAX_TAIL_LINES) box.firstElementChild.remove();
  if (stickToBottom) box.scrollTop = box.scrollHeight;
}

function rerenderTail() {
  if (!tail) return;
  const box = $('#tail-lines');
  box.replaceChildren(...tail.lines.filter(visible).map(lineNode));
  box.scrollTop = box.scrollHeight;
}

$('#tail-lines').addEventListener('scroll', () => {
  const box = $('#tail-lines');
  stickToBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
});
$('#tail-filter').addEventListener('input', rerenderTail);
$('#tail-stderr').addEventListener('change', rerenderTail);
$('#tail-clear').addEventListener('click', () => { if (tail) { tail.lines = []; rerenderTail(); } });
$('#tail-close').addEventListener('click', () => { closeTail(); renderContainers(); });
$('#tail-pause').addEventListener('click', () => {
  if (!tail) return;
  tail.paused = !tail.paused;
  $('#tail-pause').textContent = tail.paused ? 'resume' : 'pause';
  if (!tail.paused) rerenderTail();
});
$('#container-filter').addEventListener('input', renderContainers);
$('#token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = $('#token').value;
  sessionStorage.setItem('dockline-token', token);
  $('#token-form').hidden = true;
  refresh();
  if (tail) openTail(tail.name);
});

const wanted = new URLSearchParams(location.hash.slice(1)).get('tail');
if (token) sessionStorage.setItem('dockline-token', token);
if (wanted) openTail(wanted);
refresh();
setInterval(refresh, REFRESH_MS);
