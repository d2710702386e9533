/* The figures behind the charts and the tiles' comparison, fetched again (debounced) on every summary. */
import { previousRange } from "./dates.js";
import { renderDownloads } from "./downloads.js";
import { els } from "./dom.js";
import { t } from "./i18n.js";
import { renderCharts } from "./panels.js";
import { fillFilterOptions } from "./scope.js";
import { signIn } from "./signin.js";
import { panelRequests, url } from "./requests.js";
import { filterParams, selection, state } from "./state.js";
import { renderTiles } from "./tiles.js";

const REFRESH_DEBOUNCE_MS = 400;
let refreshTimer = null;
let refreshGen = 0;

export function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, REFRESH_DEBOUNCE_MS);
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { accept: "application/json" }, credentials: "same-origin" });
  if (response.status === 401) signIn();
  if (!response.ok) throw new Error(`${response.status} ${path}`);
  return response.json();
}

export async function refresh() {
  clearTimeout(refreshTimer);
  const gen = ++refreshGen;
  const key = selection();
  const [pf, pt] = previousRange(state.from, state.to);
  const panels = panelRequests();
  const { metric, interval } = panels.series[1];
  const jobs = [
    ["summaryName", getJSON(url(["/metrics/summary", { from: pf, to: pt, ...filterParams() }]))],
    ["funnelName", getJSON(url(panels.funnel))],
    ["seriesName", getJSON(url(panels.series))],
    ["breakdownName", getJSON(url(panels.kota))],
    ["breakdownName", getJSON(url(panels.agency))],
  ];
  const results = await Promise.allSettled(jobs.map(([, p]) => p));
  if (gen !== refreshGen) return; // a newer refresh (other period, filter or metric) superseded this one
  const failed = results.map((r, i) => (r.status === "rejected" ? t()[jobs[i][0]] : null)).filter(Boolean);
  els.formError.hidden = failed.length === 0;
  els.formError.textContent = failed.length ? t().loadFailed([...new Set(failed)].join(", ")) : "";
  const [prev, funnel, series, kota, agency] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
  if (prev) state.previous = { key, summary: prev };
  if (funnel) state.data.funnel = funnel;
  if (series) state.data.series = { ...series, metric, interval };
  if (kota) { state.data.kota = { ...kota, metric }; fillFilterOptions("kota", kota.rows); }
  if (agency) { state.data.agency = { ...agency, metric }; fillFilterOptions("agency", agency.rows); }
  renderTiles();
  renderCharts();
  renderDownloads();
  document.body.dataset.refreshed = String(gen); // lets tests wait for a finished refresh
}
