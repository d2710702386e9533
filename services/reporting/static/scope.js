/* What the figures cover: the scope line, the comparison note, the dates in words and the filter menu. */
import { lastYearRange, previousRange } from "./dates.js";
import { els } from "./dom.js";
import { longDay, periodText, t } from "./i18n.js";
import { filterName, state } from "./state.js";

export function renderScope() {
  const p = periodText(state.from, state.to);
  els.scope.textContent = state.filter ? t().scopeFiltered(p, filterName()) : t().scopeAll(p);
  const [pf, pt] = previousRange(state.from, state.to);
  const [yf, yt] = lastYearRange(state.from, state.to);
  els.compare.textContent = t().compare(periodText(pf, pt), periodText(yf, yt));
  renderDateWords();
}

// The date inputs draw their own format; beside each, its day in words, in the page's language.
export function renderDateWords() {
  for (const [input, words] of [[els.from, els.fromWords], [els.to, els.toWords]]) {
    input.lang = state.lang;
    words.textContent = input.value ? longDay(input.value) : "";
  }
}

// The filter menu is filled from breakdown rows of each kind (every kota or agency, zero-filled; the
// kecamatan of the kota the region panel drilled into).
export function fillFilterOptions(kind, rows) {
  const names = state[`${kind}Names`];
  const group = els[`${kind}Group`];
  const keys = rows.map((row) => `${kind}:${row.key}`).join();
  if ([...group.children].map((option) => option.value).join() === keys) return;
  group.hidden = rows.length === 0;
  group.replaceChildren(
    ...rows.map((row) => {
      names[row.key] = row.label;
      const option = document.createElement("option");
      option.value = `${kind}:${row.key}`;
      option.textContent = kind === "agency" ? `${row.key} — ${row.label}` : row.label;
      return option;
    }),
  );
  els.filter.value = state.filter;
  renderScope();
}
