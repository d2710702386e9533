/* The headline tiles: one per summary field, with the change against the previous period and against the
 * same dates last year (the API's compare=previous&compare=last_year). */
import { els } from "./dom.js";
import { label, num, pct, signed, signedPct, t } from "./i18n.js";
import { TILES } from "./labels.js";
import { selection, state } from "./state.js";

const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
const arrow = (d) => (d > 0 ? "▲" : d < 0 ? "▼" : "=");
const deltaClass = (d) => (d > 0 ? "up" : d < 0 ? "down" : "flat");
// Each tile's comparison lines: the element's class, the compared summary and the words after the change.
const COMPARED = [["delta", "previous", "vsPrev"], ["delta-year", "last_year", "vsLastYear"]];

export function buildTiles() {
  els.tiles.replaceChildren(
    ...Object.keys(TILES).map((field) => {
      const tile = document.createElement("div");
      tile.className = "tile";
      tile.dataset.tile = field;
      tile.setAttribute("role", "group");
      const id = `tile-${field.replace(".", "-")}`;
      tile.setAttribute("aria-labelledby", id);
      tile.innerHTML = `<div class="name" id="${id}"></div><div class="value" data-field="${field}">–</div>`
        + COMPARED.map(([kind]) => `<div class="${kind}"></div>`).join("");
      return tile;
    }),
  );
}

export function renderTiles() {
  const cur = state.current;
  const compared = state.compared && state.compared.key === selection() ? state.compared : {};
  for (const tile of els.tiles.children) {
    const field = tile.dataset.tile;
    tile.querySelector(".name").textContent = label(TILES, field);
    const valueEl = tile.querySelector(".value");
    if (!cur) continue;
    const isRate = field.endsWith("rate");
    const value = pick(cur, field);
    valueEl.dataset.value = value == null ? "" : String(value);
    valueEl.textContent = value == null ? "–" : isRate ? pct(value) : num(value);
    for (const [kind, period, words] of COMPARED) {
      const el = tile.querySelector(`.${kind}`);
      const before = compared[period] ? pick(compared[period], field) : undefined;
      renderDelta(el, kind, isRate, value, before, t()[words]);
      if (kind === "delta" && isRate && value == null) el.textContent = t().noRate;
    }
  }
}

// One comparison line; data-diff holds the exact change (tests compare it with the API's).
function renderDelta(el, kind, isRate, value, before, vs) {
  el.className = kind;
  el.textContent = "";
  delete el.dataset.diff;
  if (before === undefined || value == null || before == null) return;
  const diff = value - before;
  if (isRate) {
    el.dataset.diff = diff.toFixed(4);
    el.textContent = `${arrow(diff)} ${signed(diff * 100, 1)} ${t().points} ${vs}`;
  } else {
    el.dataset.diff = String(diff);
    let rel = "";
    if (diff !== 0) rel = before > 0 ? ` (${signedPct(diff / before)})` : ` (${t().newFromZero})`;
    el.textContent = diff === 0 ? `= ${t().noChange} ${vs}` : `${arrow(diff)} ${signed(diff, 0)}${rel} ${vs}`;
  }
  el.classList.add(deltaClass(diff));
}
