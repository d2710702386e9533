/* The headline tiles: one per summary field, with the change against the previous period. */
import { els } from "./dom.js";
import { label, num, pct, signed, signedPct, t } from "./i18n.js";
import { TILES } from "./labels.js";
import { selection, state } from "./state.js";

const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
const arrow = (d) => (d > 0 ? "▲" : d < 0 ? "▼" : "=");
const deltaClass = (d) => (d > 0 ? "up" : d < 0 ? "down" : "flat");

export function buildTiles() {
  els.tiles.replaceChildren(
    ...Object.keys(TILES).map((field) => {
      const tile = document.createElement("div");
      tile.className = "tile";
      tile.dataset.tile = field;
      tile.setAttribute("role", "group");
      const id = `tile-${field.replace(".", "-")}`;
      tile.setAttribute("aria-labelledby", id);
      tile.innerHTML = `<div class="name" id="${id}"></div><div class="value" data-field="${field}">–</div><div class="delta"></div>`;
      return tile;
    }),
  );
}

export function renderTiles() {
  const cur = state.current;
  const prev = state.previous && state.previous.key === selection() ? state.previous.summary : null;
  for (const tile of els.tiles.children) {
    const field = tile.dataset.tile;
    tile.querySelector(".name").textContent = label(TILES, field);
    const valueEl = tile.querySelector(".value");
    const deltaEl = tile.querySelector(".delta");
    if (!cur) continue;
    const isRate = field.endsWith("rate");
    const value = pick(cur, field);
    valueEl.dataset.value = value == null ? "" : String(value);
    valueEl.textContent = value == null ? "–" : isRate ? pct(value) : num(value);
    deltaEl.className = "delta";
    deltaEl.textContent = isRate && value == null ? t().noRate : "";
    delete deltaEl.dataset.diff;
    if (!prev) continue;
    const before = pick(prev, field);
    if (isRate) {
      if (value == null || before == null) continue;
      const diff = value - before;
      deltaEl.dataset.diff = diff.toFixed(4);
      deltaEl.textContent = `${arrow(diff)} ${signed(diff * 100, 1)} ${t().points} ${t().vsPrev}`;
    } else {
      const diff = value - before;
      deltaEl.dataset.diff = String(diff);
      let rel = "";
      if (diff !== 0) rel = before > 0 ? ` (${signedPct(diff / before)})` : ` (${t().newFromZero})`;
      deltaEl.textContent = diff === 0 ? `= ${t().noChange} ${t().vsPrev}` : `${arrow(diff)} ${signed(diff, 0)}${rel} ${t().vsPrev}`;
    }
    deltaEl.classList.add(deltaClass(pick(cur, field) - before));
  }
}
