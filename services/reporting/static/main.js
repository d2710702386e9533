/* Jakpreneur live dashboard: tiles, funnel, time series, breakdowns (by region, drilling from kota to
 * kecamatan, and by a chosen dimension) and achievement against targets over the reporting API, live over
 * SSE (/metrics/stream); panels refresh, debounced, on every summary event. ES modules, no build step:
 * labels.js + text.js (words), state.js (choices, URL), requests.js + api.js (fetching), stream.js (SSE),
 * tiles.js, panels.js + charts.js (charts), drill.js (region levels), achievement.js, downloads.js (files
 * and pictures), scope.js, controls.js, signin.js. This module starts the page. */
import { apply, listen, renderTexts, setPreset } from "./controls.js";
import { presetRange } from "./dates.js";
import { els } from "./dom.js";
import { buildDownloads } from "./downloads.js";
import { onSignedIn } from "./signin.js";
import { state } from "./state.js";
import { buildTiles } from "./tiles.js";

if (state.preset !== "custom" || !state.from || !state.to) {
  if (state.preset === "custom") state.preset = "year";
  [state.from, state.to] = presetRange(state.preset);
}
setPreset(state.preset);
els.from.value = state.from;
els.to.value = state.to;
onSignedIn(apply);
listen();
buildTiles();
buildDownloads();
renderTexts();
apply();
