/* What the dashboard shows and what it last received; the URL keeps the choices, so a link reopens them. */
import { DIMENSIONS, PICKER_METRICS } from "./labels.js";
import { TEXT } from "./text.js";

const params = new URLSearchParams(location.search);
// The one filter of a URL (the API takes one at a time): "kota:31.71", "kecamatan:31.71.01", "agency:PPAPP".
export const urlFilter = (found) =>
  ["kota", "kecamatan", "agency"].filter((kind) => found.get(kind)).map((kind) => `${kind}:${found.get(kind)}`)[0] || "";
export const state = {
  lang: params.get("lang") || localStorage.getItem("jp-lang") || "id",
  preset: params.get("preset") || (params.get("from") ? "custom" : "year"),
  from: params.get("from") || "",
  to: params.get("to") || "",
  filter: urlFilter(params),
  metric: PICKER_METRICS.includes(params.get("metric")) ? params.get("metric") : "registered",
  drill: /^\d\d\.\d\d$/.test(params.get("drill") || "") ? params.get("drill") : "", // a kota whose kecamatan show
  by: Object.hasOwn(DIMENSIONS, params.get("by") || "") ? params.get("by") : "agency", // the breakdown chooser's dimension
  year: /^\d{4}$/.test(params.get("year") || "") ? params.get("year") : "", // achievement's; "" = the period's
  current: null, // latest summary from the stream
  compared: null, // {key, previous, last_year}: the summaries of the previous period and of last year
  lastUpdate: null,
  connected: false,
  kotaNames: {}, kecamatanNames: {}, agencyNames: {},
  data: { funnel: null, series: null, region: null, dimension: null, achievement: null },
};
if (!TEXT[state.lang]) state.lang = "id";
// A kecamatan's figures open with the region panel at its kota.
if (!state.drill && state.filter.startsWith("kecamatan:")) state.drill = state.filter.slice(10, 15);

// The period and filter the figures are for: the compared summaries count only while they hold.
export const selection = () => `${state.from}|${state.to}|${state.filter}`;

// ["kota", "31.71"], ["kecamatan", "31.71.01"], ["agency", "PPKUKM"] or ["", ""] for all of Jakarta.
export const filterParts = () => (state.filter ? state.filter.split(/:(.*)/s) : ["", ""]);

export function filterParams() {
  const out = {};
  if (state.filter) {
    const [kind, value] = filterParts();
    out[kind] = value;
  }
  return out;
}

export const query = (extra) => new URLSearchParams({ from: state.from, to: state.to, ...extra }).toString();

// The year whose targets the achievement panel shows: the chosen one, else the year the period ends in.
export const targetYear = () => state.year || state.to.slice(0, 4);

export const filterName = () => {
  if (!state.filter) return "";
  const [kind, value] = filterParts();
  if (kind === "agency") return `${value} (${state.agencyNames[value] || value})`;
  return state[`${kind}Names`][value] || value;
};

// The choices into the URL; `push`: as a new history entry (a drill-down), so Back goes up a level.
export function saveUrl(push = false) {
  const q = new URLSearchParams({ preset: state.preset, from: state.from, to: state.to, ...filterParams() });
  if (state.metric !== "registered") q.set("metric", state.metric);
  if (state.drill) q.set("drill", state.drill);
  if (state.by !== "agency") q.set("by", state.by);
  if (state.year) q.set("year", state.year);
  if (state.lang !== "id") q.set("lang", state.lang);
  if (push) history.pushState(null, "", `${location.pathname}?${q}`);
  else history.replaceState(null, "", `${location.pathname}?${q}`);
}
