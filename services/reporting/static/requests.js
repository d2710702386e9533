/* What each panel asks the API for: the same request feeds its chart and its downloads. */
import { daysIn, intervalFor } from "./dates.js";
import { filterParams, state } from "./state.js";

// panel → [path, query]: the tiles' summary, the funnel, the series and the two breakdowns.
export function panelRequests() {
  const period = { from: state.from, to: state.to };
  const metric = state.metric;
  const interval = intervalFor(daysIn(state.from, state.to));
  return {
    tiles: ["/metrics/summary", { ...period, ...filterParams(), compare: "previous" }],
    funnel: ["/metrics/funnel", period],
    series: ["/metrics/timeseries", { ...period, metric, interval, ...filterParams() }],
    kota: ["/metrics/breakdown", { ...period, metric, by: "kota" }],
    agency: ["/metrics/breakdown", { ...period, metric, by: "agency" }],
  };
}

export const url = ([path, query]) => `${path}?${new URLSearchParams(query)}`;
