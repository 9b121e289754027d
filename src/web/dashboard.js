// glueguard's dashboard: reads the controller's JSON API and draws it. No framework; Chart.js for the charts.
// Every number sits in an element with a stable data-testid (tests/browser/dashboard_check.mjs reads them).
"use strict";

const REFRESH_MS = 10000;
const RANGES = ["1h", "6h", "24h", "7d"];

const state = {
  range: RANGES.includes(new URLSearchParams(location.search).get("range"))
    ? new URLSearchParams(location.search).get("range")
    : "1h",
  charts: new Map(),  // subnet id -> Chart
  timer: null,
  renders: 0,
  inFlight: false,
};

// ---- formatting -------------------------------------------------------------------------------------------

function pct(ratio) {
  return (100 * ratio).toFixed(1) + "%";
}

function hhmm(iso) {
  return iso ? iso.substring(11, 16) : "";
}

function dayAndTime(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// "3d 4h", "2h 15m", "45m", "30s".
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function setText(testid, text, value) {
  const e = document.querySelector(`[data-testid="${testid}"]`);
  if (!e) return;
  e.textContent = text;
  if (value !== undefined) e.dataset.value = String(value);
}

// ---- fetching ---------------------------------------------------------------------------------------------

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : response.statusText;
    throw new Error(`${path}: ${response.status} ${message}`);
  }
  return body;
}

async function refresh() {
  if (state.inFlight) return;
  state.inFlight = true;
  const range = state.range;
  try {
    const summary = await getJson(`/v1/summary?range=${range}`);
    const series = await Promise.all(
      summary.subnets.map((s) => getJson(`/v1/subnets/${encodeURIComponent(s.id)}/series?range=${range}`)));
    if (range !== state.range) return;  // the picker moved on while this was in flight
    render(summary, series);
    showError("");
    state.renders += 1;
    document.body.dataset.renders = String(state.renders);
    document.body.dataset.range = range;
    document.body.dataset.state = "ready";
  } catch (e) {
    showError(`Cannot read the controller's API (${e.message}); showing the last data received.`);
    if (document.body.dataset.state === "loading") document.body.dataset.state = "error";
  } finally {
    state.inFlight = false;
  }
}

function showError(message) {
  const banner = document.querySelector('[data-testid="error"]');
  banner.textContent = message;
  banner.hidden = message === "";
}

// ---- rendering --------------------------------------------------------------------------------------------

function render(summary, seriesList) {
  setText("now", summary.now.replace("T", " ").substring(0, 19) + " UTC", summary.now);
  setText("updated", new Date().toLocaleTimeString());
  renderOverview(summary);
  const main = document.getElementById("subnets");
  summary.subnets.forEach((subnet, i) => {
    let section = main.querySelector(`[data-testid="subnet-${CSS.escape(subnet.id)}"]`);
    if (!section) {
      section = createSubnetSection(subnet);
      main.appendChild(section);
    }
    renderSubnet(section, subnet, seriesList[i], summary);
  });
}

function renderOverview(summary) {
  const t = summary.totals;
  setText("held-today", String(t.held_today), t.held_today);
  setText("recovered-today", String(t.recovered_today), t.recovered_today);
  setText("launches-today", String(t.launches_today), t.launches_today);

  setText("exhaustion-today", String(t.exhaustion_failures_today), t.exhaustion_failures_today);
  const streak = document.querySelector('[data-testid="exhaustion-streak"]');
  if (t.streak_seconds === null) {
    streak.textContent = "none on record";
    streak.dataset.value = "";
  } else {
    streak.textContent = `${duration(t.streak_seconds)} (last ${t.last_exhaustion.substring(0, 16).replace("T", " ")})`;
    streak.dataset.value = String(t.streak_seconds);
  }
  streak.closest(".tile").classList.toggle("bad", t.exhaustion_failures_today > 0);
  streak.closest(".tile").classList.toggle("good", t.exhaustion_failures_today === 0);

  setText("alerts-count", String(summary.alerts.length), summary.alerts.length);
  const list = document.querySelector('[data-testid="alerts-list"]');
  list.replaceChildren();
  for (const a of summary.alerts) {
    const li = el("li", { "data-testid": `alert-${a.subnet}` });
    li.appendChild(el("strong", {}, a.name));
    li.appendChild(document.createTextNode(" since "));
    li.appendChild(el("span", { "data-testid": `alert-since-${a.subnet}`, "data-value": a.since },
                      a.since.substring(0, 16).replace("T", " ")));
    li.appendChild(el("span", { class: "why", "data-testid": `alert-why-${a.subnet}` }, a.why));
    list.appendChild(li);
  }
  list.closest(".tile").classList.toggle("bad", summary.alerts.length > 0);
  list.closest(".tile").classList.toggle("good", summary.alerts.length === 0);

  const detail = document.querySelector('[data-testid="dead-letters-detail"]');
  if (t.sessions_configured) {
    setText("dead-letters", String(t.dead_letters), t.dead_letters);
    detail.textContent = t.dead_letters > 0 ? "list and replay: glueguard sessions dlq" : "none parked";
  } else {
    setText("dead-letters", "—", "");
    detail.textContent = "session boundaries are not configured";
  }
  detail.closest(".tile").classList.toggle("bad", t.sessions_configured && t.dead_letters > 0);
}

// Gives every element of a fresh subnet section its data-testid, ending in the subnet id.
function createSubnetSection(subnet) {
  const section = document.getElementById("subnet-template").content.firstElementChild.cloneNode(true);
  const id = subnet.id;
  section.dataset.testid = `subnet-${id}`;
  const ids = {
    ".subnet-name": "name", ".util-used": "used", ".util-capacity": "capacity", ".util-percent": "utilisation",
    ".util-threshold": "threshold", ".util-clear": "clear", ".stat-peak": "peak", ".stat-tail": "tail",
    ".stat-lingering": "lingering",
    ".stat-jobs": "jobs", ".stat-buffer": "buffer", ".stat-reserved": "reserved", ".stat-waiters": "waiters",
    ".recent tbody": "recent", ".chart-points": "chart-points", ".chart-bucket": "chart-bucket",
    ".chart-launches": "chart-launches", ".chart-holds": "chart-holds", "canvas": "chart",
  };
  for (const [selector, name] of Object.entries(ids)) {
    section.querySelector(selector).dataset.testid = `${name}-${id}`;
  }
  return section;
}

function renderSubnet(section, s, series, summary) {
  const q = (sel) => section.querySelector(sel);
  q(".subnet-name").textContent = s.name;
  q(".subnet-id").textContent = `${s.id} · ${s.cidr}`;
  const over = s.utilisation >= s.alert_threshold;
  section.classList.toggle("over", over);
  section.classList.toggle("near", !over && (s.alert_firing || s.utilisation >= s.alert_clear));

  const badges = q(".badges");
  badges.replaceChildren();
  const badge = (cls, text) => badges.appendChild(el("span", { class: `badge ${cls}` }, text));
  if (s.alert_firing) badge("alert", "alert firing");
  if (s.stale) badge("warn", "stale view");
  if (s.cool_off_until) badge("warn", `cooling off until ${hhmm(s.cool_off_until)}`);
  if (!s.alert_firing && !s.stale && !s.cool_off_until) badge("ok", "ok");

  q(".util-used").textContent = String(s.used);
  q(".util-capacity").textContent = String(s.capacity);
  q(".util-percent").textContent = pct(s.utilisation);
  q(".util-percent").dataset.value = String(s.utilisation);
  q(".util-threshold").textContent = pct(s.alert_threshold);
  q(".util-clear").textContent = pct(s.alert_clear);
  q(".meter-fill").style.width = `${Math.min(100, 100 * s.utilisation)}%`;
  q(".meter-threshold").style.left = `${Math.min(100, 100 * s.alert_threshold)}%`;
  q(".meter").setAttribute("aria-valuenow", (100 * s.utilisation).toFixed(0));

  const peak = q(".stat-peak");
  if (s.peak_today) {
    peak.textContent = String(s.peak_today.total);
    peak.appendChild(el("span", { class: "muted" }, ` ${pct(s.peak_today.utilisation)} at ${hhmm(s.peak_today.at)}`));
    peak.dataset.value = String(s.peak_today.total);
  } else {
    peak.textContent = "—";
    peak.dataset.value = "";
  }
  const tail = q(".stat-tail");
  // How long Glue ENIs stayed available before deletion, measured from each ENI's timeline.
  const t = s.cleanup_tail;
  tail.textContent = t.count === 0 ? "—" : `${t.p50_minutes.toFixed(1)} / ${t.p95_minutes.toFixed(1)} min`;
  tail.dataset.value = t.count === 0 ? "" : String(t.p50_minutes);
  tail.title = t.count === 0 ? "no Glue ENI has been seen available and then deleted yet"
                             : `${t.count} ENIs measured over the last ${Math.round(t.window_seconds / 86400)} days`;
  const lingering = q(".stat-lingering");
  lingering.textContent = s.lingering_avg === null ? "—" : s.lingering_avg.toFixed(1);
  lingering.dataset.value = s.lingering_avg === null ? "" : String(s.lingering_avg);
  lingering.title = `mean available ENIs over the last ${summary.range} (${s.lingering_samples} observations)`;
  q(".stat-jobs").textContent = String(s.jobs_running);
  q(".stat-jobs").title = "launches admitted whose ENIs have not all appeared yet";
  q(".stat-buffer").textContent = String(s.buffer);
  q(".stat-buffer").title = s.buffer_policy;
  q(".stat-reserved").textContent = String(s.reserved);
  q(".stat-waiters").textContent = String(s.waiters);

  renderRecent(q(".recent tbody"), s);
  renderChart(section, s, series);
}

function renderRecent(tbody, s) {
  tbody.replaceChildren();
  s.recent_observations.forEach((o, i) => {
    const row = el("tr", { "data-testid": `recent-${s.id}-${i}` });
    row.appendChild(el("td", { "data-testid": `recent-${s.id}-${i}-at` }, hhmm(o.observed_at) + o.observed_at.substring(16, 19)));
    row.appendChild(el("td", { "data-testid": `recent-${s.id}-${i}-total` }, String(o.total)));
    row.appendChild(el("td", { "data-testid": `recent-${s.id}-${i}-in-use` }, String(o.in_use)));
    const available = el("td", { "data-testid": `recent-${s.id}-${i}-available` }, String(o.available));
    if (o.available === s.buffer) available.classList.add("max");  // the rolling max the buffer comes from
    row.appendChild(available);
    row.appendChild(el("td", {}, o.reason));
    tbody.appendChild(row);
  });
  if (s.recent_observations.length === 0) {
    const row = el("tr");
    row.appendChild(el("td", { colspan: "5", class: "muted" }, "no observation yet"));
    tbody.appendChild(row);
  }
}

// ---- the ENI chart ----------------------------------------------------------------------------------------

function renderChart(section, s, series) {
  const q = (sel) => section.querySelector(sel);
  const launches = series.marks.filter((m) => m.kind === "launch");
  const holds = series.marks.filter((m) => m.kind === "hold");
  q(".chart-points").textContent = String(series.points.length);
  q(".chart-bucket").textContent = duration(series.bucket_seconds);
  q(".chart-launches").textContent = String(launches.length);
  q(".chart-holds").textContent = String(holds.length);

  const from = Date.parse(series.from), to = Date.parse(series.to);
  const line = (label, key, color, extra) => Object.assign({
    type: "line", label, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0,
    stepped: false, data: series.points.map((p) => ({ x: Date.parse(p.at), y: p[key] })),
  }, extra || {});
  const mark = (label, list, color, style) => ({
    type: "scatter", label, data: list.map((m) => ({ x: Date.parse(m.at), y: m.total, mark: m })),
    pointStyle: style, pointRadius: 6, pointHoverRadius: 8, borderColor: color, backgroundColor: color,
  });
  const datasets = [
    line("in-use", "in_use", cssVar("--in-use")),
    line("available (cleanup tail)", "available", cssVar("--available")),
    line("total", "total", cssVar("--total"), { borderWidth: 1 }),
    line("buffer", "buffer", cssVar("--buffer"), { borderDash: [6, 4], stepped: "before" }),
    {
      type: "line", label: `${(100 * series.alert_threshold).toFixed(0)}% line`, borderColor: cssVar("--threshold"),
      backgroundColor: cssVar("--threshold"), borderWidth: 1.5, borderDash: [3, 3], pointRadius: 0,
      data: [{ x: from, y: series.threshold_enis }, { x: to, y: series.threshold_enis }],
    },
    mark("launch", launches, cssVar("--launch"), "triangle"),
    mark("hold", holds, cssVar("--hold"), "crossRot"),
  ];
  const text = cssVar("--muted"), grid = cssVar("--grid");
  const longRange = to - from > 24 * 3600 * 1000;
  const HOUR = 3600 * 1000;
  const step = { "1h": HOUR / 6, "6h": HOUR, "24h": 3 * HOUR, "7d": 24 * HOUR }[series.range] || HOUR;
  const options = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: "nearest", intersect: false, axis: "x" },
    scales: {
      x: {
        type: "linear", min: from, max: to, grid: { color: grid },
        ticks: { color: text, callback: (v) => (longRange ? dayAndTime(v).substring(0, 5) : dayAndTime(v).substring(6)) },
        // Ticks on whole UTC steps (every 10 min, hour, 3 h or day), not at the range's ragged ends.
        afterBuildTicks: (scale) => {
          const ticks = [];
          for (let v = Math.ceil(from / step) * step; v <= to; v += step) ticks.push({ value: v });
          scale.ticks = ticks;
        },
      },
      y: {
        min: 0, suggestedMax: Math.ceil(s.capacity * 1.02), grid: { color: grid },
        title: { display: true, text: "ENIs (one IP each)", color: text },
        ticks: { color: text, precision: 0 },
      },
    },
    plugins: {
      legend: { labels: { color: text, boxWidth: 14, usePointStyle: true } },
      tooltip: {
        callbacks: {
          title: (items) => (items.length ? dayAndTime(items[0].parsed.x) + " UTC" : ""),
          label: (item) => {
            const m = item.raw.mark;
            if (m) return `${m.kind} ${m.run_id} (${m.category}, ${m.workers} workers): ${m.reason}`;
            return `${item.dataset.label}: ${item.parsed.y}`;
          },
        },
      },
    },
  };
  let chart = state.charts.get(s.id);
  if (!chart) {
    chart = new Chart(q("canvas"), { type: "line", data: { datasets }, options });
    state.charts.set(s.id, chart);
  } else {
    chart.data.datasets = datasets;
    chart.options = options;
    chart.update("none");
  }
  q("canvas").dataset.points = String(series.points.length);
}

// ---- wiring -----------------------------------------------------------------------------------------------

function selectRange(range) {
  state.range = range;
  for (const b of document.querySelectorAll("[data-range]")) {
    b.setAttribute("aria-pressed", String(b.dataset.range === range));
  }
  const url = new URL(location.href);
  url.searchParams.set("range", range);
  history.replaceState(null, "", url);
  state.inFlight = false;  // a slow answer for the old range is dropped when it arrives
  refresh();
}

function start() {
  for (const b of document.querySelectorAll("[data-range]")) {
    b.addEventListener("click", () => selectRange(b.dataset.range));
  }
  selectRange(state.range);
  state.timer = setInterval(refresh, REFRESH_MS);
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    for (const chart of state.charts.values()) chart.destroy();
    state.charts.clear();
    refresh();
  });
}

if (typeof Chart === "undefined") {
  document.addEventListener("DOMContentLoaded", () => showError("Chart.js did not load."));
} else {
  start();
}
