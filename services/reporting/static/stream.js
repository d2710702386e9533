/* The live summary over SSE (/metrics/stream), and the status line that says whether it is live. */
import { scheduleRefresh } from "./api.js";
import { els } from "./dom.js";
import { clock, t } from "./i18n.js";
import { filterParams, query, state } from "./state.js";
import { renderTiles } from "./tiles.js";

const RETRY_MS = [1000, 2000, 5000, 10000];
let source = null;
let streamGen = 0;
let retryTimer = null;
let retries = 0;

export function connect() {
  if (source) source.close();
  clearTimeout(retryTimer);
  const gen = ++streamGen;
  state.connected = false;
  renderStatus();
  source = new EventSource(`/metrics/stream?${query(filterParams())}`);
  source.addEventListener("summary", (e) => {
    if (gen !== streamGen) return;
    const summary = JSON.parse(e.data);
    if (summary.from !== state.from || summary.to !== state.to) return;
    retries = 0;
    state.current = summary;
    state.connected = true;
    state.lastUpdate = new Date();
    renderTiles();
    renderStatus();
    scheduleRefresh();
  });
  source.onerror = () => {
    if (gen !== streamGen) return;
    state.connected = false;
    renderStatus();
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up (e.g. an HTTP error): retry ourselves, backing off.
      retryTimer = setTimeout(connect, RETRY_MS[Math.min(retries++, RETRY_MS.length - 1)]);
    }
  };
}

export function reconnect() {
  retries = 0;
  connect();
}

export function renderStatus() {
  const s = els.status;
  const when = state.lastUpdate ? clock(state.lastUpdate) : "";
  if (state.connected) {
    s.className = "live";
    s.textContent = t().live(when);
  } else if (state.lastUpdate) {
    s.className = "stale";
    s.textContent = t().stale(when);
  } else {
    s.className = "connecting";
    s.textContent = t().connecting;
  }
  s.dataset.state = s.className;
  els.reconnect.hidden = state.connected;
  els.tiles.parentElement.classList.toggle("stale-data", !state.connected && !!state.lastUpdate);
}
