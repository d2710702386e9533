/* Drilling down the region panel: a kota's bar (or its name in the table) opens its kecamatan; a
 * kecamatan's narrows the tiles and the time series to it (kecamatan=; the API has no kelurahan breakdown,
 * so there is no level below). The breadcrumb, or the browser's Back, goes up again; the URL keeps the
 * level (drill=31.71, kecamatan=31.71.01). */
import { refresh } from "./api.js";
import { apply } from "./controls.js";
import { els } from "./dom.js";
import { t } from "./i18n.js";
import { fillFilterOptions } from "./scope.js";
import { filterParts, saveUrl, state, urlFilter } from "./state.js";

const KOTA = /^\d\d\.\d\d$/;
const KECAMATAN = /^\d\d\.\d\d\.\d\d$/;

// The rows a region breakdown shows: every kota, or the kecamatan of the kota it was fetched for.
export const regionRows = (region) =>
  region.drill ? region.rows.filter((r) => r.key.startsWith(`${region.drill}.`)) : region.rows;

export function drillInto(key) {
  if (KECAMATAN.test(key) && key.startsWith(`${state.drill}.`)) return narrow(`kecamatan:${key}`);
  if (!KOTA.test(key) || state.drill === key) return;
  state.drill = key;
  saveUrl(true);
  renderCrumbs();
  refresh();
}

// Up to all of Jakarta (leaving a kecamatan's figures too), or from a kecamatan up to its kota.
function goUp(level) {
  const inKecamatan = filterParts()[0] === "kecamatan";
  if (level === "kota") return inKecamatan && narrow("");
  state.drill = "";
  fillFilterOptions("kecamatan", []);
  if (inKecamatan) return narrow("");
  saveUrl(true);
  renderCrumbs();
  refresh();
}

// A new filter for the tiles and the series, as the filter menu would choose it.
function narrow(filter) {
  state.filter = filter;
  els.filter.value = filter;
  saveUrl(true);
  renderCrumbs();
  apply();
}

// Chart.js onClick: the bar clicked.
export function drillFromChart(event, bars) {
  const region = state.data.region;
  if (bars.length && region && region.drill === state.drill) drillInto(regionRows(region)[bars[0].index].key);
}

export function renderCrumbs() {
  const tx = t();
  const [kind, value] = filterParts();
  const path = [["all", tx.allRegions]];
  if (state.drill) path.push(["kota", state.kotaNames[state.drill] || state.drill]);
  if (state.drill && kind === "kecamatan") path.push(["kecamatan", state.kecamatanNames[value] || value]);
  els.crumbs.setAttribute("aria-label", tx.regionLevels);
  const list = document.createElement("ol");
  for (const [i, [level, name]] of path.entries()) {
    const last = i === path.length - 1;
    const crumb = document.createElement(last ? "span" : "button");
    crumb.textContent = name;
    if (last) crumb.setAttribute("aria-current", "page");
    else Object.assign(crumb, { type: "button", className: "crumb" }).dataset.up = level;
    const item = document.createElement("li");
    item.append(crumb);
    list.append(item);
  }
  els.crumbs.replaceChildren(list);
  els.regionHint.textContent = state.drill ? tx.drilledHint(path[1][1]) : tx.drillHint;
}

export function listenDrill() {
  els.regionTable.addEventListener("click", (e) => {
    const button = e.target.closest("[data-drill]");
    if (button) drillInto(button.dataset.drill);
  });
  els.crumbs.addEventListener("click", (e) => {
    const up = e.target.closest("[data-up]");
    if (up) goUp(up.dataset.up);
  });
  window.addEventListener("popstate", () => {
    const found = new URLSearchParams(location.search);
    state.drill = KOTA.test(found.get("drill") || "") ? found.get("drill") : "";
    renderCrumbs();
    if (urlFilter(found) === state.filter) return refresh();
    state.filter = urlFilter(found);
    els.filter.value = state.filter;
    apply();
  });
}
