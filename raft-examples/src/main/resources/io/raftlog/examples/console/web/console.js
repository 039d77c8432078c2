// The Raft console's page: draws the state the server pushes, sends what the user does.
'use strict';

const KINDS = ['action', 'client', 'message', 'heartbeat', 'dropped', 'role', 'term', 'commit', 'node', 'disk', 'log', 'violation'];
const HIDDEN_KINDS = new Set(['heartbeat', 'commit']);
const SPEED_MIN = 0.001, SPEED_MAX = 2;
const NS = 1e6; // nanoseconds per millisecond

let state = null;          // the newest state from the server
let stateAt = 0;           // performance.now() when it arrived
let cardsFor = '';         // the node ids the cards were built for
let timelineShown = -1;    // the timeline sequence last fetched
let timelineBusy = false;
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ talking to the server

async function post(path, params = {}) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    (Array.isArray(value) ? value : [value]).forEach((v) => body.append(name, v));
  }
  const response = await fetch('/api/' + path, { method: 'POST', body });
  const answer = await response.json();
  if (!response.ok) {
    notice(answer.error || response.statusText, true);
    throw new Error(answer.error);
  }
  return answer.ok;
}

async function act(verb, ...args) {
  try {
    notice(await post('action', { verb, arg: args }), false);
  } catch (e) { /* shown */ }
}

let noticeTimer = 0;
function notice(text, error) {
  const box = $('notice');
  box.textContent = text;
  box.hidden = false;
  box.classList.toggle('error', !!error);
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, error ? 9000 : 4000);
}

function listen() {
  const events = new EventSource('/api/events');
  events.onmessage = (event) => {
    state = JSON.parse(event.data);
    stateAt = performance.now();
    render();
  };
  events.onerror = () => notice('lost the console server; retrying…', true);
}

// ------------------------------------------------------------------ drawing

function render() {
  const view = state.view;
  $('seed').textContent = view.seed;
  $('size').textContent = view.nodes.length;
  $('clock').textContent = (view.time / 1e9).toFixed(3) + ' s';
  $('step').textContent = view.step;
  $('committed').textContent = view.committedIndex;
  const verdict = $('verdict');
  if (view.verdict) {
    verdict.textContent = 'Invariant broken: ' + view.verdict;
    verdict.title = state.report;
    verdict.className = 'verdict broken';
  } else {
    verdict.textContent = 'All invariants hold';
    verdict.title = "The simulator's invariant checker runs after every event";
    verdict.className = 'verdict ok';
  }
  $('play').textContent = state.playing ? '❚❚ Pause' : '▶ Play';
  $('play').dataset.playing = state.playing;
  if (document.activeElement !== $('speed')) {
    $('speed').value = Math.round(100 * Math.log(state.speed / SPEED_MIN) / Math.log(SPEED_MAX / SPEED_MIN));
  }
  $('speed-label').textContent = formatSpeed(state.speed);
  const scrubber = $('scrubber');
  if (document.activeElement !== scrubber || !scrubbing) {
    scrubber.max = state.furthest;
    scrubber.value = view.step;
  }
  $('scrub-label').textContent = 'step ' + view.step + ' of ' + state.furthest
    + (view.pendingActions ? ' · ' + view.pendingActions + ' later action' + (view.pendingActions > 1 ? 's' : '') + ' kept' : '');
  renderCluster(view);
  renderCards(view);
  renderFilterNodes(view);
  if (state.timelineSequence !== timelineShown) {
    refreshTimeline();
  }
}

function formatSpeed(speed) {
  return (speed >= 0.1 ? speed.toFixed(2) : speed >= 0.01 ? speed.toFixed(3) : speed.toFixed(4)).replace(/0+$/, '').replace(/\.$/, '') + '×';
}

// The nodes sit on a circle; each ordered pair has its own line, offset to one side.
function positions(count) {
  const cx = 300, cy = 225, r = count <= 3 ? 150 : count <= 5 ? 170 : 180;
  const result = [];
  for (let i = 0; i < count; i++) {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / count;
    result.push({ x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) });
  }
  return result;
}

const NODE_R = 40;
const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attrs = {}, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

/** The two ends of the line carrying from → to: shifted sideways so both directions show. */
function lane(a, b) {
  const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy);
  const ux = dx / len, uy = dy / len, nx = -uy * 7, ny = ux * 7;
  return {
    x1: a.x + ux * (NODE_R + 6) + nx, y1: a.y + uy * (NODE_R + 6) + ny,
    x2: b.x - ux * (NODE_R + 8) + nx, y2: b.y - uy * (NODE_R + 8) + ny,
  };
}

let clusterFor = '';
function renderCluster(view) {
  const ids = view.nodes.map((n) => n.id);
  const pos = positions(ids.length);
  const where = Object.fromEntries(ids.map((id, i) => [id, pos[i]]));
  const key = ids.join(',');
  const cut = new Set(view.cutLinks.map(([a, b]) => a + '>' + b));
  if (clusterFor !== key) {
    clusterFor = key;
    const links = $('links'), nodes = $('nodes');
    links.replaceChildren();
    nodes.replaceChildren();
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        const l = lane(where[a], where[b]);
        const g = svg('g', { class: 'link-group', 'data-from': a, 'data-to': b }, links);
        svg('line', { ...l, class: 'link', 'marker-end': 'url(#arrow)' }, g);
        const hit = svg('line', { ...l, class: 'link-hit' }, g);
        const title = svg('title', {}, g);
        title.textContent = a + ' → ' + b;
        hit.addEventListener('click', () => act(g.classList.contains('is-cut') ? 'restore' : 'cut', a, b));
      }
    }
    for (const id of ids) {
      const p = where[id];
      const g = svg('g', { class: 'node', 'data-node': id }, nodes);
      svg('circle', { cx: p.x, cy: p.y, r: NODE_R + 7, class: 'timer-track' }, g);
      svg('path', { class: 'timer-arc' }, g);
      svg('circle', { cx: p.x, cy: p.y, r: NODE_R, class: 'node-circle' }, g);
      const label = svg('text', { x: p.x, y: p.y - 2, class: 'node-label' }, g);
      label.textContent = id;
      svg('text', { x: p.x, y: p.y + 15, class: 'node-label term-label' }, g);
      const below = p.y > 225 ? 1 : -1;
      svg('text', { x: p.x, y: p.y + below * (NODE_R + 24) + (below > 0 ? 0 : 6), class: 'node-sub role-text' }, g);
      svg('text', { x: p.x, y: p.y + below * (NODE_R + 39) + (below > 0 ? 0 : 6), class: 'node-sub muted log-text' }, g);
    }
  }
  for (const g of $('links').children) {
    const isCut = cut.has(g.dataset.from + '>' + g.dataset.to);
    g.classList.toggle('is-cut', isCut);
    const line = g.querySelector('.link');
    line.classList.toggle('cut', isCut);
    line.setAttribute('marker-end', isCut ? 'url(#arrow-cut)' : 'url(#arrow)');
    g.querySelector('title').textContent = g.dataset.from + ' → ' + g.dataset.to + (isCut ? ' (cut: click to restore)' : ' (click to cut)');
  }
  for (const node of view.nodes) {
    const g = $('nodes').querySelector('[data-node="' + node.id + '"]');
    const roleClass = roleOf(node);
    const circle = g.querySelector('.node-circle');
    circle.setAttribute('class', 'node-circle ' + (node.paused ? 'paused ' : ''));
    circle.style.fill = getComputedStyle(document.documentElement).getPropertyValue('--' + roleColour(roleClass));
    g.querySelector('.term-label').textContent = node.up ? 't' + node.term : '';
    g.querySelector('.role-text').textContent = roleClass + (node.paused ? ' · paused' : '') + (node.disk !== 'healthy' ? ' · disk ' + node.disk : '');
    g.querySelector('.log-text').textContent = node.up ? 'log ' + node.storedFrom + '..' + node.lastIndex + ' · commit ' + node.commitIndex : '';
    const arc = g.querySelector('.timer-arc');
    if (node.up && node.role !== 'leader' && node.electionTimeoutTicks > 0) {
      const left = node.electionTicksLeft / node.electionTimeoutTicks;
      arc.setAttribute('d', arcPath(where[node.id], NODE_R + 7, left));
    } else {
      arc.setAttribute('d', '');
    }
  }
  drawMessages(view, where);
}

function roleOf(node) {
  if (!node.up) return node.role === 'retired' ? 'retired' : 'down';
  if (node.role === 'follower' && node.member && !node.voter) return 'learner';
  return node.role;
}

function roleColour(role) {
  return { leader: 'leader', candidate: 'candidate', 'pre-candidate': 'pre-candidate', follower: 'follower', learner: 'learner' }[role] || 'down';
}

/** The share of an election timer left, as an arc around the node (full: just reset). */
function arcPath(p, r, share) {
  if (share <= 0) return '';
  const s = Math.min(share, 0.9999);
  const a0 = -Math.PI / 2, a1 = a0 + 2 * Math.PI * s;
  const x0 = p.x + r * Math.cos(a0), y0 = p.y + r * Math.sin(a0);
  const x1 = p.x + r * Math.cos(a1), y1 = p.y + r * Math.sin(a1);
  return `M ${x0} ${y0} A ${r} ${r} 0 ${s > 0.5 ? 1 : 0} 1 ${x1} ${y1}`;
}

let messageFrame = 0;
function drawMessages(view, where) {
  cancelAnimationFrame(messageFrame);
  const layer = $('messages');
  const frame = () => {
    layer.replaceChildren();
    // Between two states, virtual time runs on at the speed chosen (while playing).
    const elapsed = state.playing ? (performance.now() - stateAt) * NS * state.speed : 0;
    const now = view.time + Math.min(elapsed, 40 * NS * state.speed);
    for (const m of view.inFlight) {
      const a = where[m.from], b = where[m.to];
      if (!a || !b) continue;
      const l = lane(a, b);
      const span = Math.max(1, m.arrival - m.sentAt);
      const f = Math.max(0, Math.min(1, (now - m.sentAt) / span));
      const family = m.kind === 'heartbeat' ? 'heartbeat' : m.family;
      const dot = svg('circle', {
        cx: l.x1 + (l.x2 - l.x1) * f, cy: l.y1 + (l.y2 - l.y1) * f,
        r: family === 'heartbeat' ? 4 : 6, class: 'msg' + (m.reply ? ' reply' : ''),
      }, layer);
      const colour = getComputedStyle(document.documentElement).getPropertyValue('--' + family);
      dot.style.fill = colour;
      dot.style.stroke = colour;
      const title = svg('title', {}, dot);
      title.textContent = m.from + ' → ' + m.to + ': ' + m.text;
    }
    if (state.playing) messageFrame = requestAnimationFrame(frame);
  };
  frame();
}

function renderCards(view) {
  const ids = view.nodes.map((n) => n.id).join(',');
  const cards = $('cards');
  if (cardsFor !== ids) {
    cardsFor = ids;
    cards.replaceChildren(...view.nodes.map((node) => buildCard(node.id)));
  }
  const leader = view.nodes.find((n) => n.up && n.role === 'leader');
  for (const node of view.nodes) {
    const card = cards.querySelector('[data-node="' + node.id + '"]');
    const role = roleOf(node);
    card.className = 'card role-' + role + '-edge';
    card.querySelector('.role').textContent = role + (node.paused ? ' · paused' : '');
    card.querySelector('.term').textContent = 'term ' + node.term;
    const disk = card.querySelector('.disk');
    disk.textContent = 'disk ' + node.disk;
    disk.className = 'badge disk disk-' + node.disk;
    set(card, 'vote', node.votedFor || '–');
    set(card, 'leader', node.leader || '–');
    set(card, 'commit', node.commitIndex);
    set(card, 'log-start', node.up ? node.logStart : '–');
    set(card, 'stored', node.lastIndex >= node.storedFrom ? node.storedFrom + '..' + node.lastIndex : 'empty');
    set(card, 'snapshot', node.snapshotIndex || '–');
    set(card, 'health', node.health.toLowerCase().replace('_', ' '));
    set(card, 'membership', !node.member ? 'not a member' : node.voter ? 'voter' : 'learner');
    const timerShare = node.up && node.role !== 'leader' && node.electionTimeoutTicks > 0
      ? node.electionTicksLeft / node.electionTimeoutTicks : 0;
    card.querySelector('.timer-fill').style.width = (100 * timerShare).toFixed(0) + '%';
    card.querySelector('.timer-text').textContent = node.up && node.role !== 'leader'
      ? node.electionTicksLeft + ' of ' + node.electionTimeoutTicks + ' ticks left' : node.role === 'leader' ? 'leads: no timer' : '';
    const problem = card.querySelector('.problem');
    problem.textContent = node.problem;
    problem.hidden = !node.problem;
    button(card, 'stop').hidden = !node.up;
    button(card, 'restart').hidden = node.up || node.role === 'retired';
    button(card, 'pause').disabled = !node.up || node.paused;
    button(card, 'transfer').disabled = !leader || leader.id === node.id || !node.voter;
    button(card, 'promote').hidden = !(node.member && !node.voter);
    button(card, 'remove').disabled = !node.member || !leader;
    button(card, 'disk-cut').hidden = node.disk === 'failing';
    button(card, 'disk-restore').hidden = node.disk !== 'failing';
    button(card, 'disk-full').hidden = node.disk === 'full';
    button(card, 'disk-free').hidden = node.disk !== 'full';
    for (const name of ['append', 'read']) button(card, name).disabled = !node.up;
    renderLog(card.querySelector('.log'), node);
  }
}

function set(card, field, value) {
  card.querySelector('[data-field="' + field + '"]').textContent = value;
}

function button(card, action) {
  return card.querySelector('[data-action="' + action + '"]');
}

function buildCard(id) {
  const card = document.createElement('article');
  card.dataset.node = id;
  card.innerHTML = `
    <div class="card-head"><span class="id"></span><span class="role"></span><span class="badge disk"></span><span class="term"></span></div>
    <div class="facts">
      <span>vote <b data-field="vote"></b></span><span>leader <b data-field="leader"></b></span><span>commit <b data-field="commit"></b></span>
      <span>log start <b data-field="log-start"></b></span><span>stored <b data-field="stored"></b></span><span>snapshot <b data-field="snapshot"></b></span>
      <span>health <b data-field="health"></b></span><span><b data-field="membership"></b></span>
    </div>
    <div class="timer"><span>election</span><div class="timer-bar"><div class="timer-fill"></div></div><span class="timer-text"></span></div>
    <div class="problem" hidden></div>
    <div class="actions">
      <button class="small danger" data-action="stop" title="Kill the process: what is not on disk is lost">Stop</button>
      <button class="small" data-action="restart" title="Start it again on its disk">Restart</button>
      <button class="small" data-action="pause" title="Stop the world for 1.5 s: it handles nothing meanwhile">Pause 1.5 s</button>
      <button class="small" data-action="transfer" title="Ask the leader to hand leadership to this node">Make leader</button>
      <button class="small" data-action="promote" title="Ask the leader to make this learner a voter">Promote</button>
      <button class="small danger" data-action="remove" title="Ask the leader to remove this node from the cluster">Remove</button>
      <button class="small" data-action="persisted" title="What its disk holds: hard state, entries, snapshots">Disk contents</button>
    </div>
    <div class="actions">
      <input type="text" class="record-text" placeholder="record" aria-label="record text">
      <button class="small" data-action="append" title="A client sends the record to this node">Send</button>
      <input type="number" class="entry-index" min="1" placeholder="index" aria-label="entry index">
      <button class="small" data-action="read" title="A client reads from this offset on this node">Read</button>
      <button class="small danger" data-action="corrupt" title="Flip bytes in this stored entry">Corrupt</button>
      <button class="small danger" data-action="forge" title="Rewrite this stored entry with bytes that pass its checksum (a misdirected write): the invariant checker catches what no checksum can">Forge</button>
    </div>
    <div class="actions">
      <button class="small danger" data-action="disk-cut" title="Every write fails, as on an unreachable disk">Cut disk</button>
      <button class="small" data-action="disk-restore">Give disk back</button>
      <button class="small danger" data-action="disk-full" title="Every write fails: no space left">Fill disk</button>
      <button class="small" data-action="disk-free">Free space</button>
    </div>
    <div class="log" aria-label="log"></div>`;
  card.querySelector('.id').textContent = id;
  const text = card.querySelector('.record-text');
  const index = card.querySelector('.entry-index');
  const on = (name, fn) => button(card, name).addEventListener('click', fn);
  for (const simple of ['stop', 'restart', 'transfer', 'promote', 'remove', 'disk-cut', 'disk-restore', 'disk-full', 'disk-free']) {
    on(simple, () => act(simple, id));
  }
  on('pause', () => act('pause', id, '1500'));
  on('append', () => {
    const value = text.value.trim() || 'record-' + (Date.now() % 100000);
    act('append', id, value);
    text.value = '';
  });
  text.addEventListener('keydown', (e) => { if (e.key === 'Enter') button(card, 'append').click(); });
  on('read', () => act('read', id, index.value || '1'));
  on('corrupt', () => {
    if (!index.value) { notice('choose the index of the entry to corrupt (click an entry of the log)', true); return; }
    act('corrupt', id, index.value);
  });
  on('forge', () => {
    if (!index.value) { notice('choose the index of the entry to forge (click an entry of the log)', true); return; }
    act('forge', id, index.value);
  });
  on('persisted', () => showPersisted(id));
  card.querySelector('.log').addEventListener('click', (e) => {
    const entry = e.target.closest('.entry');
    if (entry) index.value = entry.dataset.index;
  });
  return card;
}

function termColour(term) {
  const hue = (term * 67 + 200) % 360;
  return `hsl(${hue} 70% 84%)`;
}

function renderLog(box, node) {
  // Redraw only when the log changed: an entry replaced under the pointer would swallow a click.
  const key = JSON.stringify([node.entries, node.snapshotIndex]);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  const parts = [];
  if (node.entries.length && node.entries[0].index > 1) {
    const note = document.createElement('span');
    note.className = 'log-note';
    note.textContent = '…' + (node.entries[0].index - 1) + ' before' + (node.snapshotIndex ? ' (snapshot ' + node.snapshotIndex + ')' : '');
    parts.push(note);
  }
  for (const e of node.entries) {
    const el = document.createElement('div');
    el.className = 'entry' + (e.committed ? ' committed' : '') + (e.damaged ? ' damaged' : '') + (e.type !== 'data' ? ' config' : '');
    el.dataset.index = e.index;
    if (e.committed) el.style.background = termColour(e.term);
    el.title = 'entry ' + e.index + ', term ' + e.term + ', ' + e.type + (e.text ? ': "' + e.text + '"' : '')
      + (e.committed ? ', committed' : ', not committed here yet') + (e.damaged ? ' — DAMAGED on disk' : '');
    const ix = document.createElement('span');
    ix.className = 'ix';
    ix.textContent = e.index;
    el.append(ix, 't' + e.term);
    parts.push(el);
  }
  if (!node.entries.length) {
    const empty = document.createElement('span');
    empty.className = 'log-note';
    empty.textContent = 'no entries stored';
    parts.push(empty);
  }
  box.replaceChildren(...parts);
}

async function showPersisted(id) {
  const response = await fetch('/api/persisted?node=' + encodeURIComponent(id));
  const p = await response.json();
  if (!response.ok) { notice(p.error, true); return; }
  $('persisted-title').textContent = id + "'s disk";
  const body = $('persisted-body');
  body.replaceChildren();
  const hard = document.createElement('p');
  hard.textContent = 'Hard state: term ' + p.term + ', voted for ' + (p.votedFor || 'nobody')
    + '. Entries stored from index ' + p.firstIndex + '.';
  const snaps = document.createElement('p');
  snaps.textContent = 'Snapshots: ' + (p.snapshots.length ? p.snapshots.map((s) => 'up to ' + s.index + ' (term ' + s.term + ', ' + s.sizeBytes + ' B)').join('; ') : 'none');
  const table = document.createElement('table');
  table.className = 'persisted-table';
  table.innerHTML = '<thead><tr><th>index</th><th>term</th><th>type</th><th>record</th><th>state</th></tr></thead>';
  const rows = document.createElement('tbody');
  for (const e of p.entries) {
    const tr = document.createElement('tr');
    for (const v of [e.index, e.term, e.type, e.text, (e.committed ? 'committed' : 'not committed') + (e.damaged ? ', DAMAGED' : '')]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.appendChild(td);
    }
    rows.appendChild(tr);
  }
  table.appendChild(rows);
  body.append(hard, snaps, table);
  $('persisted-dialog').showModal();
}

// ------------------------------------------------------------------ timeline

function renderFilterNodes(view) {
  const select = $('filter-node');
  const ids = view.nodes.map((n) => n.id);
  if (select.options.length - 1 !== ids.length) {
    const chosen = select.value;
    select.replaceChildren(new Option('all', ''), ...ids.map((id) => new Option(id, id)));
    select.value = ids.includes(chosen) ? chosen : '';
  }
}

function buildKindFilters() {
  const box = $('filter-kinds');
  for (const kind of KINDS) {
    const label = document.createElement('label');
    const box2 = document.createElement('input');
    box2.type = 'checkbox';
    box2.value = kind;
    box2.checked = !HIDDEN_KINDS.has(kind);
    box2.addEventListener('change', () => refreshTimeline(true));
    label.append(box2, kind);
    box.appendChild(label);
  }
  $('filter-node').addEventListener('change', () => refreshTimeline(true));
}

async function refreshTimeline(force) {
  if (timelineBusy && !force) return;
  timelineBusy = true;
  const wanted = state.timelineSequence;
  try {
    const kinds = [...$('filter-kinds').querySelectorAll('input:checked')].map((i) => i.value);
    const query = new URLSearchParams({ node: $('filter-node').value, kinds: kinds.length ? kinds.join(',') : 'none', limit: '300' });
    const entries = await (await fetch('/api/timeline?' + query)).json();
    const body = $('timeline').tBodies[0];
    const rows = entries.reverse().map((e) => {
      const tr = document.createElement('tr');
      tr.dataset.step = e.step;
      tr.dataset.kind = e.kind;
      tr.title = 'click: go back to step ' + e.step;
      const cells = [[(e.time / NS).toFixed(3) + ' ms', 't'], [e.step, 's'], [e.node, 'n'], ['', 'k'], [e.text, 'x']];
      for (const [text, cls] of cells) {
        const td = document.createElement('td');
        td.className = cls;
        td.textContent = text;
        tr.appendChild(td);
      }
      const kind = document.createElement('span');
      kind.className = 'kind kind-' + e.kind;
      kind.textContent = e.kind;
      tr.children[3].appendChild(kind);
      tr.addEventListener('click', () => seek(e.step));
      return tr;
    });
    body.replaceChildren(...rows);
    timelineShown = wanted;
  } finally {
    timelineBusy = false;
  }
  if (state.timelineSequence !== timelineShown) setTimeout(() => refreshTimeline(), 150);
}

// ------------------------------------------------------------------ controls

let scrubbing = false;
async function seek(step) {
  try { notice(await post('seek', { step }), false); } catch (e) { /* shown */ }
}

async function exportRun() {
  const response = await fetch('/api/export');
  const source = await response.text();
  if (!response.ok) { notice(source, true); return; }
  const name = (response.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
  $('export-code').textContent = source;
  const link = $('export-download');
  link.download = name ? name[1] : 'ConsoleRunTest.java';
  link.href = URL.createObjectURL(new Blob([source], { type: 'text/x-java' }));
  $('export-dialog').showModal();
}

function wire() {
  $('play').addEventListener('click', () => post(state && state.playing ? 'pause' : 'play').catch(() => {}));
  $('step-button').addEventListener('click', () => post('step').then((t) => notice(t, false)).catch(() => {}));
  $('step-event').addEventListener('click', () => post('step-event').catch(() => {}));
  $('speed').addEventListener('input', () => {
    const v = Number($('speed').value) / 100;
    const speed = SPEED_MIN * Math.pow(SPEED_MAX / SPEED_MIN, v);
    $('speed-label').textContent = formatSpeed(speed);
    post('speed', { value: speed.toPrecision(3) }).catch(() => {});
  });
  const scrubber = $('scrubber');
  scrubber.addEventListener('input', () => { scrubbing = true; $('scrub-label').textContent = 'go to step ' + scrubber.value; });
  scrubber.addEventListener('change', () => { scrubbing = false; seek(scrubber.value); });
  $('add-node').addEventListener('click', () => act('add'));
  $('export').addEventListener('click', exportRun);
  $('reset-form').addEventListener('submit', (e) => {
    e.preventDefault();
    post('reset', { seed: $('reset-seed').value || '1', nodes: $('reset-nodes').value }).then((t) => notice(t, false)).catch(() => {});
  });
  document.addEventListener('keydown', (e) => {
    if (e.target.matches('input, select, textarea')) return;
    if (e.key === ' ') { e.preventDefault(); $('play').click(); }
    if (e.key === 's') $('step-button').click();
  });
}

buildKindFilters();
wire();
listen();
