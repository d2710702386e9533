/* Periods as ISO date strings, in Asia/Jakarta calendar days. */

const today = () => new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Jakarta" });
const toDate = (iso) => new Date(`${iso}T00:00:00Z`);
const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => { const d = toDate(s); d.setUTCDate(d.getUTCDate() + n); return iso(d); };

export const daysIn = (a, b) => Math.round((toDate(b) - toDate(a)) / 86400000) + 1;

export function presetRange(preset) {
  const now = today();
  if (preset === "month") return [`${now.slice(0, 7)}-01`, now];
  return [`${now.slice(0, 4)}-01-01`, now];
}

// The period of equal length just before from..to: what the tiles compare against.
export function previousRange(from, to) {
  const n = daysIn(from, to);
  return [addDays(from, -n), addDays(from, -1)];
}

export const intervalFor = (n) => (n <= 62 ? "day" : n <= 400 ? "week" : "month");

// The same dates a year earlier, 29 February as 28 February (store/periods.py a_year_earlier).
const yearBack = (s) => {
  const year = String(Number(s.slice(0, 4)) - 1).padStart(4, "0");
  return s.slice(5) === "02-29" ? `${year}-02-28` : `${year}${s.slice(4)}`;
};
export const lastYearRange = (from, to) => [yearBack(from), yearBack(to)];
