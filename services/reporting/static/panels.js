/* The four charts: the funnel, the time series, the region breakdown (kota, or the kecamatan of one kota)
 * and the breakdown by the chosen dimension. */
import { ACCENT, HIGHLIGHT, chart, describe, table } from "./charts.js";
import { drillFromChart, regionRows } from "./drill.js";
import { day, label, num, pct, t } from "./i18n.js";
import { DIMENSIONS, INTERVALS, METRICS, STAGES } from "./labels.js";
import { filterParts, state } from "./state.js";

const shortKota = (name) => name.replace(/^(Kota|Kabupaten) Administrasi /, "");
const shown = {}; // panel → the rows its chart draws now (a chart's callbacks are set once)

export function renderCharts() {
  const tx = t();
  const { funnel, series, region, dimension } = state.data;
  if (funnel) renderFunnel(tx, funnel);
  if (series) renderSeries(tx, series);
  if (region) {
    const rows = regionRows(region);
    renderBreakdown(tx, "region", { ...region, rows }, rows.map((r) => r.key));
  }
  if (dimension) renderBreakdown(tx, "dimension", dimension);
}

function renderFunnel(tx, funnel) {
  const labels = funnel.stages.map((s) => label(STAGES, s.stage));
  const values = funnel.stages.map((s) => s.value);
  const c = chart("funnel-chart", "bar", {
    indexAxis: "y",
    scales: { x: { beginAtZero: true, ticks: { precision: 0, color: "#1b1f24" } }, y: { ticks: { color: "#1b1f24" } } },
  });
  if (c) { c.data.labels = labels; c.data.datasets[0].data = values; c.update("none"); }
  const conv = (s) => (s.conversion == null ? "–" : pct(s.conversion));
  const parts = funnel.stages.slice(1).map((s, i) => `${labels[i + 1]} ${num(s.value)} (${conv(s)})`).join("; ");
  describe("funnel-chart", "funnel-caption", tx.chartFunnel, tx.funnelCaption(num(values[0] || 0), parts));
  table("funnel-table", [tx.stageCol, tx.valueCol, tx.conversionCol],
    funnel.stages.map((s, i) => [labels[i], num(s.value), conv(s)]));
}

function renderSeries(tx, series) {
  const c = chart("series-chart", "line");
  if (c) {
    c.data.labels = series.points.map((p) => day(p.start));
    c.data.datasets[0].data = series.points.map((p) => p.value);
    c.update("none");
  }
  const total = series.points.reduce((a, p) => a + (p.value || 0), 0);
  const peak = series.points.reduce((best, p) => (p.value > (best ? best.value : 0) ? p : best), null);
  const peakText = peak ? tx.peakAt(num(peak.value), day(peak.start)) : "";
  describe("series-chart", "series-caption", tx.chartSeries,
    tx.seriesCaption(label(METRICS, series.metric), label(INTERVALS, series.interval), num(total), peakText));
  table("series-table", [tx.startCol, tx.valueCol], series.points.map((p) => [day(p.start), num(p.value)]));
}

// `drill`: the row keys a click drills into (the region panel's kota and kecamatan).
function renderBreakdown(tx, panel, data, drill = null) {
  const by = data.by;
  const [kind, selected] = filterParts();
  const short = (r) => (by === "agency" ? r.key : by === "kota" ? shortKota(r.label) : r.label);
  const labels = data.rows.map(short);
  shown[panel] = data.rows;
  const colors = data.rows.map((r) => (kind === by && r.key === selected ? HIGHLIGHT : ACCENT));
  const c = chart(`${panel}-chart`, "bar", {
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { title: (items) => shown[panel][items[0].dataIndex]?.label } },
    },
    ...(panel === "region" ? { onClick: drillFromChart, onHover: pointer } : {}),
  });
  if (c) {
    c.data.labels = labels;
    c.data.datasets[0].data = data.rows.map((r) => r.value);
    c.data.datasets[0].backgroundColor = colors;
    c.data.datasets[0].borderColor = colors;
    c.update("none");
  }
  const dimension = label(DIMENSIONS, by);
  const parts = data.rows.map((r, i) => `${labels[i]} ${num(r.value)}`).join(", ");
  describe(`${panel}-chart`, `${panel}-caption`, tx.chartBy(dimension), tx.breakdownCaption(label(METRICS, data.metric), parts));
  const head = [dimension.charAt(0).toUpperCase() + dimension.slice(1), tx.valueCol];
  table(`${panel}-table`, head, data.rows.map((r) => [r.label, num(r.value)]), drill);
}

// A pointer over a bar: each drills in.
function pointer(event, bars) {
  event.native.target.style.cursor = bars.length ? "pointer" : "default";
}
