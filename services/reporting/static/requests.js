/* What each panel asks the API for: the same request feeds its chart and its downloads. */
import { daysIn, intervalFor } from "./dates.js";
import { filterParams, state, targetYear } from "./state.js";

// panel → [path, query]: the tiles' comparisons, the funnel, the series, the region breakdown (kota, or
// the kecamatan of the kota drilled into), the breakdown by the chosen dimension and the achievement.
export function panelRequests() {
  const period = { from: state.from, to: state.to };
  const metric = state.metric;
  const interval = intervalFor(daysIn(state.from, state.to));
  return {
    tiles: ["/metrics/summary", { ...period, ...filterParams(), compare: ["previous", "last_year"] }],
    funnel: ["/metrics/funnel", period],
    series: ["/metrics/timeseries", { ...period, metric, interval, ...filterParams() }],
    // The breakdown takes no kota= (yet): the drilled kota's rows are picked from all of Jakarta's.
    region: ["/metrics/breakdown", { ...period, metric, by: state.drill ? "kecamatan" : "kota" }],
    dimension: ["/metrics/breakdown", { ...period, metric, by: state.by }],
    achievement: ["/metrics/achievement", { year: targetYear() }],
  };
}

// A query value that is a list repeats its parameter (compare=previous&compare=last_year).
export function url([path, query]) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) for (const one of [].concat(value)) q.append(name, one);
  return `${path}?${q}`;
}
