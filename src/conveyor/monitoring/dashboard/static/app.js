// conveyor dashboard: polls the JSON API and redraws; routes "#/" (overview), "#/task/ID".
"use strict";

const $ = (id) => document.getElementById(id);
const esc = Charts.esc;
const ui = { run: "", filters: { state: "", app: "", executor: "", block: "" }, route: "", finished: false };

async function get(path, params = {}) {
  const q = new URLSearchParams({ ...params, ...(ui.run ? { run: ui.run } : {}) });
  const r = await fetch(`${path}?${q}`, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function fmtDuration(s) {
  if (s === null || s === undefined) return "–";
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
function fmtTime(t) {
  if (t === null || t === undefined) return "–";
  const d = new Date(t * 1000);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}
function fmtBytes(n) {
  if (!n) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
function stateTag(s) { return `<span class="state" style="background:${Charts.color(s, 0)}">${esc(s)}</span>`; }
function cell(v, cls = "") { return `<td class="${cls}">${v === null || v === undefined ? "–" : v}</td>`; }

// ---- overview -------------------------------------------------------------------------

const OVERVIEW = `
  <div class="cards" id="cards"></div>
  <div class="grid">
    <section class="panel"><h2>Tasks per state over time</h2><div id="timeline"></div></section>
    <section class="panel"><h2>Tasks per app</h2><div id="apps-chart"></div></section>
  </div>
  <section class="panel"><h2>Apps: run time of successful tasks</h2><div id="apps-table"></div></section>
  <div class="grid">
    <section class="panel"><h2>CPU per node (% of one core)</h2><div id="node-cpu"></div></section>
    <section class="panel"><h2>Resident memory per node (MiB)</h2><div id="node-mem"></div></section>
  </div>
  <div class="grid">
    <section class="panel"><h2>Blocks</h2><div id="blocks"></div></section>
    <section class="panel"><h2>Nodes</h2><div id="nodes"></div></section>
  </div>
  <section class="panel"><h2>Tasks <span id="task-total" class="muted"></span></h2>
    <div class="filters" id="filters"></div><div id="tasks"></div></section>
  <section class="panel"><h2>Workflows in this database</h2><div id="runs"></div></section>`;

function renderCards(s) {
  const n = (...names) => names.reduce((a, k) => a + (s.states[k] || 0), 0);
  const blocks = Object.values(s.blocks).reduce((a, b) => a + b, 0);
  const cards = [["total", "tasks", s.total, "#102a43"], ["done", "done", n("exec_done", "memo_done"), "#3ebd93"],
    ["failures", "failed", n("failed", "dep_fail"), "#e12d39"], ["active", "running", n("running"), "#2680c2"],
    ["queued", "launched", n("launched"), "#f0b429"], ["waiting", "pending", n("pending", "fail_retryable"), "#9aa5b1"],
    ["blocks", "blocks", blocks, "#486581"], ["workers", "workers", s.workers, "#486581"]];
  $("cards").innerHTML = cards.map(([id, label, count, col]) =>
    `<div class="card"><div class="label"><span class="swatch" style="background:${col}"></span>${esc(label)}</div>` +
    `<div class="n" id="card-${esc(id)}" data-count="${count}">${count}</div></div>`).join("");
}

// A legend whose entries carry the current count of each state (ids "count-<state>").
function stateLegend(states, extra) {
  const names = [...new Set([...extra, ...Object.keys(states)])];
  return `<div class="legend">${names.map((k) => [k, states[k] || 0]).map(([k, v], i) =>
    `<span><i style="background:${Charts.color(k, i)}"></i>${esc(k)} <b id="count-${esc(k)}" data-count="${v}">${v}</b></span>`).join("")}</div>`;
}

function renderApps(s) {
  $("apps-chart").innerHTML = Charts.hbars(s.apps.map((a) => ({ label: a.app, parts: a.states }))) +
    Charts.legend(Object.keys(s.states));
  const rows = s.apps.map((a) => `<tr data-app="${esc(a.app)}">${cell(esc(a.app))}${cell(a.total, "num")}` +
    `${cell(a.done, "num")}${cell(a.failed, "num")}${cell(fmtDuration(a.mean), "num")}` +
    `${cell(fmtDuration(a.median), "num")}${cell(fmtDuration(a.max), "num")}` +
    `<td>${a.mean === null ? "" : Charts.histogram(a.histogram)}</td></tr>`).join("");
  $("apps-table").innerHTML = `<table><tr><th>app</th><th class="num">tasks</th><th class="num">done</th>` +
    `<th class="num">failed</th><th class="num">mean</th><th class="num">median</th><th class="num">max</th>` +
    `<th>distribution (0 – max)</th></tr>${rows}</table>`;
}

function renderInfra(s) {
  $("blocks").innerHTML = s.block_rows.length ? `<table><tr><th>executor</th><th>block</th><th>job</th><th>state</th><th>since</th></tr>` +
    s.block_rows.map((b) => `<tr>${cell(esc(b.executor))}${cell(esc(b.block_id))}${cell(esc(b.job_id || "–"))}` +
      `<td>${stateTag(b.status)}</td>${cell(fmtTime(b.time))}</tr>`).join("") + "</table>"
    : '<p class="empty">no blocks recorded</p>';
  $("nodes").innerHTML = s.node_rows.length ? `<table><tr><th>host</th><th>block</th><th class="num">workers</th><th class="num">CPUs</th><th class="num">memory</th><th>state</th><th>last heartbeat</th></tr>` +
    s.node_rows.map((n) => `<tr>${cell(esc(n.hostname))}${cell(esc(n.block_id))}${cell(n.worker_count, "num")}` +
      `${cell(n.cpu_count, "num")}${cell(fmtBytes(n.total_memory), "num")}<td>${stateTag(n.active ? "active" : "lost")}</td>` +
      `${cell(fmtTime(n.last_heartbeat))}</tr>`).join("") + "</table>"
    : '<p class="empty">no nodes recorded</p>';
}

function renderResources(res, origin) {
  const hosts = Object.keys(res.nodes);
  const series = (key, times) => hosts.map((h) => ({ name: h, times: res.nodes[h][times], values: res.nodes[h][key] }));
  $("node-cpu").innerHTML = Charts.lines(series("cpu", "cpu_times"), "%", { floor: 100, origin }) + Charts.lineLegend(hosts);
  $("node-mem").innerHTML = Charts.lines(series("rss", "times"), "", { origin }) + Charts.lineLegend(hosts);
}

function renderFilters(facets) {
  const key = JSON.stringify([facets, ui.filters]);
  if (ui.facetsKey === key) return;  // keep an open <select> open while the page refreshes
  ui.facetsKey = key;
  $("filters").innerHTML = Object.keys(ui.filters).map((key) =>
    `<label>${key} <select data-filter="${key}"><option value="">all</option>` +
    facets[key].map((v) => `<option ${v === ui.filters[key] ? "selected" : ""}>${esc(v)}</option>`).join("") +
    "</select></label>").join("");
  for (const sel of $("filters").querySelectorAll("select")) {
    sel.onchange = () => { ui.filters[sel.dataset.filter] = sel.value; refresh(); };
  }
}

function renderTasks(t) {
  $("task-total").textContent = `(${t.total} shown${t.total > t.rows.length ? `, newest ${t.rows.length} listed` : ""})`;
  $("task-total").dataset.count = t.total;
  renderFilters(t.facets);
  if (!t.rows.length) { $("tasks").innerHTML = '<p class="empty">no tasks match</p>'; return; }
  $("tasks").innerHTML = `<table id="task-table"><tr><th class="num">id</th><th>app</th><th>state</th><th class="num">fails</th>` +
    `<th>executor</th><th>block</th><th>host</th><th>submitted</th><th class="num">run time</th></tr>` +
    t.rows.map((r) => `<tr class="link" data-task="${r.task_id}" data-state="${esc(r.state)}">${cell(r.task_id, "num")}` +
      `${cell(esc(r.app))}<td>${stateTag(r.state)}</td>${cell(r.fail_count, "num")}${cell(esc(r.executor || "–"))}` +
      `${cell(esc(r.block || "–"))}${cell(esc(r.hostname || "–"))}${cell(fmtTime(r.invoked))}` +
      `${cell(fmtDuration(r.run_time), "num")}</tr>`).join("") + "</table>";
  for (const tr of $("tasks").querySelectorAll("tr.link")) tr.onclick = () => { location.hash = `#/task/${tr.dataset.task}`; };
}

function renderHeader(run, now) {
  const finished = run.completed !== null, elapsed = (finished ? run.completed : now) - run.began;
  $("run-title").textContent = `${run.name || "workflow"} · ${run.run_id} · ${run.host}`;
  ui.finished = finished;
  $("run-state").textContent = finished ? `finished in ${fmtDuration(elapsed)}` : `running ${fmtDuration(elapsed)}`;
  $("run-state").className = `pill ${finished ? "finished" : "running"}`;
}

async function overview() {
  if (ui.route !== "overview") { $("main").innerHTML = OVERVIEW; ui.route = "overview"; ui.facetsKey = ""; }
  const [s, res, t, runs] = await Promise.all([get("/api/summary"), get("/api/resources"),
    get("/api/tasks", ui.filters), get("/api/runs")]);
  renderHeader(s.run, s.now);
  fillRunSelect(runs);
  $("run-select").value = s.run.run_id;
  renderRuns(runs, s.run.run_id);
  renderCards(s);
  $("timeline").innerHTML = Charts.stacked(s.timeline.times, s.timeline.series) + stateLegend(s.states, Object.keys(s.timeline.series));
  renderApps(s);
  renderResources(res, s.timeline.times[0]);
  renderInfra(s);
  renderTasks(t);
}

// ---- one task ---------------------------------------------------------------------------

function storyTable(d) {
  const t0 = d.story.length ? d.story[0].time : null;
  return `<table id="story"><tr><th>time</th><th class="num">after submit</th><th class="num">try</th><th>state</th></tr>` +
    d.story.map((e) => `<tr data-state="${esc(e.state)}">${cell(fmtTime(e.time))}${cell(fmtDuration(e.time - t0), "num")}` +
      `${cell(e.try_id, "num")}<td>${stateTag(e.state)}</td></tr>`).join("") + "</table>";
}
function triesTable(d) {
  if (!d.tries.length) return '<p class="empty">never launched</p>';
  return `<table id="tries"><tr><th class="num">try</th><th>executor</th><th>block</th><th>host</th><th>launched</th>` +
    `<th>running</th><th>returned</th><th>error</th></tr>` + d.tries.map((t) => `<tr>${cell(t.try_id, "num")}` +
    `${cell(esc(t.executor))}${cell(esc(t.block || "–"))}${cell(esc(t.hostname || "–"))}${cell(fmtTime(t.launched))}` +
    `${cell(fmtTime(t.running))}${cell(fmtTime(t.returned))}<td class="error">${esc(t.fail_history || "")}</td></tr>`).join("") + "</table>";
}

async function taskPage(id) {
  ui.route = `task-${id}`;
  const d = await get("/api/task", { id });
  renderHeader(d.run, Date.now() / 1000);
  const fields = [["app", d.app], ["state", stateTag(d.state)], ["executor", esc(d.executor || "–")],
    ["block / host", `${esc(d.block || "–")} / ${esc(d.hostname || "–")}`], ["fail count", d.fail_count],
    ["submitted", fmtTime(d.invoked)], ["returned", fmtTime(d.returned)], ["run time", fmtDuration(d.run_time)],
    ["depends on", esc(d.depends || "–")], ["stdout", esc(d.stdout || "–")], ["stderr", esc(d.stderr || "–")]];
  const r = d.resources;
  $("main").innerHTML = `<p><a href="#/">← all tasks</a></p>
    <section class="panel"><h2 id="task-heading" data-task="${d.task_id}">Task ${d.task_id} · ${esc(d.app)}</h2>
      <dl class="fields">${fields.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl></section>
    ${d.error ? `<section class="panel"><h2>Error</h2><pre id="task-error">${esc(d.error)}</pre></section>` : ""}
    <section class="panel"><h2>Tries</h2>${triesTable(d)}</section>
    <div class="grid"><section class="panel"><h2>Story</h2>${storyTable(d)}</section>
      <div><section class="panel"><h2>CPU (% of one core)</h2>${Charts.lines([{ name: "cpu", times: r.cpu_times, values: r.cpu }], "%", { floor: 100 })}</section>
      <section class="panel"><h2>Resident memory (MiB)</h2>${Charts.lines([{ name: "rss", times: r.times, values: r.rss }], "")}</section></div></div>`;
}

// ---- loop -------------------------------------------------------------------------------

function renderRuns(runs, shown) {
  $("runs").innerHTML = `<table id="run-table"><tr><th>workflow</th><th>run id</th><th>host</th><th>started</th>` +
    `<th>ended</th><th class="num">completed</th><th class="num">failed</th></tr>` +
    runs.slice().reverse().map((r) => `<tr class="link" data-run="${esc(r.run_id)}">${cell(esc(r.name || "–"))}` +
      `${cell(r.run_id === shown ? `<b>${esc(r.run_id)}</b>` : esc(r.run_id))}${cell(esc(r.host))}` +
      `${cell(fmtTime(r.began))}${cell(r.completed ? fmtTime(r.completed) : "running")}` +
      `${cell(r.completed_count, "num")}${cell(r.failed, "num")}</tr>`).join("") + "</table>";
  for (const tr of $("runs").querySelectorAll("tr.link")) {
    tr.onclick = () => { ui.run = tr.dataset.run; $("run-select").value = ui.run; ui.route = ""; refresh(); };
  }
}

function fillRunSelect(runs) {
  const key = runs.map((r) => r.run_id).join(" ");
  if (ui.runsKey === key) return;
  ui.runsKey = key;
  $("run-select").innerHTML = runs.slice().reverse().map((r) =>
    `<option value="${esc(r.run_id)}">${esc(r.name || "workflow")} ${esc(r.run_id.slice(0, 12))}</option>`).join("");
  $("run-select").onchange = () => { ui.run = $("run-select").value; ui.route = ""; refresh(); };
}

async function loadRuns() { fillRunSelect(await get("/api/runs")); }

async function refresh() {
  const m = location.hash.match(/^#\/task\/(\d+)/);
  try {
    await (m ? taskPage(m[1]) : overview());
    $("updated").textContent = `updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
  } catch (e) {
    const waiting = /no workflow yet/.test(e.message);
    $("main").innerHTML = `<section class="panel"><h2 class="${waiting ? "" : "error"}">` +
      `${waiting ? "Waiting for a workflow to start…" : "Cannot show this database"}</h2>` +
      `<p id="load-error">${esc(e.message)}</p></section>`;
    ui.route = "";
  }
}

// Refresh every 2 s (10 s once the run finished), or slower when the server needs long
// to answer (a very large database): never more than a third of the time busy.
let timer = null, lastCost = 0;
function schedule() {
  clearTimeout(timer);
  const pause = Math.max(ui.finished ? 10000 : 2000, 2 * lastCost);
  timer = setTimeout(async () => {
    const began = performance.now();
    await refresh();
    lastCost = performance.now() - began;
    schedule();
  }, pause);
}
window.addEventListener("hashchange", () => { ui.route = ""; refresh(); });
loadRuns().catch(() => {}).finally(() => refresh().then(schedule));
