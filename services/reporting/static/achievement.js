/* The achievement panel: every target of the chosen year against its year-to-date actual
 * (/metrics/achievement: target, actual, expected to date, on track). */
import { esc } from "./charts.js";
import { els } from "./dom.js";
import { label, longDay, num, pct, t } from "./i18n.js";
import { METRICS, SCOPES } from "./labels.js";
import { state, targetYear } from "./state.js";


export function renderAchievement() {
  const tx = t();
  if (document.activeElement !== els.year) els.year.value = targetYear(); // not while someone types
  els.year.lang = state.lang;
  const found = state.data.achievement;
  if (!found) return;
  els.achievementNote.textContent = found.rows.length
    ? tx.asOf(longDay(found.as_of), pct(found.elapsed_share))
    : tx.noTargets(found.year);
  const head = [tx.scopeCol, tx.metric, tx.targetCol, tx.actualCol, tx.expectedCol(longDay(found.as_of)),
    tx.shareCol, tx.onTrackCol];
  const rows = found.rows.map((r) => {
    const scope = `${label(SCOPES, r.scope)}: ${r.scope === "agency" ? r.key : r.label}`;
    const cells = [num(r.value), num(r.actual), num(r.expected_to_date), r.achievement == null ? "–" : pct(r.achievement)];
    const track = r.on_track ? `✓ ${tx.yes}` : `✗ ${tx.no}`;
    // data-*: the API's own numbers, so a test (or a script) reads them without parsing the words.
    const data = `data-row="${esc(`${r.metric}:${r.scope}:${r.key}`)}" data-target="${r.value}" data-actual="${r.actual}"`
      + ` data-expected="${r.expected_to_date}" data-on-track="${r.on_track}"`;
    return `<tr ${data}><th scope="row">${esc(scope)}</th><td>${esc(label(METRICS, r.metric))}</td>`
      + `${cells.map((c) => `<td>${esc(c)}</td>`).join("")}<td class="${r.on_track ? "up" : "down"}">${track}</td></tr>`;
  });
  els.achievementTable.innerHTML = `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>`
    + `<tbody>${rows.join("")}</tbody>`;
  els.achievementTable.hidden = rows.length === 0;
}
