/* The figures behind the panels and the tiles' comparisons, fetched again (debounced) on every summary. */
import { renderAchievement } from "./achievement.js";
import { renderDownloads } from "./downloads.js";
import { regionRows, renderCrumbs } from "./drill.js";
import { els } from "./dom.js";
import { t } from "./i18n.js";
import { renderCharts } from "./panels.js";
import { fillFilterOptions } from "./scope.js";
import { signIn } from "./signin.js";
import { panelRequests, url } from "./requests.js";
import { selection, state } from "./state.js";
import { renderTiles } from "./tiles.js";

const REFRESH_DEBOUNCE_MS = 400;
const MENUS = { kota: "kotaGroup", agency: "agencyGroup" }; // filter menus filled from breakdown rows
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

// job → [the text key naming it in an error, its request]
function jobs() {
  const panels = panelRequests();
  const found = {
    compared: ["summaryName", panels.tiles],
    funnel: ["funnelName", panels.funnel],
    series: ["seriesName", panels.series],
    region: ["breakdownName", panels.region],
    dimension: ["breakdownName", panels.dimension],
    achievement: ["achievementName", panels.achievement],
  };
  // A filter menu no panel fills (the region panel drilled in, another dimension chosen) is fetched once.
  const shown = [panels.region[1].by, panels.dimension[1].by];
  for (const [by, group] of Object.entries(MENUS)) {
    if (shown.includes(by) || els[group].children.length) continue;
    found[`menu-${by}`] = ["breakdownName", ["/metrics/breakdown", { ...panels.funnel[1], metric: "registered", by }]];
  }
  return found;
}

export async function refresh() {
  clearTimeout(refreshTimer);
  const gen = ++refreshGen;
  const key = selection();
  const { metric, interval } = panelRequests().series[1];
  const drill = state.drill;
  const asked = Object.entries(jobs());
  const results = await Promise.allSettled(asked.map(([, [, request]]) => getJSON(url(request))));
  if (gen !== refreshGen) return; // a newer refresh (other period, filter, metric, level) superseded this one
  const failed = results.map((r, i) => (r.status === "rejected" ? t()[asked[i][1][0]] : null)).filter(Boolean);
  els.formError.hidden = failed.length === 0;
  els.formError.textContent = failed.length ? t().loadFailed([...new Set(failed)].join(", ")) : "";
  const got = Object.fromEntries(asked.map(([name], i) => [name, results[i].value ?? null]));
  if (got.compared) state.compared = { key, ...got.compared.compared };
  if (got.funnel) state.data.funnel = got.funnel;
  if (got.series) state.data.series = { ...got.series, metric, interval };
  if (got.region) state.data.region = { ...got.region, metric, drill };
  if (got.dimension) state.data.dimension = { ...got.dimension, metric };
  if (got.achievement) state.data.achievement = got.achievement;
  for (const found of [got.region, got.dimension, got["menu-kota"], got["menu-agency"]]) {
    if (found && MENUS[found.by]) fillFilterOptions(found.by, found.rows);
  }
  if (got.region && drill) fillFilterOptions("kecamatan", regionRows(state.data.region)); // the kota's only
  renderTiles();
  renderCharts();
  renderCrumbs();
  renderAchievement();
  renderDownloads();
  document.body.dataset.refreshed = String(gen); // lets tests wait for a finished refresh
}
