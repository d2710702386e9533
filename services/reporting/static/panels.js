/* The four panels: the funnel, the time series and the breakdowns by kota and by agency. */
import { ACCENT, HIGHLIGHT, chart, describe, table } from "./charts.js";
import { day, label, num, pct, t } from "./i18n.js";
import { INTERVALS, METRICS, STAGES } from "./labels.js";
import { filterParts, state } from "./state.js";

const shortKota = (name) => name.replace(/^(Kota|Kabupaten) Administrasi /, "");

export function renderCharts() {
  const tx = t();
  const { funnel, series, kota, agency } = state.data;
  if (funnel) renderFunnel(tx, funnel);
  if (series) renderSeries(tx, series);
  if (kota) renderBreakdown(tx, kota, "kota", tx.kotaCol, tx.chartKota);
  if (agency) renderBreakdown(tx, agency, "agency", tx.agencyCol, tx.chartAgency);
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

function renderBreakdown(tx, data, by, col, chartKind) {
  const [kind, selected] = filterParts();
  const labels = data.rows.map((r) => (by === "kota" ? shortKota(r.label) : r.key));
  const colors = data.rows.map((r) => (kind === by && r.key === selected ? HIGHLIGHT : ACCENT));
  const c = chart(`${by}-chart`, "bar", {
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { title: (items) => data.rows[items[0].dataIndex].label } },
    },
  });
  if (c) {
    c.data.labels = labels;
    c.data.datasets[0].data = data.rows.map((r) => r.value);
    c.data.datasets[0].backgroundColor = colors;
    c.data.datasets[0].borderColor = colors;
    c.update("none");
  }
  const parts = data.rows.map((r, i) => `${labels[i]} ${num(r.value)}`).join(", ");
  describe(`${by}-chart`, `${by}-caption`, chartKind, tx.breakdownCaption(label(METRICS, data.metric), parts));
  table(`${by}-table`, [col, tx.valueCol], data.rows.map((r) => [r.label, num(r.value)]));
}
