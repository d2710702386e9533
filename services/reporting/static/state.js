/* What the dashboard shows and what it last received; the URL keeps the choices, so a link reopens them. */
import { PICKER_METRICS } from "./labels.js";
import { TEXT } from "./text.js";

const params = new URLSearchParams(location.search);
export const state = {
  lang: params.get("lang") || localStorage.getItem("jp-lang") || "id",
  preset: params.get("preset") || (params.get("from") ? "custom" : "year"),
  from: params.get("from") || "",
  to: params.get("to") || "",
  filter: params.get("kota") ? `kota:${params.get("kota")}` : params.get("agency") ? `agency:${params.get("agency")}` : "",
  metric: PICKER_METRICS.includes(params.get("metric")) ? params.get("metric") : "registered",
  current: null, // latest summary from the stream
  previous: null, // {key, summary} for the previous period of equal length
  lastUpdate: null,
  connected: false,
  kotaNames: {}, agencyNames: {},
  data: { funnel: null, series: null, kota: null, agency: null },
};
if (!TEXT[state.lang]) state.lang = "id";

// The period and filter the figures are for: a previous period's summary counts only while they hold.
export const selection = () => `${state.from}|${state.to}|${state.filter}`;

// ["kota", "31.71"], ["agency", "PPKUKM"] or ["", ""] for all of Jakarta.
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

export const filterName = () => {
  if (!state.filter) return "";
  const [kind, value] = filterParts();
  return kind === "kota" ? state.kotaNames[value] || value : `${value} (${state.agencyNames[value] || value})`;
};

export function saveUrl() {
  const q = new URLSearchParams({ preset: state.preset, from: state.from, to: state.to, ...filterParams() });
  if (state.metric !== "registered") q.set("metric", state.metric);
  if (state.lang !== "id") q.set("lang", state.lang);
  history.replaceState(null, "", `${location.pathname}?${q}`);
}
