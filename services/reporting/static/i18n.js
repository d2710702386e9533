/* Words and numbers in the chosen language. */
import { state } from "./state.js";
import { TEXT } from "./text.js";

export const t = () => TEXT[state.lang];
const locale = () => (state.lang === "id" ? "id-ID" : "en-GB");

// The name of one of the API's words (labels.js); a missing one shows as its key and as a console error.
export function label(names, key) {
  const found = names[key]?.[state.lang];
  if (found) return found;
  console.error(`dashboard: no "${state.lang}" label for "${key}": add it to static/labels.js`);
  return key;
}

// null: a small count (1–4) the server withholds from the public (PRODUCT.md §3).
export const num = (v) => (v == null ? "< 5" : new Intl.NumberFormat(locale()).format(v));
export const pct = (v, digits = 1) =>
  new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
export const signed = (v, digits) =>
  (v > 0 ? "+" : v < 0 ? "−" : "") +
  new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Math.abs(v));
export const signedPct = (v) => (v > 0 ? "+" : "−") + pct(Math.abs(v));

export const day = (iso) =>
  new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
    .format(new Date(`${iso}T00:00:00Z`));
export const longDay = (iso) =>
  new Intl.DateTimeFormat(locale(), { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(`${iso}T00:00:00Z`));
export const periodText = (a, b) => (a === b ? day(a) : `${day(a)} – ${day(b)}`);
export const clock = (d) => d.toLocaleTimeString(locale(), { hour12: false });
