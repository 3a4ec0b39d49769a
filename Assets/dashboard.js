// Tally's dashboard: plain JavaScript against the documented JSON API (docs/api.md), no dependencies.
// Every panel polls its endpoint, except resume windows, which read /resume/stream as NDJSON. With
// --auth required the page asks for a read key once and keeps it in sessionStorage (this tab only).
"use strict";

const keyName = "tally.key";
const kinds = ["heartbeat", "watch", "ad", "session"];
const $ = (id) => document.getElementById(id);
const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

class HTTPError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

function headers() {
  const key = sessionStorage.getItem(keyName);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function api(path) {
  const response = await fetch(path, { headers: headers() });
  if (response.ok) return response.json();
  let code = "http_" + response.status, message = response.statusText;
  try { ({ code, message } = (await response.json()).error); } catch (_) { /* not JSON */ }
  if (response.status === 401) askForKey(message);
  throw new HTTPError(response.status, code, message);
}

function askForKey(message) {
  const form = $("key-form");
  form.hidden = false;
  form.title = message || "";
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(keyName, $("key-input").value.trim());
  $("key-form").hidden = true;
  refreshAll();
  resumeStream.restart();
});

function text(id, value) { $(id).textContent = value; }

function element(tag, { dataset = {}, ...props } = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  Object.assign(node.dataset, dataset);
  for (const child of children) node.append(child);
  return node;
}

const svgNS = "http://www.w3.org/2000/svg";
function svg(tag, attributes) {
  const node = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// Polls `body` every `seconds`; a failure shows on the panel and the next tick tries again.
function every(seconds, panel, body) {
  const run = async () => {
    try {
      await body();
      $(panel).classList.remove("failed");
    } catch (error) {
      $(panel).classList.add("failed");
      $(panel).title = error.message;
    }
  };
  run();
  return setInterval(run, seconds * 1000);
}

// Ingestion: /stats/ingest, one number per second per kind.
async function refreshIngest() {
  const stats = await api("/stats/ingest?seconds=120");
  const recent = (series) => series.slice(-10).reduce((a, b) => a + b, 0);
  const total = kinds.reduce((sum, kind) => sum + recent(stats.events[kind]), 0);
  text("ingest-rate", number.format(total / 10));
  const commits = recent(stats.commits);
  text("ingest-batch", commits ? number.format(recent(stats.committedEvents) / commits) : "–");
  const errors = Object.entries(stats.errors).sort((a, b) => b[1] - a[1]);
  text("ingest-errors", String(errors.reduce((sum, [, n]) => sum + n, 0)));
  $("ingest-error-table").tBodies[0].replaceChildren(
    ...errors.map(([code, n]) => element("tr", {}, [element("td", { textContent: code }), element("td", { textContent: String(n) })])));
  drawLines($("ingest-chart"), kinds.map((kind) => ({ kind, values: stats.events[kind] })));
  $("ingest-legend").replaceChildren(...kinds.map((kind) =>
    element("li", { className: "k-" + kind, textContent: `${kind} ${number.format(recent(stats.events[kind]) / 10)}/s` })));
}

function drawLines(chart, series) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const width = 600, height = 120;
  chart.replaceChildren(svg("line", { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: "axis" }));
  for (const { kind, values } of series) {
    const step = width / Math.max(1, values.length - 1);
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 6)).toFixed(1)}`);
    chart.append(svg("polyline", { points: points.join(" "), class: "line k-" + kind }));
  }
}

// Watch time in the largest unit that keeps it above 1: "45 s", "12.5 min", "3.2 h".
function duration(seconds) {
  if (seconds < 60) return `${number.format(seconds)} s`;
  if (seconds < 3600) return `${number.format(seconds / 60)} min`;
  return `${number.format(seconds / 3600)} h`;
}

// A progress bar; its width is set through the CSSOM, which the page's content security policy allows (a style
// attribute would not be).
function bar(percent) {
  const fill = document.createElement("i");
  fill.style.width = `${percent}%`;
  return fill;
}

// Watch time of one title, and one user's continue-watching row.
async function refreshContent() {
  const movie = $("movie-input").value.trim();
  if (movie) {
    try {
      const totals = await api(`/movies/${encodeURIComponent(movie)}/watch-time`);
      text("movie-watch", duration(totals.watchTimeSeconds));
      text("movie-viewers", String(totals.viewers));
      text("movie-events", String(totals.events));
    } catch (error) {
      if (error.status !== 404) throw error;
      for (const id of ["movie-watch", "movie-viewers", "movie-events"]) text(id, "0");
    }
  }
  const user = $("user-input").value.trim();
  if (!user) return;
  let movies = [];
  try {
    movies = (await api(`/users/${encodeURIComponent(user)}/continue-watching?limit=10`)).movies;
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  $("continue").replaceChildren(...movies.map((m) => {
    const share = m.completion == null ? 0 : Math.round(m.completion * 100);
    return element("li", { dataset: { movie: m.movieId } }, [
      element("b", { textContent: m.movieId }),
      ` at ${m.position} s${m.duration ? ` of ${m.duration} s` : ""}${m.finished ? " (finished)" : ""}`,
      element("div", { className: "bar" }, [bar(share)]),
    ]);
  }));
  if (movies.length === 0) $("continue").append(element("li", { className: "note", textContent: `${user} has nothing to continue` }));
  try {
    const latest = await api(`/users/${encodeURIComponent(user)}/resume`);
    const where = latest.map((p) => `${p.movieId} @ ${p.position} s`).join(", ");
    text("resume-user", `${user}'s latest closed window: ${where} (at ${latest[0]?.timestamp ?? "?"})`);
  } catch (error) {
    if (error.status !== 404) throw error;
    text("resume-user", `${user} has no closed window yet`);
  }
}

// Top titles by watch time over the chosen range (the server's default, 24 hours, when none is chosen).
async function refreshTop() {
  const span = $("top-range").value;
  const from = span ? `&from=${Date.now() - Number(span)}` : "";
  const { movies } = await api(`/movies/top?limit=10${from}`);
  const most = Math.max(1, ...movies.map((m) => m.watchTimeSeconds));
  $("top-list").replaceChildren(...movies.map((m) => {
    const row = element("li", { className: "clickable", dataset: { movie: m.movieId } }, [
      element("b", { textContent: m.movieId }),
      ` ${duration(m.watchTimeSeconds)}, ${m.viewers} viewer${m.viewers === 1 ? "" : "s"}`,
      element("div", { className: "bar" }, [bar(Math.round((m.watchTimeSeconds / most) * 100))]),
    ]);
    row.addEventListener("click", () => { $("movie-input").value = m.movieId; refreshContent(); });
    return row;
  }));
  if (movies.length === 0) $("top-list").append(element("li", { className: "note", textContent: "nothing watched in this range" }));
}

// Resume windows: every array as it is emitted, from the NDJSON stream (fetch can send the key; EventSource cannot).
const resumeStream = {
  controller: null,
  received: 0,
  restart() {
    this.controller?.abort();
    this.controller = new AbortController();
    this.read(this.controller.signal);
  },
  async read(signal) {
    try {
      const response = await fetch("/resume/stream?format=ndjson", { headers: headers(), signal });
      if (response.status === 401) { askForKey(); throw new Error("needs a key"); }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text("resume-state", "live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line) this.show(JSON.parse(line));
        }
      }
      text("resume-state", "ended; reconnecting");
    } catch (error) {
      if (signal.aborted) return;
      text("resume-state", `${error.message}; reconnecting`);
    }
    if (!signal.aborted) setTimeout(() => { if (!signal.aborted) this.read(signal); }, 2000);
  },
  show(item) {
    if (!Array.isArray(item)) { text("resume-state", `ended: ${item.end?.reason ?? "?"}`); return; }
    this.received += 1;
    text("resume-count", String(this.received));
    const list = $("resume-list");
    const first = item[0] ?? {};
    const movies = item.map((p) => `${p.movieId} @ ${p.position}`).join(", ");
    list.prepend(element("li", {}, [element("b", { textContent: first.userId ?? "?" }), ` ${first.timestamp ?? ""}: ${movies}`]));
    while (list.children.length > 20) list.lastChild.remove();
  },
};

// Ads: the 24 hours ending now, the current one live.
async function refreshAds() {
  const { hours } = await api("/analytics/hours");
  const now = hours[hours.length - 1];
  text("ads-users", String(now.uniqueUsers));
  text("ads-clicks", String(now.clicks));
  text("ads-impressions", String(now.impressions));
  const chart = $("ads-chart");
  const max = Math.max(1, ...hours.map((h) => h.impressions + h.clicks));
  const width = 600 / hours.length;
  const users = Math.max(1, ...hours.map((h) => h.uniqueUsers));
  const line = svg("polyline", {
    class: "line k-users",
    points: hours.map((h, i) => `${(i * width + width / 2).toFixed(1)},${(118 - (h.uniqueUsers / users) * 112).toFixed(1)}`).join(" "),
  });
  chart.replaceChildren(...hours.flatMap((h, i) => {
    const scale = (n) => (n / max) * 116;
    const title = svg("title", {});
    title.textContent = `${h.hour}: ${h.uniqueUsers} users, ${h.clicks} clicks, ${h.impressions} impressions`;
    const impressions = svg("rect", { x: i * width + 1, width: width - 2, y: 120 - scale(h.impressions), height: scale(h.impressions), class: "k-impression" });
    const clicks = svg("rect", { x: i * width + 1, width: width - 2, y: 120 - scale(h.impressions) - scale(h.clicks), height: scale(h.clicks), class: "k-click" });
    impressions.append(title);
    return [impressions, clicks];
  }), line);
}

// Sessions: the most recently active (an admin key is needed to list them), and one session as a timeline.
async function refreshSessions() {
  try {
    const { sessions } = await api("/sessions?limit=8");
    $("sessions-note").hidden = true;
    $("sessions-table").tBodies[0].replaceChildren(...sessions.map((s) => {
      const row = element("tr", { className: "clickable", dataset: { session: s.id } }, [
        element("td", { textContent: s.id }), element("td", { textContent: s.status }),
        element("td", { textContent: String(s.events) }), element("td", { textContent: String(s.lastActivity) }),
      ]);
      row.addEventListener("click", () => { $("session-input").value = s.id; showSession(); });
      return row;
    }));
    if (!$("session-input").value && sessions.length) $("session-input").value = sessions[0].id;
  } catch (error) {
    if (error.status !== 403) throw error;
    const note = $("sessions-note");
    note.hidden = false;
    note.textContent = "Listing sessions needs an admin key; open one by its id below.";
  }
  await showSession();
}

async function showSession() {
  const id = $("session-input").value.trim();
  if (!id) return;
  let tree;
  try {
    tree = await api(`/sessions/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    $("session-detail").hidden = false;
    text("session-summary", `No session ${id}.`);
    $("session-timeline").replaceChildren();
    $("session-events").replaceChildren();
    return;
  }
  $("session-detail").hidden = false;
  const events = tree.children;
  const end = tree.end == null ? "still open" : `ended ${when(tree.end)}`;
  text("session-summary", `${id}: ${tree.status}, ${events.length} events, started ${when(tree.start)}, ${end}`);
  drawTimeline($("session-timeline"), tree);
  $("session-events").replaceChildren(...events.map((e) =>
    element("li", {}, [
      element("b", { textContent: e.name }),
      ` ${offset(e.timestamp, tree.start)} after the start${e.outOfRange ? " (outside the session)" : ""}`,
    ])));
}

// Session timestamps are seconds, or milliseconds when above 10^11 (docs/api.md).
const milliseconds = (t) => (Number(t) > 1e11 ? Number(t) : Number(t) * 1000);
const when = (t) => new Date(milliseconds(t)).toISOString().replace(".000Z", "Z");
const offset = (t, start) => `${number.format((milliseconds(t) - milliseconds(start)) / 1000)} s`;

function drawTimeline(chart, tree) {
  const times = [tree.start, ...tree.children.map((e) => e.timestamp), tree.end ?? tree.start].map(milliseconds);
  const low = Math.min(...times), high = Math.max(...times), span = Math.max(1, high - low);
  const x = (t) => 20 + ((milliseconds(t) - low) / span) * 560;
  const marks = [svg("line", { x1: 20, y1: 45, x2: 580, y2: 45, class: "axis" })];
  const mark = (t, name, kind, y, size, caption = name) => {
    const dot = svg("circle", { cx: x(t), cy: 45, r: size, class: kind });
    const title = svg("title", {});
    title.textContent = `${name} at ${when(t)}`;
    dot.append(title);
    const label = svg("text", { x: x(t), y, "text-anchor": "middle" });
    label.textContent = caption;
    marks.push(dot, label);
  };
  mark(tree.start, "start", "k-watch", 20, 6);
  // Names only while they fit; every event has its name as a tooltip and in the list below.
  const labelled = tree.children.length <= 8;
  tree.children.forEach((e, i) =>
    mark(e.timestamp, e.name, e.outOfRange ? "k-bad" : "k-heartbeat", i % 2 ? 80 : 70, 4, labelled ? e.name : ""));
  if (tree.end != null) mark(tree.end, "end", "k-session", 20, 6);
  chart.replaceChildren(...marks);
  chart.dataset.events = String(tree.children.length);
}

async function refreshHealth() {
  const badge = $("health");
  try {
    const response = await fetch("/health");
    const health = await response.json();
    badge.textContent = health.status;
    badge.className = "badge " + (response.ok ? "ok" : "bad");
  } catch (error) {
    badge.textContent = "unreachable";
    badge.className = "badge bad";
  }
}

function refreshAll() {
  for (const refresh of [refreshHealth, refreshIngest, refreshTop, refreshContent, refreshAds, refreshSessions]) refresh().catch(() => {});
}

// ?movie=, ?user= and ?session= choose what the panels show, so a view can be linked.
const query = new URLSearchParams(location.search);
for (const [name, input] of [["movie", "movie-input"], ["user", "user-input"], ["session", "session-input"]]) {
  if (query.get(name)) $(input).value = query.get(name);
}

for (const id of ["top-form", "movie-form", "user-form", "session-form"]) {
  $(id).addEventListener("submit", (event) => { event.preventDefault(); refreshAll(); });
}
every(5, "ingest", refreshHealth);
every(2, "ingest", refreshIngest);
every(3, "content", refreshContent);
every(10, "content", refreshTop);
$("top-range").addEventListener("change", () => refreshTop().catch(() => {}));
every(5, "ads", refreshAds);
every(3, "sessions", refreshSessions);
resumeStream.restart();
