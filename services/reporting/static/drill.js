/* Drilling down the region panel: a kota's bar (or its name in the table) opens its kecamatan; the
 * breadcrumb, or the browser's Back, returns to all of Jakarta. The level is in the URL (drill=31.71).
 * The API has no kelurahan breakdown, so a kecamatan is the deepest level. */
import { refresh } from "./api.js";
import { els } from "./dom.js";
import { t } from "./i18n.js";
import { saveUrl, state } from "./state.js";

const KOTA = /^\d\d\.\d\d$/;

// The rows a region breakdown shows: every kota, or the kecamatan of the kota it was fetched for.
export const regionRows = (region) =>
  region.drill ? region.rows.filter((r) => r.key.startsWith(`${region.drill}.`)) : region.rows;

export function drillInto(kota) {
  if (state.drill === kota || !KOTA.test(kota)) return;
  state.drill = kota;
  saveUrl(true);
  renderCrumbs();
  refresh();
}

function drillOut() {
  state.drill = "";
  saveUrl(true);
  renderCrumbs();
  refresh();
}

// Chart.js onClick: the bar clicked, at kota level.
export function drillFromChart(event, bars) {
  const region = state.data.region;
  if (!bars.length || !region || region.drill) return;
  drillInto(regionRows(region)[bars[0].index].key);
}

export function renderCrumbs() {
  const tx = t();
  const name = state.kotaNames[state.drill] || state.drill;
  els.crumbs.setAttribute("aria-label", tx.regionLevels);
  const root = state.drill
    ? `<button type="button" class="crumb" data-up>${tx.allRegions}</button>`
    : `<span aria-current="page">${tx.allRegions}</span>`;
  const here = state.drill ? `<li><span aria-current="page" data-kota="${state.drill}"></span></li>` : "";
  els.crumbs.innerHTML = `<ol><li>${root}</li>${here}</ol>`;
  if (state.drill) els.crumbs.querySelector("[data-kota]").textContent = name;
  els.regionHint.textContent = state.drill ? tx.drilledHint(name) : tx.drillHint;
}

export function listenDrill() {
  els.regionTable.addEventListener("click", (e) => {
    const button = e.target.closest("[data-drill]");
    if (button) drillInto(button.dataset.drill);
  });
  els.crumbs.addEventListener("click", (e) => {
    if (e.target.closest("[data-up]")) drillOut();
  });
  window.addEventListener("popstate", () => {
    const drill = new URLSearchParams(location.search).get("drill") || "";
    state.drill = KOTA.test(drill) ? drill : "";
    renderCrumbs();
    refresh();
  });
}
