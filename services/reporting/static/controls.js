/* The period, filter, metric, breakdown, target year and language controls, and what each change redraws
 * or fetches. */
import { renderAchievement } from "./achievement.js";
import { refresh } from "./api.js";
import { presetRange } from "./dates.js";
import { renderDownloads } from "./downloads.js";
import { els } from "./dom.js";
import { label, t } from "./i18n.js";
import { listenDrill, renderCrumbs } from "./drill.js";
import { DIMENSIONS, METRICS, PICKER_METRICS } from "./labels.js";
import { renderCharts } from "./panels.js";
import { renderDateWords, renderScope } from "./scope.js";
import { saveUrl, state } from "./state.js";
import { connect, reconnect, renderStatus } from "./stream.js";
import { renderTiles } from "./tiles.js";

// A new period or filter: forget the old figures, reconnect the stream and fetch the charts.
export function apply() {
  state.current = null;
  for (const tile of els.tiles.querySelectorAll(".value")) { tile.textContent = "…"; delete tile.dataset.value; }
  saveUrl();
  renderScope();
  connect();
  refresh();
}

export function setPreset(preset) {
  state.preset = preset;
  for (const radio of els.form.elements.preset) radio.checked = radio.value === preset;
  if (preset !== "custom") [els.from.value, els.to.value] = presetRange(preset);
}

export function renderTexts() {
  const tx = t();
  document.documentElement.lang = state.lang;
  document.title = `Jakpreneur — ${tx.headline}`;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const value = tx[el.dataset.i18n];
    if (typeof value === "string") el.textContent = value;
  }
  els.kotaGroup.label = tx.kotaGroup;
  els.agencyGroup.label = tx.agencyGroup;
  els.lang.textContent = tx.switchTo;
  els.lang.lang = state.lang === "id" ? "en" : "id";
  els.lang.setAttribute("aria-label", tx.switchLabel);
  fillChoices(els.metric, PICKER_METRICS, METRICS, state.metric);
  fillChoices(els.by, Object.keys(DIMENSIONS), DIMENSIONS, state.by);
  renderScope();
  renderTiles();
  renderStatus();
  renderCharts();
  renderCrumbs();
  renderAchievement();
  renderDownloads();
}

function fillChoices(select, keys, names, chosen) {
  select.replaceChildren(
    ...keys.map((key) => {
      const option = document.createElement("option");
      option.value = key;
      option.textContent = label(names, key);
      return option;
    }),
  );
  select.value = chosen;
}

export function listen() {
  for (const radio of els.form.elements.preset) {
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      setPreset(radio.value);
      if (radio.value === "custom") { els.from.focus(); return; }
      state.from = els.from.value;
      state.to = els.to.value;
      els.formError.hidden = true;
      apply();
    });
  }
  for (const input of [els.from, els.to]) {
    input.addEventListener("input", () => { setPreset("custom"); renderDateWords(); });
  }

  els.form.addEventListener("submit", (e) => {
    e.preventDefault();
    const from = els.from.value, to = els.to.value;
    if (!from || !to || from > to) {
      els.formError.textContent = t().badRange;
      els.formError.hidden = false;
      return;
    }
    els.formError.hidden = true;
    state.from = from;
    state.to = to;
    apply();
  });

  els.filter.addEventListener("change", () => { state.filter = els.filter.value; apply(); });
  els.metric.addEventListener("change", () => { state.metric = els.metric.value; saveUrl(); refresh(); });
  els.by.addEventListener("change", () => { state.by = els.by.value; saveUrl(); refresh(); });
  els.year.addEventListener("change", () => {
    const year = Number(els.year.value);
    els.formError.hidden = Number.isInteger(year) && year >= 2018 && year <= 2100;
    els.formError.textContent = els.formError.hidden ? "" : t().badYear;
    if (!els.formError.hidden) return;
    state.year = String(year);
    saveUrl();
    refresh();
  });
  listenDrill();
  els.reconnect.addEventListener("click", reconnect);
  els.lang.addEventListener("click", () => {
    state.lang = state.lang === "id" ? "en" : "id";
    localStorage.setItem("jp-lang", state.lang);
    saveUrl();
    renderTexts();
  });
}
