// Paved dashboard: a few pages over the daemon's own API (GET /api/v1/status,
// GET /api/v1/services/{name}), refreshed every 2 seconds. No framework, nothing fetched from
// elsewhere; every text from the API goes through textContent, never innerHTML. The API's read
// endpoints need a token with the read permission (unless the daemon sets http.publicRead): the
// page asks for it once and keeps it in the tab's sessionStorage, never in a cookie.
'use strict';

const REFRESH_MS = 2000;
const view = document.getElementById('view');
const crumbs = document.getElementById('crumbs');
const live = document.getElementById('live');
let timer = null;

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const short = (c) => (c ? c.slice(0, 12) : '—');
const when = (t) => (t ? new Date(t).toLocaleString() : '—');

// Status as a word and a symbol; the colour class only repeats what the text says.
const KIND = {
  SYNCED: ['ok', '✓'], SYNCING: ['info', '↻'], PENDING: ['none', '…'], PARTIAL: ['warn', '!'],
  HELD: ['warn', '⏸'], FAILED: ['bad', '✗'], REFUSED: ['bad', '✗'],
  healthy: ['ok', '✓'], progressing: ['info', '↻'], degraded: ['bad', '✗'], missing: ['bad', '?'],
  unknown: ['none', '?'], suspended: ['none', '⏸'], UNKNOWN: ['none', '?'],
};
function badge(state, title) {
  const s = state || 'unknown';
  const [cls, sym] = KIND[s] || ['none', '•'];
  return h('span', { class: `st ${cls}`, title: title || null, 'data-state': s }, `${sym} ${s}`);
}

const TOKEN_KEY = 'paved.readToken';

class AuthError extends Error {}

async function getJson(path) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, { headers, cache: 'no-store' });
  if (r.status === 401 || r.status === 403) {
    const body = await r.json().catch(() => ({}));
    throw new AuthError(body.error || `HTTP ${r.status}`);
  }
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function signInPage(reason) {
  setCrumbs('Sign in');
  const form = h('form', { id: 'signin-form' },
    h('p', {}, 'This daemon shows its status to holders of an API token with the read permission.'),
    h('p', { class: 'muted', 'data-test': 'signin-reason' }, reason),
    h('label', {}, 'API token ', h('input', { name: 'token', type: 'password', required: true, autocomplete: 'off' })),
    h('button', { id: 'signin-submit', type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, new FormData(form).get('token'));
    start();
  });
  return [h('h1', {}, 'Sign in'), form];
}

function setCrumbs(...parts) {
  crumbs.replaceChildren(...parts.flatMap((p, i) => (i ? [' / ', p] : [p])));
}

function refusedCommits(status) {
  const boxes = [];
  for (const repo of status.repos || []) {
    if (!repo.lastError) continue;
    const e = repo.lastError;
    boxes.push(h('section', { class: 'problems', 'data-test': 'refused' },
      h('strong', {}, `✗ Repo ${repo.name}: commit ${short(e.commit)} refused — ${e.summary}`),
      h('div', { class: 'muted' }, `Still applied: ${short(repo.lastGoodCommit)} · ${when(e.at)}`),
      h('pre', { class: 'mono' }, (e.details || []).join('\n'))));
  }
  return boxes;
}

// HA: which replica holds a target (status.targets[].ha), always as text.
function holderText(t) {
  if (!t.ha) return null;
  if (!t.ha.holder) return 'held by no replica now';
  return `held by replica ${t.ha.holder}${t.ha.here ? ' (this one)' : ''}`;
}

// HA: what a page served by a replica that does not hold target t shows instead of its own state.
function notHereText(status, t) {
  const who = t.ha.holder ? `replica ${t.ha.holder}` : 'no replica';
  const what = t.ha.reportedBy
    ? `sync and health below are what replica ${t.ha.reportedBy} reported on the target's Lease at ${when(t.ha.reportedAt)}; drift is watched by the holder only.`
    : 'this replica has no report of its state (UNKNOWN).';
  return `Not held by this replica: this page is served by replica ${status.ha.replica}, and ${t.repo}/${t.environment} is held by ${who}; ${what}`;
}

// HA: one line on top saying which replica serves the page and which targets it does not hold.
function haNotice(status, targets) {
  if (!status.ha) return [];
  const elsewhere = targets.filter((t) => t.ha && !t.ha.here);
  const text = elsewhere.length === 0
    ? `Served by replica ${status.ha.replica}, which holds every target shown.`
    : `Served by replica ${status.ha.replica}, which does not hold ${elsewhere.map((t) => `${t.repo}/${t.environment}`).join(', ')}: `
      + 'their state is what their holder last reported (no drift), marked “reported by”.';
  return [h('p', { class: elsewhere.length ? 'notice' : 'muted', 'data-test': 'ha-notice' }, text)];
}

// Targets held at their applied commit (a rewritten history...): nothing is applied until someone acts.
function heldTargets(status) {
  return (status.targets || []).filter((t) => t.hold).map((t) => h('section', { class: 'problems', 'data-test': 'held' },
    h('strong', {}, `⏸ ${t.repo}/${t.environment} held: commit ${short(t.hold.commit)} not applied — ${t.hold.message}`),
    h('div', { class: 'muted' }, `Still applied: ${short(t.appliedCommit)} · since ${when(t.hold.since)} · `
      + `reason ${t.hold.reason}`)));
}

function gridPage(status) {
  setCrumbs('Services × environments');
  const envs = [...new Set((status.targets || []).map((t) => t.environment))].sort();
  const services = [...new Set((status.services || []).map((s) => s.service))].sort();
  const cell = new Map((status.services || []).map((s) => [`${s.service}\u0000${s.environment}`, s]));
  const driftCount = new Map();
  for (const t of status.targets || []) {
    for (const d of t.drift || []) {
      const k = `${d.service || ''}\u0000${t.environment}`;
      driftCount.set(k, (driftCount.get(k) || 0) + 1);
    }
  }
  const byEnv = (e) => (status.targets || []).filter((t) => t.environment === e);
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Service'),
    envs.map((e) => h('th', { scope: 'col', 'data-env': e }, h('a', { href: `#/environments/${encodeURIComponent(e)}` }, e),
      byEnv(e).filter((t) => t.ha).map((t) => h('div', { class: 'holder', 'data-test': 'holder' },
        `${byEnv(e).length > 1 ? `${t.repo}: ` : ''}${holderText(t)}`)))));
  const rows = services.map((svc) => h('tr', { 'data-service': svc },
    h('th', { scope: 'row' }, h('a', { href: `#/services/${encodeURIComponent(svc)}` }, svc)),
    envs.map((env) => {
      const s = cell.get(`${svc}\u0000${env}`);
      if (!s) return h('td', { class: 'cell muted' }, 'not deployed');
      const drift = driftCount.get(`${svc}\u0000${env}`) || 0;
      const target = (status.targets || []).find((t) => t.repo === s.repo && t.environment === env);
      const elsewhere = target && target.ha && !target.ha.here;
      return h('td', { class: 'cell', 'data-env': env },
        h('div', {}, badge(s.sync), ' ', badge(s.health)),
        h('div', { class: 'mono' }, s.version || '—'),
        drift ? h('div', {}, badge('PARTIAL', 'drift'), ` ${drift} drifted`) : null,
        s.lastChange ? h('div', { class: 'muted' }, `${short(s.lastChange.commit)} by ${s.lastChange.author}`) : null,
        elsewhere ? h('div', { class: 'muted', 'data-test': 'reported' }, target.ha.reportedBy
          ? `reported by ${target.ha.reportedBy}` : `not known here: ${holderText(target)}`) : null);
    })));
  return [h('h1', {}, 'Services'), ...haNotice(status, status.targets || []), ...refusedCommits(status),
    ...heldTargets(status),
    h('table', { id: 'grid' }, h('thead', {}, head), h('tbody', {}, rows))];
}

function driftTable(drift) {
  if (!drift || drift.length === 0) return h('p', { class: 'muted' }, 'No drift.');
  return h('table', {}, h('tr', {}, h('th', {}, 'Object'), h('th', {}, 'Fields'), h('th', {}, 'Changed by'),
    h('th', {}, 'Seen'), h('th', {}, 'State')),
  drift.map((d) => h('tr', {}, h('td', { class: 'mono' }, d.object), h('td', { class: 'mono' }, (d.fields || []).join(', ')),
    h('td', {}, (d.managers || []).join(', ') || 'unknown'), h('td', {}, when(d.at)),
    h('td', {}, d.corrected ? badge('SYNCED', 'corrected') : badge('PARTIAL', 'drifted')))));
}

function environmentPage(status, env) {
  setCrumbs(h('a', { href: '#/' }, 'Services'), `Environment ${env}`);
  const out = [h('h1', {}, `Environment ${env}`),
    ...haNotice(status, (status.targets || []).filter((t) => t.environment === env)), ...refusedCommits(status),
    ...heldTargets({ targets: (status.targets || []).filter((t) => t.environment === env) })];
  for (const t of (status.targets || []).filter((x) => x.environment === env)) {
    out.push(h('h2', {}, `${t.repo} on cluster ${t.cluster}`),
      t.ha ? h('p', { 'data-test': 'holder', 'data-repo': t.repo }, h('strong', {}, 'Replica: '),
        t.ha.holder ? `${holderText(t)}.` : 'held by no replica now (taken over within a few seconds).') : null,
      t.ha && !t.ha.here ? h('div', { class: 'notice', 'data-test': 'not-here', 'data-repo': t.repo },
        notHereText(status, t)) : null,
      h('p', {}, badge(t.sync), ' ', badge(t.health, t.healthMessage), ' applied ',
        h('code', {}, short(t.appliedCommit)), ` · last sync ${when(t.lastSync)}`),
      t.healthMessage ? h('p', { class: 'muted' }, t.healthMessage) : null,
      t.lastError && !t.hold ? h('div', { class: 'problems' }, h('pre', {}, t.lastError)) : null,
      h('h2', {}, 'Drift'), t.ha && !t.ha.here
        ? h('p', { class: 'muted', 'data-test': 'drift-elsewhere' }, `Not known here: only the holder${t.ha.holder ? `, replica ${t.ha.holder},` : ''} watches this target's cluster.`)
        : driftTable(t.drift));
  }
  const rows = (status.services || []).filter((s) => s.environment === env).map((s) => h('tr', {},
    h('td', {}, h('a', { href: `#/services/${encodeURIComponent(s.service)}` }, s.service)),
    h('td', {}, badge(s.sync)), h('td', {}, badge(s.health)), h('td', { class: 'mono' }, s.version || '—'),
    h('td', { class: 'mono' }, short(s.commit))));
  out.push(h('h2', {}, 'Services'), h('table', {}, h('tr', {}, h('th', {}, 'Service'), h('th', {}, 'Sync'),
    h('th', {}, 'Health'), h('th', {}, 'Version'), h('th', {}, 'Commit')), rows));
  return out;
}

function servicePage(status, svc, detail) {
  setCrumbs(h('a', { href: '#/' }, 'Services'), `Service ${svc}`);
  const out = [h('h1', {}, `Service ${svc}`), h('p', { class: 'muted' }, detail.team ? `Team ${detail.team}` : ''),
    ...refusedCommits(status)];
  for (const e of detail.environments || []) {
    const elsewhere = e.ha && !e.ha.here;
    const t = { ...e, repo: detail.repo };
    out.push(h('h2', {}, `${e.environment} `, h('span', { class: 'muted' }, `(cluster ${e.cluster})`)),
      e.ha ? h('p', { 'data-test': 'holder', 'data-env': e.environment }, h('strong', {}, 'Replica: '), `${holderText(t)}.`) : null,
      elsewhere ? h('div', { class: 'notice', 'data-test': 'not-here', 'data-env': e.environment },
        notHereText(status, t)) : null,
      h('p', {}, badge(e.sync), ' ', badge(e.health), ' version ', h('code', {}, e.version || '—'),
        ' · applied ', h('code', {}, short(e.appliedCommit))),
      elsewhere ? h('p', { class: 'muted' }, 'Objects and their health: known by the holder only.')
        : h('table', { 'data-env': e.environment }, h('tr', {}, h('th', {}, 'Object'), h('th', {}, 'Health'), h('th', {}, 'Message')),
          (e.objects || []).map((o) => h('tr', {}, h('td', { class: 'mono' }, o.object), h('td', {}, badge(o.health)),
            h('td', {}, o.message || '')))),
      (e.findings || []).length ? h('div', {}, h('strong', {}, 'Policy findings of the head commit'),
        h('ul', {}, e.findings.map((f) => h('li', {}, badge(f.severity === 'error' ? 'FAILED' : 'PARTIAL', f.severity),
          ' ', h('code', {}, f.location), ' ', f.message)))) : null,
      elsewhere ? null : driftTable(e.drift));
  }
  out.push(h('h2', {}, 'History'), historyTable(detail));
  return out;
}

function historyTable(detail) {
  const entries = detail.history || [];
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No change recorded.');
  return h('table', { id: 'history' }, h('tr', {}, h('th', {}, 'Commit'), h('th', {}, 'When'), h('th', {}, 'Author'),
    h('th', {}, 'Message'), h('th', {}, 'Changes'), h('th', {}, 'Applied'), h('th', {}, '')),
  entries.map((x) => h('tr', { 'data-commit': x.commit },
    h('td', { class: 'mono' }, short(x.commit)), h('td', {}, when(x.time)), h('td', {}, x.author),
    h('td', {}, x.message),
    h('td', {}, (x.changes || []).map((c) => h('div', {}, `${c.environment}: ${c.change}`,
      (c.imagesBefore || []).join() !== (c.imagesAfter || []).join()
        ? h('span', { class: 'mono' }, ` ${(c.imagesBefore || []).join(', ') || '∅'} → ${(c.imagesAfter || []).join(', ') || '∅'}`) : null))),
    h('td', {}, (x.applied || []).map((a) => h('div', {}, `${a.environment}: `, badge(a.outcome), ` ${when(a.at)}`))),
    h('td', {}, h('button', { class: 'danger', 'data-action': 'rollback',
      onclick: () => openRollback(detail.repo, x) }, 'Roll back')))));
}

function openRollback(repo, entry) {
  const dialog = document.getElementById('rollback');
  const form = document.getElementById('rollback-form');
  document.getElementById('rollback-what').textContent =
    `Revert commit ${short(entry.commit)} (“${entry.message}” by ${entry.author}) on repo ${repo}. The revert is a new commit in git; Paved then applies it like any other.`;
  const result = document.getElementById('rollback-result');
  result.textContent = '';
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    result.textContent = 'Reverting…';
    try {
      const r = await fetch(`/api/v1/repos/${encodeURIComponent(repo)}/revert`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${data.get('token')}` },
        body: JSON.stringify({ commit: entry.commit, reason: data.get('reason') }),
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) { result.textContent = `✗ Refused (HTTP ${r.status}): ${body.error || 'error'}`; return; }
      result.textContent = `✓ Reverted: new commit ${short(body.revertCommit)} on ${body.branch}`;
      result.setAttribute('data-revert', body.revertCommit);
      form.querySelector('input[name=token]').value = '';
      refresh();
    } catch (e) {
      result.textContent = `✗ ${e.message}`;
    }
  };
  dialog.showModal();
}

async function refresh() {
  const route = decodeURIComponent(location.hash.replace(/^#\/?/, '')).split('/');
  try {
    const status = await getJson('/api/v1/status');
    let nodes;
    if (route[0] === 'environments' && route[1]) nodes = environmentPage(status, route[1]);
    else if (route[0] === 'services' && route[1]) {
      nodes = servicePage(status, route[1], await getJson(`/api/v1/services/${encodeURIComponent(route[1])}`));
    } else nodes = gridPage(status);
    view.replaceChildren(...nodes.filter(Boolean));
    live.textContent = `updated ${new Date().toLocaleTimeString()}${status.ready ? '' : ' · not ready yet'}`
      + (status.ha ? ` · replica ${status.ha.replica}` : '');
  } catch (e) {
    if (e instanceof AuthError) {
      clearInterval(timer);
      sessionStorage.removeItem(TOKEN_KEY);
      view.replaceChildren(...signInPage(e.message));
      live.textContent = 'signed out';
      return;
    }
    live.textContent = `⚠ cannot reach the daemon: ${e.message}`;
  }
}

function start() {
  clearInterval(timer);
  refresh();
  timer = setInterval(refresh, REFRESH_MS);
}
window.addEventListener('hashchange', start);
start();
