/* Every panel offers its figures as a file — CSV or Excel, the API's own export (format=, lang=) of the
 * request the panel shows — and every chart as a PNG picture with its title and period. */
import { $ } from "./dom.js";
import { label, periodText, t } from "./i18n.js";
import { DIMENSIONS } from "./labels.js";
import { panelRequests, url } from "./requests.js";
import { filterName, state, targetYear } from "./state.js";

const FILES = ["csv", "xlsx"];
// panel → its name, as its heading says it; every panel but the tiles and the achievement has a chart.
const PANELS = {
  tiles: (tx) => tx.headline,
  funnel: (tx) => tx.funnel,
  series: (tx) => tx.series,
  region: (tx) => `${tx.byRegion}${state.drill ? `: ${state.kotaNames[state.drill] || state.drill}` : ""}`,
  dimension: (tx) => tx.byWhat(label(DIMENSIONS, state.by)),
  achievement: (tx) => `${tx.achievement} ${targetYear()}`,
};
const CHARTLESS = ["tiles", "achievement"];

export function buildDownloads() {
  for (const panel of Object.keys(PANELS)) {
    const links = FILES.map((format) => {
      const link = document.createElement("a");
      link.className = "download";
      link.dataset.format = format;
      link.textContent = format.toUpperCase();
      return link;
    });
    if (!CHARTLESS.includes(panel)) {
      const png = document.createElement("button");
      png.type = "button";
      png.className = "download";
      png.dataset.format = "png";
      png.textContent = "PNG";
      png.addEventListener("click", () => savePicture(panel));
      links.push(png);
    }
    $(`${panel}-downloads`).replaceChildren(...links);
  }
}

// Each link follows the panel's current request and the page's language.
export function renderDownloads() {
  const tx = t();
  const requests = panelRequests();
  for (const [panel, name] of Object.entries(PANELS)) {
    const [path, query] = requests[panel];
    for (const el of $(`${panel}-downloads`).children) {
      const format = el.dataset.format;
      el.setAttribute("aria-label", tx.downloadAs(name(tx), format.toUpperCase()));
      if (format === "png") { el.hidden = !window.Chart; continue; }
      el.href = url([path, { ...query, format, lang: state.lang }]);
      el.download = "";
    }
  }
}

// The chart on a white page under its heading, period and filter, as the chart is drawn now.
function savePicture(panel) {
  const chart = $(`${panel}-chart`);
  const scale = window.devicePixelRatio || 1;
  const head = Math.round(52 * scale);
  const out = document.createElement("canvas");
  out.width = chart.width;
  out.height = chart.height + head;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = "#1b1f24";
  ctx.font = `600 ${Math.round(16 * scale)}px system-ui, "DejaVu Sans", sans-serif`;
  ctx.fillText(PANELS[panel](t()), 8 * scale, 20 * scale);
  ctx.font = `${Math.round(13 * scale)}px system-ui, "DejaVu Sans", sans-serif`;
  const [, query] = panelRequests()[panel];
  const only = query.kota || query.agency ? filterName() : ""; // the funnel and breakdowns cover all Jakarta
  const scope = [periodText(state.from, state.to), only].filter(Boolean).join(" · ");
  ctx.fillText(scope, 8 * scale, 40 * scale);
  ctx.drawImage(chart, 0, head);
  const link = document.createElement("a");
  link.href = out.toDataURL("image/png");
  link.download = `jakpreneur-${panel}-${state.from}_${state.to}.png`;
  link.click();
}
