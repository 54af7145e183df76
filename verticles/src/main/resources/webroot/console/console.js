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

/** A GET with the token; an error with the gateway's reason unless it answers 2xx. */
async function request(path) {
  const headers = token ? {Authorization: 'Bearer ' + token} : {};
  const r = await fetch(path, {headers});
  if (r.status === 401) {
    $('#token-form').hidden = false;
    throw new Error('a bearer token is required');
  }
  if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || ('HTTP ' + r.status));
  return r;
}

async function api(path) {
  return (await request(path)).json().catch(() => ({}));
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
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
      el('span', {class: 'role ' + (s.ready ? 'ok' : 'ko'), title: s.detail}, role)), ...kafka(m.kafka)),
    el('td', {class: 'muted'}, m.address || '')));
  $('#members tbody').replaceChildren(...rows);
}

/** A collector's hand-off to Kafka: connected or not, and the lines Kafka does not hold yet. */
function kafka(k) {
  if (!k) return [];
  return [el('span', {class: 'role ' + (k.connected ? 'ok' : 'ko'), title: k.lastError || k.topic},
    'kafka lag ' + fmt(k.lagLines || 0))];
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

/** `line` as the text of `node`, each `term` in it marked (any case with `ignoreCase`). */
function marked(node, line, term, ignoreCase) {
  const hay = ignoreCase ? line.toLowerCase() : line;
  const needle = ignoreCase ? term.toLowerCase() : term;
  // lower-casing may change a string's length (a few Unicode letters): then nothing is marked
  if (!term || hay.length !== line.length || !hay.includes(needle)) {
    node.textContent = line;
    return node;
  }
  let at = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, at)) {
    node.append(line.slice(at, i), el('mark', {}, line.slice(i, i + needle.length)));
    at = i + needle.length;
  }
  node.append(line.slice(at));
  return node;
}

/** A line's text; a record (a stack trace) folded under its first line. */
function textNode(l, term, ignoreCase) {
  if (l.lines > 1) {
    const nl = l.line.indexOf('\n');
    return el('details', {class: 'text'},
      marked(el('summary', {}), l.line.slice(0, nl) + '  (+' + (l.lines - 1) + ' lines)', term, ignoreCase),
      marked(el('pre', {}), l.line.slice(nl + 1), term, ignoreCase));
  }
  return marked(el('span', {class: 'text'}), l.line, term, ignoreCase);
}

function lineClass(l) {
  return 'line ' + l.stream + (l.level && l.level !== 'none' ? ' level-' + l.level : '');
}

function lineNode(l) {
  if (l.gap) return el('div', {class: 'gap'}, '… ' + l.line);
  return el('div', {class: lineClass(l), 'data-seq': l.seq}, el('span', {class: 'time'}, l.time.slice(11, 23)),
    textNode(l, $('#tail-filter').value, false));
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

// --- search across containers: GET /api/logs pages, a histogram from GET /api/stats, live mode over SSE ---

const MAX_SEARCH_ROWS = 3000; // rows kept; past it, those farthest from where lines arrive go
const HISTOGRAM_BARS = 120; // at most; the step is the smallest nice one that keeps the range within it
const SECOND = 1000;
const DAY = 86400 * SECOND;
const STEPS_MS = [100, 200, 500, 1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600,
  7200, 10800, 21600, 43200, 86400].map((n, i) => (i < 3 ? n : n * SECOND)); // each at most 2.5 times the one before
const SELECTORS = ['service', 'project', 'host', 'image', 'name'];
const REPEATABLE = ['label', 'container']; // several, separated by spaces
const PALETTE = ['#61afef', '#98c379', '#e5c07b', '#c678dd', '#56b6c2', '#d19a66', '#e06c75', '#abb2bf'];
let search = null; // the shown search, as searchFromForm makes it, with its paging state
let live = null; // the live mode's EventSource
let liveWanted = false;

/** A time as `since` / `until` take it (an age such as 15m, Unix seconds, RFC 3339) in epoch ms. */
function timeMs(v, now) {
  const age = /^(\d+)(ms|s|m|h|d|w)$/i.exec(v);
  if (age) return now - Number(age[1]) * {ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5}[age[2].toLowerCase()];
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v.replace(/(\.\d{3})\d+/, '$1')); // the API's nanoseconds, to the millisecond
  if (Number.isNaN(t)) throw new Error("'" + v + "' is not a time: an age such as 15m, Unix seconds or RFC 3339");
  return t;
}

/** A step as `step` takes it: a whole number and one unit. */
function stepText(ms) {
  for (const [unit, n] of [['d', DAY], ['h', 3600 * SECOND], ['m', 60 * SECOND], ['s', SECOND]]) {
    if (ms % n === 0) return ms / n + unit;
  }
  return ms + 'ms';
}

/** The smallest step that keeps the range within HISTOGRAM_BARS bars (whole days past a day). */
function stepFor(rangeMs) {
  for (const ms of STEPS_MS) if (rangeMs <= ms * HISTOGRAM_BARS) return ms;
  return Math.ceil(rangeMs / HISTOGRAM_BARS / DAY) * DAY;
}

/** The search the form describes; an error naming what is wrong in it. */
function searchFromForm() {
  const f = $('#search-form').elements;
  const filters = new URLSearchParams();
  for (const k of SELECTORS) if (f[k].value.trim()) filters.set(k, f[k].value.trim());
  for (const k of REPEATABLE) for (const v of f[k].value.trim().split(/\s+/)) if (v) filters.append(k, v);
  const text = f.text.value;
  if (text && f.regex.checked) filters.set('regex', (f.ignoreCase.checked ? '(?i)' : '') + text);
  if (text && !f.regex.checked) filters.set('text', text);
  if (text && !f.regex.checked && f.ignoreCase.checked) filters.set('ignoreCase', 'true');
  if (f.level.value) filters.set('level', f.level.value);
  if (f.stream.value) filters.set('stream', f.stream.value);
  // an age is fixed to a time once, so that later pages and the histogram see the same range
  const now = Date.now();
  const since = f.since.value.trim();
  const until = f.until.value.trim();
  if (!since) throw new Error('since: give the start of the range (e.g. 1h)');
  const range = new URLSearchParams();
  const sinceMs = timeMs(since, now);
  range.set('since', /^\d+[a-z]+$/i.test(since) ? new Date(sinceMs).toISOString() : since);
  const untilMs = until ? timeMs(until, now) : now;
  if (until) range.set('until', /^\d+[a-z]+$/i.test(until) ? new Date(untilMs).toISOString() : until);
  if (untilMs < sinceMs) throw new Error('since is after until');
  return {filters, range, sinceMs, untilMs, stepMs: stepFor(untilMs - sinceMs), descending: f.order.value !== 'asc',
    limit: Number(f.limit.value), mark: f.regex.checked ? '' : text, ignoreCase: f.ignoreCase.checked, cursor: null,
    keys: new Set(), stats: null, dropped: false};
}

function showSearchError(message) {
  $('#search-error').hidden = !message;
  $('#search-error').textContent = message || '';
}

async function runSearch() {
  stopLive();
  let s;
  try {
    s = searchFromForm();
  } catch (e) {
    showSearchError(e.message);
    return;
  }
  showSearchError('');
  search = s;
  $('#search-lines').replaceChildren();
  $('#histogram-svg').replaceChildren();
  delete $('#histogram-svg').dataset.lines;
  $('#search-more').hidden = true;
  $('#search-state').textContent = 'searching…';
  await Promise.all([loadHistogram(s), nextPage(s).then(() => { if (liveWanted && search === s) startLive(); })]);
}

async function nextPage(s) {
  const p = new URLSearchParams([...s.filters, ...s.range]);
  p.set('order', s.descending ? 'desc' : 'asc');
  p.set('limit', s.limit);
  if (s.cursor) p.set('cursor', s.cursor);
  $('#search-more').disabled = true;
  try {
    const r = await request('/api/logs?' + p);
    const body = await r.text();
    if (search !== s) return;
    s.cursor = r.headers.get('X-Dockline-Cursor');
    s.containers = r.headers.get('X-Dockline-Containers');
    addPage(body.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  } catch (e) {
    if (search === s) showSearchError(e.message);
  } finally {
    if (search === s) {
      $('#search-more').disabled = false;
      $('#search-more').hidden = !s.cursor;
      renderSearchState();
    }
  }
}

function renderSearchState() {
  const s = search;
  const rows = $('#search-lines').childElementCount;
  $('#search-state').textContent = rows + ' line(s) shown of ' + (s.containers || 0) + ' container(s)'
    + (s.cursor ? ', more' : ', no more') + (s.dropped ? ' (the view keeps ' + MAX_SEARCH_ROWS + ')' : '');
}

function searchRow(l, isLive) {
  const when = l.time.slice(5, 10) + ' ' + l.time.slice(11, 23);
  const level = l.level && l.level !== 'none' ? l.level : '';
  const tag = [l.stream === 'stderr' ? 'stderr' : '', level].filter(Boolean).join(' ');
  return el('div', {class: lineClass(l) + (isLive ? ' live' : '') + (l.late ? ' late' : ''),
    'data-key': l.containerId + '/' + l.seq, 'data-container': l.containerName, 'data-time': l.time,
    title: l.time + ' ' + l.stream + ' ' + (l.host || '') + (l.late ? ' (came late)' : '')},
  el('span', {class: 'time'}, when), el('span', {class: 'container'}, l.containerName),
  el('span', {class: 'tag'}, tag), textNode(l, search.mark, search.ignoreCase));
}

/**
 * A row in its place by time, walked to from the bottom or the top: a line may come after newer ones (a page
 * holding lines written after live mode began, lines of two hosts that reach the gateway out of order).
 */
function placeRow(box, row, fromTop) {
  const t = row.dataset.time;
  const below = (other) => (search.descending ? other.dataset.time < t : other.dataset.time > t);
  if (fromTop) {
    let next = box.firstElementChild;
    while (next && !below(next)) next = next.nextElementSibling;
    box.insertBefore(row, next);
  } else {
    let prev = box.lastElementChild;
    while (prev && below(prev)) prev = prev.previousElementSibling;
    if (prev) prev.after(row); else box.prepend(row);
  }
}

/** Marks a line as shown; false when it already is. */
function firstSight(l) {
  const key = l.containerId + '/' + l.seq;
  if (search.keys.has(key)) return false;
  search.keys.add(key);
  return true;
}

/** Rows of a page after the shown ones, each line once; past MAX_SEARCH_ROWS the first rows go. */
function addPage(lines) {
  const s = search;
  const box = $('#search-lines');
  for (const l of lines) if (firstSight(l)) placeRow(box, searchRow(l, false), false);
  trimRows(false);
}

/** A live line at the newest end (the top when newest first), once. */
function addLive(l) {
  const s = search;
  if (!firstSight(l)) return;
  const box = $('#search-lines');
  const stick = !s.descending && box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  placeRow(box, searchRow(l, true), s.descending);
  if (stick) box.scrollTop = box.scrollHeight;
  trimRows(s.descending);
}

/**
 * Past MAX_SEARCH_ROWS rows, those at the end away from where lines arrive go: the first rows when pages or
 * oldest-first live lines come, the last when newest-first live lines come. Those are where pages continue, so
 * the paging ends: "more" would leave a hole.
 */
function trimRows(fromBottom) {
  const s = search;
  const box = $('#search-lines');
  while (box.childElementCount > MAX_SEARCH_ROWS) {
    const gone = fromBottom ? box.lastElementChild : box.firstElementChild;
    s.keys.delete(gone.dataset.key);
    gone.remove();
    s.dropped = true;
    if (fromBottom) s.cursor = null;
  }
  $('#search-more').hidden = !s.cursor;
}

// --- live mode ---

function setLiveState(text, cls) {
  $('#live-state').hidden = !text;
  $('#live-state').textContent = text;
  $('#live-state').className = 'badge ' + cls;
}

/**
 * Follows the search's selectors and filters from where its lines end, so that none is missed or shown twice:
 * newest first, from the time of the newest line shown (lines of that time again: each shown once); oldest first,
 * right after the last page (its cursor: the follow gives the stored lines first, so it goes on for "more");
 * with no line shown, from the range's start. A follow has no `until`: it goes on past it.
 */
function startLive() {
  stopLive();
  const s = search;
  const box = $('#search-lines');
  const p = new URLSearchParams(s.filters);
  p.set('follow', 'true');
  const newest = s.descending ? box.querySelector('.line') : [...box.querySelectorAll('.line')].pop();
  if (!s.descending && s.cursor) p.set('cursor', s.cursor);
  else p.set('since', newest ? newest.dataset.time : s.range.get('since'));
  s.cursor = s.descending ? s.cursor : null;
  $('#search-more').hidden = !s.cursor;
  const source = new EventSource(withToken('/api/logs?' + p));
  live = source;
  setLiveState('connecting…', '');
  source.onopen = () => setLiveState('live', 'ok');
  source.addEventListener('error', (ev) => {
    if (ev.data) { // the gateway's event `error`: the stored lines cannot be read, and the stream ends
      stopLive();
      showSearchError('live mode: ' + JSON.parse(ev.data).error);
    } else { // the connection: EventSource reconnects with Last-Event-ID, unless the gateway refused the stream
      setLiveState(source.readyState === EventSource.CLOSED ? 'live mode failed' : 'reconnecting…', 'ko');
    }
  });
  source.addEventListener('line', (ev) => {
    if (search !== s) return;
    addLive(JSON.parse(ev.data));
    renderSearchState();
  });
  for (const kind of ['gap', 'trimmed']) {
    source.addEventListener(kind, (ev) => {
      if (search !== s) return;
      const g = JSON.parse(ev.data);
      const row = el('div', {class: 'gap'}, '… lines ' + g.from + ' to ' + g.to + ' of ' + g.containerId.slice(0, 12)
        + (kind === 'gap' ? ' are missing' : ' were deleted before live mode reached them'));
      if (s.descending) box.prepend(row); else box.append(row);
    });
  }
}

function stopLive() {
  if (live) live.close();
  live = null;
  setLiveState('', '');
}

function toggleLive() {
  liveWanted = !liveWanted;
  $('#search-live').textContent = liveWanted ? 'stop live' : 'live';
  $('#search-live').classList.toggle('on', liveWanted);
  if (liveWanted) runSearch(); // the form's search, then what comes
  else stopLive();
}

// --- histogram ---

async function loadHistogram(s) {
  const p = new URLSearchParams([...s.filters, ...s.range]);
  p.set('step', stepText(s.stepMs));
  p.set('by', 'service');
  $('#histogram-svg').dataset.query = p.toString();
  try {
    const stats = await api('/api/stats?' + p);
    if (search !== s) return;
    s.stats = stats;
    renderHistogram();
  } catch (e) {
    if (search === s) showSearchError(e.message);
  }
}

/** The histogram's x axis: from the start of the step holding `since` (steps start at multiples of it) to until. */
function histogramAxis(s) {
  const stepMs = s.stepMs;
  const from = Math.floor(s.sinceMs / stepMs) * stepMs;
  return {stepMs, from, span: Math.max(s.untilMs - from, stepMs)};
}

/** Bars of matching lines per step from the stats answer, stacked by service unless "bars by service" is off. */
function renderHistogram() {
  const s = search;
  const svg = $('#histogram-svg');
  if (!s || !s.stats) return svg.replaceChildren();
  const bySeries = $('#search-form').elements.bySeries.checked;
  const {stepMs, from, span} = histogramAxis(s);
  const bucketTimes = new Map(); // step start (ms) → the parts of its bar: [{key, lines, time, color}]
  let total = 0;
  const groups = s.stats.groups.map((g, i) => ({key: bySeries ? g.key : '',
    color: PALETTE[bySeries ? i % PALETTE.length : 0], lines: g.lines, buckets: g.buckets}));
  for (const g of groups) {
    for (const b of g.buckets) {
      const t = timeMs(b.time, 0);
      const parts = bucketTimes.get(t) || [];
      bucketTimes.set(t, parts);
      const same = parts.find((p) => p.key === g.key);
      if (same) same.lines += b.lines; else parts.push({key: g.key, lines: b.lines, time: b.time, color: g.color});
      total += b.lines;
    }
  }
  let max = 1;
  for (const parts of bucketTimes.values()) max = Math.max(max, parts.reduce((n, p) => n + p.lines, 0));
  const width = 1000 * stepMs / span;
  const bars = [];
  for (const [t, parts] of bucketTimes) {
    let y = 100;
    for (const p of parts) {
      const h = Math.max(p.lines / max * 100, 1);
      y -= h;
      bars.push(svgEl('rect', {class: 'bar', x: (t - from) / span * 1000, y, width: Math.max(width * 0.85, 0.5),
        height: h, fill: p.color, 'data-time': p.time, 'data-key': p.key, 'data-lines': p.lines},
      svgEl('title', {}, (bySeries ? p.key || '(none)' : 'all') + ': ' + p.lines + ' line(s) from ' + p.time)));
    }
  }
  svg.replaceChildren(...bars);
  svg.dataset.step = s.stats.step;
  svg.dataset.lines = total;
  $('#histogram-from').textContent = new Date(from).toISOString();
  $('#histogram-to').textContent = new Date(s.untilMs).toISOString();
  $('#histogram-meta').textContent = total + ' matching line(s), ' + stepText(s.stepMs) + ' per bar';
  $('#histogram-legend').replaceChildren(...(bySeries ? groups : []).map((g) => el('span', {class: 'legend'},
    el('span', {class: 'swatch', style: 'background:' + g.color}), (g.key || '(none)') + ' ' + g.lines)));
}

/** A click on a bar narrows the range to its step; a drag, to what it covered. */
function brushHistogram() {
  const svg = $('#histogram-svg');
  let start = null;
  let shade = null;
  const at = (ev) => {
    const box = svg.getBoundingClientRect();
    return Math.min(Math.max((ev.clientX - box.left) / box.width, 0), 1);
  };
  svg.addEventListener('pointerdown', (ev) => {
    if (!search || !search.stats) return;
    start = at(ev);
    svg.setPointerCapture(ev.pointerId);
    shade = svgEl('rect', {class: 'brush', x: start * 1000, y: 0, width: 0, height: 100});
    svg.append(shade);
  });
  svg.addEventListener('pointermove', (ev) => {
    if (start === null) return;
    const x = at(ev);
    shade.setAttribute('x', Math.min(start, x) * 1000);
    shade.setAttribute('width', Math.abs(x - start) * 1000);
  });
  svg.addEventListener('pointerup', (ev) => {
    if (start === null) return;
    const {stepMs, from, span} = histogramAxis(search);
    const x = at(ev);
    let since;
    let until;
    if (Math.abs(x - start) * svg.getBoundingClientRect().width < 4) {
      since = Math.floor((from + x * span) / stepMs) * stepMs; // the bar's own step, as the stats counted it
      until = since + stepMs;
    } else {
      since = Math.round(from + Math.min(start, x) * span);
      until = Math.round(from + Math.max(start, x) * span);
    }
    start = null;
    shade.remove();
    const f = $('#search-form').elements;
    f.since.value = new Date(since).toISOString();
    // until counts its own instant: the last nanosecond before the next step
    f.until.value = new Date(until - 1).toISOString().replace('Z', '999999Z');
    runSearch();
  });
}

$('#search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  runSearch();
});
$('#search-more').addEventListener('click', () => { if (search && search.cursor) nextPage(search); });
$('#search-live').addEventListener('click', toggleLive);
$('#search-form').elements.bySeries.addEventListener('change', renderHistogram);
for (const b of document.querySelectorAll('#quick-ranges button')) {
  b.addEventListener('click', () => {
    $('#search-form').elements.since.value = b.dataset.range;
    $('#search-form').elements.until.value = '';
    runSearch();
  });
}
brushHistogram();

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
  if (search) runSearch();
});

const wanted = new URLSearchParams(location.hash.slice(1)).get('tail');
if (token) sessionStorage.setItem('dockline-token', token);
if (wanted) openTail(wanted);
refresh();
setInterval(refresh, REFRESH_MS);
