/* Chart.js charts (vendored in /static/vendor/, no CDN) with a data table as their text alternative.
 * Without Chart.js the tables are shown instead. */
import { $ } from "./dom.js";

export const ACCENT = "#0b5cad";
export const HIGHLIGHT = "#b35900";
const charts = {};

// The chart on canvas `id`, made once; null when Chart.js did not load.
export function chart(id, type, extra = {}) {
  if (!window.Chart) return null;
  if (!charts[id]) {
    charts[id] = new window.Chart($(id), {
      type,
      data: { labels: [], datasets: [{ data: [], backgroundColor: ACCENT, borderColor: ACCENT, borderWidth: 2, pointRadius: 2, fill: false, tension: 0.2 }] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { color: "#1b1f24" } }, y: { beginAtZero: true, ticks: { color: "#1b1f24", precision: 0 } } },
        ...extra,
      },
    });
  }
  return charts[id];
}

// `drill`: per row, a key its row header offers as a button (data-drill), or null.
export function table(id, head, rows, drill = null) {
  const el = $(id);
  const thead = `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>`;
  const name = (r, i) =>
    drill && drill[i] ? `<button type="button" class="drill" data-drill="${esc(drill[i])}">${esc(r[0])}</button>` : esc(r[0]);
  const body = rows.map((r, i) => `<tr><th scope="row">${name(r, i)}</th>${r.slice(1).map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`);
  el.innerHTML = `${thead}<tbody>${body.join("")}</tbody>`;
  el.parentElement.className = window.Chart ? "sr-only" : "";
}
export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

export function describe(canvasId, captionId, kind, text) {
  $(captionId).textContent = text;
  $(canvasId).setAttribute("aria-label", `${kind}. ${text}`);
}
