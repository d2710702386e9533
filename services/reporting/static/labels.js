/* Names for the reporting API's own words, both languages side by side: every metric (Metric in
 * services/reporting/metrics.py), summary field (Summary in api/schemas.py), funnel stage (Stage),
 * interval (Interval), breakdown dimension (Dimension) and target scope (TargetScope).
 * tests/browser/test_dashboard_labels.py fails when the API has a word missing here,
 * and label() in i18n.js logs a console error for one that still slips through. */

// In the metric picker's order. `picker: false`: the funnel counts it, the picker does not offer it.
export const METRICS = {
  registered: { id: "Peserta terdaftar", en: "Participants registered" },
  trained: { id: "Dilatih kewirausahaan", en: "Trained (entrepreneurship)" },
  mentored: { id: "Didampingi", en: "Mentored" },
  permits_issued: { id: "Izin terbit", en: "Permits issued" },
  products_marketed: { id: "Produk dipasarkan", en: "Products marketed" },
  financial_reporting: { id: "Laporan keuangan", en: "Financial reporting" },
  financed: { id: "Mendapat permodalan", en: "Financed" },
  vocational_trained: { id: "Lulus pelatihan vokasi", en: "Vocational graduates" },
  vocational_placed: { id: "Penempatan kerja", en: "Job placements" },
  permit_holders: { id: "Peserta pemegang izin", en: "Participants holding a permit", picker: false },
  marketed_participants: {
    id: "Peserta yang memasarkan produk",
    en: "Participants marketing products",
    picker: false,
  },
};
export const PICKER_METRICS = Object.keys(METRICS).filter((m) => METRICS[m].picker !== false);

// One headline tile per summary field, in this order; a nested field is "vocational.trained".
export const TILES = {
  registered: { id: "Peserta baru terdaftar", en: "New participants registered" },
  trained: { id: "Dilatih kewirausahaan", en: "Trained (entrepreneurship)" },
  mentored: { id: "Didampingi", en: "Mentored" },
  permits_issued: { id: "Izin terbit", en: "Permits issued" },
  products_marketed: { id: "Produk dipasarkan", en: "Products marketed" },
  financial_reporting: { id: "Membuat laporan keuangan", en: "Financial reporting" },
  financed: { id: "Mendapat permodalan", en: "Financed" },
  "vocational.trained": { id: "Lulus pelatihan vokasi", en: "Vocational graduates" },
  "vocational.placed": { id: "Penempatan kerja (vokasi)", en: "Job placements (vocational)" },
  "vocational.placement_rate": { id: "Tingkat penempatan", en: "Placement rate" },
};

export const STAGES = {
  registration: { id: "Pendaftaran", en: "Registration" },
  training: { id: "Pelatihan", en: "Training" },
  mentoring: { id: "Pendampingan", en: "Mentoring" },
  permits: { id: "Perizinan", en: "Permits" },
  marketing: { id: "Pemasaran", en: "Marketing" },
  financial_reporting: { id: "Laporan keuangan", en: "Financial reporting" },
  financing: { id: "Permodalan", en: "Financing" },
};

export const INTERVALS = {
  day: { id: "per hari", en: "per day" },
  week: { id: "per minggu (mulai Senin)", en: "per week (from Monday)" },
  month: { id: "per bulan", en: "per month" },
};

// Every `by=` of /metrics/breakdown (Dimension), in the breakdown chooser's order.
export const DIMENSIONS = {
  agency: { id: "dinas", en: "agency" },
  kota: { id: "kota", en: "kota" },
  kecamatan: { id: "kecamatan", en: "kecamatan" },
  gender: { id: "jenis kelamin", en: "gender" },
  sector: { id: "sektor usaha", en: "business sector" },
};

// What a yearly target covers (TargetScope).
export const SCOPES = {
  province: { id: "Provinsi", en: "Province" },
  agency: { id: "Dinas", en: "Agency" },
  kota: { id: "Kota", en: "Kota" },
  kecamatan: { id: "Kecamatan", en: "Kecamatan" },
};
