/* Jakpreneur live dashboard: tiles, funnel, time series and breakdowns over the reporting API.
 * Live over SSE (/metrics/stream); charts refresh, debounced, on every summary event.
 * Chart.js is vendored in /static/vendor/ (no CDN). Without it the data tables are shown instead. */
"use strict";

(() => {
  const REFRESH_DEBOUNCE_MS = 400;
  const RETRY_MS = [1000, 2000, 5000, 10000];

  const TEXT = {
    id: {
      skip: "Langsung ke isi",
      title: "Jakpreneur — angka program secara langsung",
      period: "Periode",
      thisMonth: "Bulan ini",
      thisYear: "Tahun ini",
      custom: "Rentang sendiri",
      from: "Dari",
      to: "Sampai",
      apply: "Tampilkan",
      filter: "Saring menurut kota atau dinas",
      allJakarta: "Seluruh Jakarta, semua dinas",
      kotaGroup: "Kota / Kabupaten",
      agencyGroup: "Dinas",
      reconnect: "Sambungkan ulang",
      headline: "Angka utama",
      funnel: "Corong tujuh tahap PE-7P",
      series: "Perkembangan dari waktu ke waktu",
      metric: "Ukuran",
      byKota: "Menurut kota",
      byAgency: "Menurut dinas",
      connecting: "Menghubungkan…",
      live: (t) => `Langsung — diperbarui ${t}`,
      stale: (t) => `Terputus — angka mungkin usang${t ? ` (terakhir ${t})` : ""}. Menghubungkan ulang…`,
      badRange: "Tanggal awal harus sebelum atau sama dengan tanggal akhir.",
      loadFailed: (what) => `Gagal memuat ${what}. Dicoba lagi pada pembaruan berikutnya.`,
      switchTo: "English",
      switchLabel: "Switch to English",
      scopeAll: (p) => `Periode ${p} · seluruh Jakarta, semua dinas.`,
      scopeFiltered: (p, f) =>
        `Periode ${p} · hanya ${f}. Corong dan rincian menurut kota/dinas selalu untuk seluruh Jakarta; yang dipilih disorot.`,
      compare: (p) => `Perubahan dibanding periode sebelumnya yang sama panjangnya (${p}).`,
      vsPrev: "vs periode sebelumnya",
      points: "poin",
      newFromZero: "baru",
      noChange: "tetap",
      noRate: "tidak ada peserta vokasi",
      stages: {
        registration: "Pendaftaran",
        training: "Pelatihan",
        mentoring: "Pendampingan",
        permits: "Perizinan",
        marketing: "Pemasaran",
        financial_reporting: "Laporan keuangan",
        financing: "Permodalan",
      },
      tiles: {
        registered: "Peserta baru terdaftar",
        trained: "Dilatih kewirausahaan",
        mentored: "Didampingi",
        permits_issued: "Izin terbit",
        products_marketed: "Produk dipasarkan",
        financial_reporting: "Membuat laporan keuangan",
        financed: "Mendapat permodalan",
        "vocational.trained": "Lulus pelatihan vokasi",
        "vocational.placed": "Penempatan kerja (vokasi)",
        "vocational.placement_rate": "Tingkat penempatan",
      },
      metrics: {
        registered: "Peserta terdaftar",
        trained: "Dilatih kewirausahaan",
        mentored: "Didampingi",
        permits_issued: "Izin terbit",
        products_marketed: "Produk dipasarkan",
        financial_reporting: "Laporan keuangan",
        financed: "Mendapat permodalan",
        vocational_trained: "Lulus pelatihan vokasi",
        vocational_placed: "Penempatan kerja",
      },
      interval: { day: "per hari", week: "per minggu (mulai Senin)", month: "per bulan" },
      stageCol: "Tahap",
      valueCol: "Jumlah",
      conversionCol: "Konversi dari pendaftaran",
      startCol: "Mulai",
      kotaCol: "Kota",
      agencyCol: "Dinas",
      funnelCaption: (reg, parts) =>
        `Dari ${reg} peserta yang terdaftar dalam periode, jumlah yang mencapai tiap tahap: ${parts}.`,
      seriesCaption: (m, iv, total, peak) =>
        `${m} ${iv}: total ${total}${peak ? `, tertinggi ${peak}` : ""}.`,
      peakAt: (v, d) => `${v} pada ${d}`,
      breakdownCaption: (m, parts) => `${m}: ${parts}.`,
      chartFunnel: "Diagram batang corong",
      chartSeries: "Grafik garis",
      chartKota: "Diagram batang menurut kota",
      chartAgency: "Diagram batang menurut dinas",
      funnelName: "corong",
      seriesName: "deret waktu",
      breakdownName: "rincian",
      summaryName: "ringkasan periode sebelumnya",
      signinTitle: "Masuk untuk melihat angka",
      signinHelp: "Angka di server ini hanya untuk analis. Tempelkan token akses Anda.",
      signinToken: "Token akses",
      signinSubmit: "Masuk",
      signinFailed: "Token ditolak: ",
    },
    en: {
      skip: "Skip to content",
      title: "Jakpreneur — live programme figures",
      period: "Period",
      thisMonth: "This month",
      thisYear: "This year",
      custom: "Custom range",
      from: "From",
      to: "To",
      apply: "Show",
      filter: "Filter by kota or agency",
      allJakarta: "All of Jakarta, all agencies",
      kotaGroup: "Kota / Regency",
      agencyGroup: "Agency",
      reconnect: "Reconnect",
      headline: "Headline figures",
      funnel: "Seven-stage PE-7P funnel",
      series: "Over time",
      metric: "Metric",
      byKota: "By kota",
      byAgency: "By agency",
      connecting: "Connecting…",
      live: (t) => `Live — updated ${t}`,
      stale: (t) => `Disconnected — figures may be stale${t ? ` (last update ${t})` : ""}. Reconnecting…`,
      badRange: "The start date must be on or before the end date.",
      loadFailed: (what) => `Could not load the ${what}. Retrying on the next update.`,
      switchTo: "Bahasa Indonesia",
      switchLabel: "Ganti ke Bahasa Indonesia",
      scopeAll: (p) => `Period ${p} · all of Jakarta, all agencies.`,
      scopeFiltered: (p, f) =>
        `Period ${p} · only ${f}. The funnel and the kota/agency breakdowns always cover all of Jakarta; the selection is highlighted.`,
      compare: (p) => `Change against the previous period of equal length (${p}).`,
      vsPrev: "vs previous period",
      points: "points",
      newFromZero: "new",
      noChange: "unchanged",
      noRate: "no vocational trainees",
      stages: {
        registration: "Registration",
        training: "Training",
        mentoring: "Mentoring",
        permits: "Permits",
        marketing: "Marketing",
        financial_reporting: "Financial reporting",
        financing: "Financing",
      },
      tiles: {
        registered: "New participants registered",
        trained: "Trained (entrepreneurship)",
        mentored: "Mentored",
        permits_issued: "Permits issued",
        products_marketed: "Products marketed",
        financial_reporting: "Financial reporting",
        financed: "Financed",
        "vocational.trained": "Vocational graduates",
        "vocational.placed": "Job placements (vocational)",
        "vocational.placement_rate": "Placement rate",
      },
      metrics: {
        registered: "Participants registered",
        trained: "Trained (entrepreneurship)",
        mentored: "Mentored",
        permits_issued: "Permits issued",
        products_marketed: "Products marketed",
        financial_reporting: "Financial reporting",
        financed: "Financed",
        vocational_trained: "Vocational graduates",
        vocational_placed: "Job placements",
      },
      interval: { day: "per day", week: "per week (from Monday)", month: "per month" },
      stageCol: "Stage",
      valueCol: "Count",
      conversionCol: "Conversion from registration",
      startCol: "Starting",
      kotaCol: "Kota",
      agencyCol: "Agency",
      funnelCaption: (reg, parts) =>
        `Of ${reg} participants registered in the period, how many reached each stage: ${parts}.`,
      seriesCaption: (m, iv, total, peak) => `${m} ${iv}: total ${total}${peak ? `, highest ${peak}` : ""}.`,
      peakAt: (v, d) => `${v} on ${d}`,
      breakdownCaption: (m, parts) => `${m}: ${parts}.`,
      chartFunnel: "Funnel bar chart",
      chartSeries: "Line chart",
      chartKota: "Bar chart by kota",
      chartAgency: "Bar chart by agency",
      funnelName: "funnel",
      seriesName: "time series",
      breakdownName: "breakdown",
      summaryName: "previous period's summary",
      signinTitle: "Sign in to see the figures",
      signinHelp: "Figures on this server are for analysts. Paste your access token.",
      signinToken: "Access token",
      signinSubmit: "Sign in",
      signinFailed: "Token refused: ",
    },
  };
  const TILE_FIELDS = Object.keys(TEXT.id.tiles);
  const METRICS = Object.keys(TEXT.id.metrics);
  const ACCENT = "#0b5cad";
  const HIGHLIGHT = "#b35900";

  const $ = (id) => document.getElementById(id);
  const els = {
    form: $("controls"), from: $("from"), to: $("to"), filter: $("filter"), metric: $("metric"),
    status: $("status"), reconnect: $("reconnect"), scope: $("scope"), tiles: $("tiles"),
    compare: $("compare-note"), formError: $("form-error"), lang: $("lang"),
    kotaGroup: $("filter-kota"), agencyGroup: $("filter-agency"),
    signin: $("signin"), signinForm: $("signin-form"), signinToken: $("signin-token"), signinError: $("signin-error"),
  };

  // ---- state -------------------------------------------------------------------------------
  const params = new URLSearchParams(location.search);
  const state = {
    lang: params.get("lang") || localStorage.getItem("jp-lang") || "id",
    preset: params.get("preset") || (params.get("from") ? "custom" : "year"),
    from: params.get("from") || "",
    to: params.get("to") || "",
    filter: params.get("kota") ? `kota:${params.get("kota")}` : params.get("agency") ? `agency:${params.get("agency")}` : "",
    metric: METRICS.includes(params.get("metric")) ? params.get("metric") : "registered",
    current: null, // latest summary from the stream
    previous: null, // {key, summary} for the previous period of equal length
    lastUpdate: null,
    connected: false,
    kotaNames: {}, agencyNames: {},
    data: { funnel: null, series: null, kota: null, agency: null },
  };
  if (!TEXT[state.lang]) state.lang = "id";
  const t = () => TEXT[state.lang];
  const locale = () => (state.lang === "id" ? "id-ID" : "en-GB");
  // null: a small count (1–4) the server withholds from the public (PRODUCT.md §3).
  const num = (v) => (v == null ? "< 5" : new Intl.NumberFormat(locale()).format(v));
  const pct = (v, digits = 1) =>
    new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  const day = (iso) =>
    new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      .format(new Date(`${iso}T00:00:00Z`));
  const clock = (d) => d.toLocaleTimeString(locale(), { hour12: false });

  // ---- dates (ISO strings, Asia/Jakarta calendar days) ----------------------------------------
  const today = () => new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Jakarta" });
  const toDate = (iso) => new Date(`${iso}T00:00:00Z`);
  const iso = (d) => d.toISOString().slice(0, 10);
  const addDays = (s, n) => { const d = toDate(s); d.setUTCDate(d.getUTCDate() + n); return iso(d); };
  const daysIn = (a, b) => Math.round((toDate(b) - toDate(a)) / 86400000) + 1;
  function presetRange(preset) {
    const now = today();
    if (preset === "month") return [`${now.slice(0, 7)}-01`, now];
    return [`${now.slice(0, 4)}-01-01`, now];
  }
  function previousRange() {
    const n = daysIn(state.from, state.to);
    return [addDays(state.from, -n), addDays(state.from, -1)];
  }
  const intervalFor = (n) => (n <= 62 ? "day" : n <= 400 ? "week" : "month");
  const periodText = (a, b) => (a === b ? day(a) : `${day(a)} – ${day(b)}`);

  function filterParams() {
    const out = {};
    if (state.filter) {
      const [kind, value] = state.filter.split(/:(.*)/s);
      out[kind] = value;
    }
    return out;
  }
  const query = (extra) => new URLSearchParams({ from: state.from, to: state.to, ...extra }).toString();
  const filterName = () => {
    if (!state.filter) return "";
    const [kind, value] = state.filter.split(/:(.*)/s);
    return kind === "kota" ? state.kotaNames[value] || value : `${value} (${state.agencyNames[value] || value})`;
  };

  // ---- tiles ----------------------------------------------------------------------------------
  const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);

  function buildTiles() {
    els.tiles.replaceChildren(
      ...TILE_FIELDS.map((field) => {
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

  function renderTiles() {
    const cur = state.current;
    const prevKey = `${state.from}|${state.to}|${state.filter}`;
    const prev = state.previous && state.previous.key === prevKey ? state.previous.summary : null;
    for (const tile of els.tiles.children) {
      const field = tile.dataset.tile;
      tile.querySelector(".name").textContent = t().tiles[field];
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
  const arrow = (d) => (d > 0 ? "▲" : d < 0 ? "▼" : "=");
  const deltaClass = (d) => (d > 0 ? "up" : d < 0 ? "down" : "flat");
  const signed = (v, digits) =>
    (v > 0 ? "+" : v < 0 ? "−" : "") +
    new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Math.abs(v));
  const signedPct = (v) => (v > 0 ? "+" : "−") + pct(Math.abs(v));

  // ---- status ---------------------------------------------------------------------------------
  function renderStatus() {
    const s = els.status;
    const when = state.lastUpdate ? clock(state.lastUpdate) : "";
    if (state.connected) {
      s.className = "live";
      s.textContent = t().live(when);
    } else if (state.lastUpdate) {
      s.className = "stale";
      s.textContent = t().stale(when);
    } else {
      s.className = "connecting";
      s.textContent = t().connecting;
    }
    s.dataset.state = s.className;
    els.reconnect.hidden = state.connected;
    els.tiles.parentElement.classList.toggle("stale-data", !state.connected && !!state.lastUpdate);
  }

  // ---- live stream ----------------------------------------------------------------------------
  let source = null;
  let streamGen = 0;
  let retryTimer = null;
  let retries = 0;

  function connect() {
    if (source) source.close();
    clearTimeout(retryTimer);
    const gen = ++streamGen;
    state.connected = false;
    renderStatus();
    source = new EventSource(`/metrics/stream?${query(filterParams())}`);
    source.addEventListener("summary", (e) => {
      if (gen !== streamGen) return;
      const summary = JSON.parse(e.data);
      if (summary.from !== state.from || summary.to !== state.to) return;
      retries = 0;
      state.current = summary;
      state.connected = true;
      state.lastUpdate = new Date();
      renderTiles();
      renderStatus();
      scheduleRefresh();
    });
    source.onerror = () => {
      if (gen !== streamGen) return;
      state.connected = false;
      renderStatus();
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. an HTTP error): retry ourselves, backing off.
        retryTimer = setTimeout(connect, RETRY_MS[Math.min(retries++, RETRY_MS.length - 1)]);
      }
    };
  }

  // ---- charts and breakdowns ------------------------------------------------------------------
  let refreshTimer = null;
  let refreshGen = 0;
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, REFRESH_DEBOUNCE_MS);
  }

  async function getJSON(path) {
    const response = await fetch(path, { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) signIn();
    if (!response.ok) throw new Error(`${response.status} ${path}`);
    return response.json();
  }

  // ---- sign-in (only when the server keeps figures for analysts) ------------------------------
  // The token goes into an HttpOnly session cookie, which the EventSource stream sends too.
  function signIn() {
    if (!els.signin.open) els.signin.showModal();
  }

  els.signinForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const response = await fetch("/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: els.signinToken.value.trim() }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      els.signinError.textContent = t().signinFailed + (body.detail || response.status);
      els.signinError.hidden = false;
      return;
    }
    els.signinToken.value = "";
    els.signinError.hidden = true;
    els.signin.close();
    apply();
  });

  async function refresh() {
    clearTimeout(refreshTimer);
    const gen = ++refreshGen;
    const key = `${state.from}|${state.to}|${state.filter}`;
    const [pf, pt] = previousRange();
    const interval = intervalFor(daysIn(state.from, state.to));
    const metric = state.metric;
    const jobs = [
      ["summaryName", getJSON(`/metrics/summary?${new URLSearchParams({ from: pf, to: pt, ...filterParams() })}`)],
      ["funnelName", getJSON(`/metrics/funnel?${query()}`)],
      ["seriesName", getJSON(`/metrics/timeseries?${query({ metric, interval, ...filterParams() })}`)],
      ["breakdownName", getJSON(`/metrics/breakdown?${query({ metric, by: "kota" })}`)],
      ["breakdownName", getJSON(`/metrics/breakdown?${query({ metric, by: "agency" })}`)],
    ];
    const results = await Promise.allSettled(jobs.map(([, p]) => p));
    if (gen !== refreshGen) return; // a newer refresh (other period, filter or metric) superseded this one
    const failed = results.map((r, i) => (r.status === "rejected" ? t()[jobs[i][0]] : null)).filter(Boolean);
    els.formError.hidden = failed.length === 0;
    els.formError.textContent = failed.length ? t().loadFailed([...new Set(failed)].join(", ")) : "";
    const [prev, funnel, series, kota, agency] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
    if (prev) state.previous = { key, summary: prev };
    if (funnel) state.data.funnel = funnel;
    if (series) state.data.series = { ...series, metric, interval };
    if (kota) { state.data.kota = { ...kota, metric }; fillFilterOptions("kota", kota.rows); }
    if (agency) { state.data.agency = { ...agency, metric }; fillFilterOptions("agency", agency.rows); }
    renderTiles();
    renderCharts();
    document.body.dataset.refreshed = String(gen); // lets tests wait for a finished refresh
  }

  function fillFilterOptions(kind, rows) {
    const names = kind === "kota" ? state.kotaNames : state.agencyNames;
    const group = kind === "kota" ? els.kotaGroup : els.agencyGroup;
    if (group.children.length === rows.length) return;
    group.replaceChildren(
      ...rows.map((row) => {
        names[row.key] = row.label;
        const option = document.createElement("option");
        option.value = `${kind}:${row.key}`;
        option.textContent = kind === "kota" ? row.label : `${row.key} — ${row.label}`;
        return option;
      }),
    );
    els.filter.value = state.filter;
    renderScope();
  }

  const charts = {};
  function chart(id, type, extra = {}) {
    if (!window.Chart) return null;
    if (!charts[id]) {
      charts[id] = new window.Chart($(id), {
        type,
        data: { labels: [], datasets: [{ data: [], backgroundColor: ACCENT, borderColor: ACCENT, borderWidth: 2, pointRadius: 2, fill: false, tension: 0.2 }] },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: { ticks: { color: "#1b1f24" } }, y: { beginAtZero: true, ticks: { color: "#1b1f24", precision: 0 } } },
          ...extra,
        },
      });
    }
    return charts[id];
  }

  function table(id, head, rows) {
    const el = $(id);
    const thead = `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>`;
    const body = rows.map((r) => `<tr><th scope="row">${esc(r[0])}</th>${r.slice(1).map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`);
    el.innerHTML = `${thead}<tbody>${body.join("")}</tbody>`;
    el.parentElement.className = window.Chart ? "sr-only" : "";
  }
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  function describe(canvasId, captionId, kind, text) {
    $(captionId).textContent = text;
    $(canvasId).setAttribute("aria-label", `${kind}. ${text}`);
  }

  const shortKota = (label) => label.replace(/^(Kota|Kabupaten) Administrasi /, "");

  function renderCharts() {
    const tx = t();
    const { funnel, series, kota, agency } = state.data;
    const [kind, selected] = state.filter ? state.filter.split(/:(.*)/s) : ["", ""];
    if (funnel) {
      const labels = funnel.stages.map((s) => tx.stages[s.stage] || s.stage);
      const values = funnel.stages.map((s) => s.value);
      const c = chart("funnel-chart", "bar", {
        indexAxis: "y",
        scales: { x: { beginAtZero: true, ticks: { precision: 0, color: "#1b1f24" } }, y: { ticks: { color: "#1b1f24" } } },
      });
      if (c) { c.data.labels = labels; c.data.datasets[0].data = values; c.update("none"); }
      const conv = (s) => (s.conversion == null ? "–" : pct(s.conversion));
      const parts = funnel.stages.slice(1).map((s) => `${tx.stages[s.stage]} ${num(s.value)} (${conv(s)})`).join("; ");
      describe("funnel-chart", "funnel-caption", tx.chartFunnel, tx.funnelCaption(num(values[0] || 0), parts));
      table("funnel-table", [tx.stageCol, tx.valueCol, tx.conversionCol],
        funnel.stages.map((s) => [tx.stages[s.stage] || s.stage, num(s.value), conv(s)]));
    }
    if (series) {
      const fmtStart = (s) => day(s);
      const c = chart("series-chart", "line");
      if (c) {
        c.data.labels = series.points.map((p) => fmtStart(p.start));
        c.data.datasets[0].data = series.points.map((p) => p.value);
        c.update("none");
      }
      const total = series.points.reduce((a, p) => a + (p.value || 0), 0);
      const peak = series.points.reduce((best, p) => (p.value > (best ? best.value : 0) ? p : best), null);
      const peakText = peak ? tx.peakAt(num(peak.value), fmtStart(peak.start)) : "";
      describe("series-chart", "series-caption", tx.chartSeries,
        tx.seriesCaption(tx.metrics[series.metric], tx.interval[series.interval], num(total), peakText));
      table("series-table", [tx.startCol, tx.valueCol], series.points.map((p) => [fmtStart(p.start), num(p.value)]));
    }
    for (const [data, by, canvas, caption, tableId, col, chartKind] of [
      [kota, "kota", "kota-chart", "kota-caption", "kota-table", tx.kotaCol, tx.chartKota],
      [agency, "agency", "agency-chart", "agency-caption", "agency-table", tx.agencyCol, tx.chartAgency],
    ]) {
      if (!data) continue;
      const labels = data.rows.map((r) => (by === "kota" ? shortKota(r.label) : r.key));
      const colors = data.rows.map((r) => (kind === by && r.key === selected ? HIGHLIGHT : ACCENT));
      const c = chart(canvas, "bar", {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => data.rows[items[0].dataIndex].label } },
        },
      });
      if (c) {
        c.data.labels = labels;
        c.data.datasets[0].data = data.rows.map((r) => r.value);
        c.data.datasets[0].backgroundColor = colors;
        c.data.datasets[0].borderColor = colors;
        c.update("none");
      }
      const parts = data.rows.map((r, i) => `${labels[i]} ${num(r.value)}`).join(", ");
      describe(canvas, caption, chartKind, tx.breakdownCaption(tx.metrics[data.metric], parts));
      table(tableId, [col, tx.valueCol], data.rows.map((r) => [r.label, num(r.value)]));
    }
  }

  // ---- texts, scope, URL ----------------------------------------------------------------------
  function renderTexts() {
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
    els.metric.replaceChildren(
      ...METRICS.map((m) => {
        const option = document.createElement("option");
        option.value = m;
        option.textContent = tx.metrics[m];
        return option;
      }),
    );
    els.metric.value = state.metric;
    renderScope();
    renderTiles();
    renderStatus();
    renderCharts();
  }

  function renderScope() {
    const p = periodText(state.from, state.to);
    els.scope.textContent = state.filter ? t().scopeFiltered(p, filterName()) : t().scopeAll(p);
    const [pf, pt] = previousRange();
    els.compare.textContent = t().compare(periodText(pf, pt));
  }

  function saveUrl() {
    const q = new URLSearchParams({ preset: state.preset, from: state.from, to: state.to, ...filterParams() });
    if (state.metric !== "registered") q.set("metric", state.metric);
    if (state.lang !== "id") q.set("lang", state.lang);
    history.replaceState(null, "", `${location.pathname}?${q}`);
  }

  // ---- controls -------------------------------------------------------------------------------
  function apply() {
    state.current = null;
    for (const tile of els.tiles.querySelectorAll(".value")) { tile.textContent = "…"; delete tile.dataset.value; }
    saveUrl();
    renderScope();
    connect();
    refresh();
  }

  function setPreset(preset) {
    state.preset = preset;
    for (const radio of els.form.elements.preset) radio.checked = radio.value === preset;
    if (preset !== "custom") [els.from.value, els.to.value] = presetRange(preset);
  }

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
  for (const input of [els.from, els.to]) input.addEventListener("input", () => setPreset("custom"));

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
  els.reconnect.addEventListener("click", () => { retries = 0; connect(); });
  els.lang.addEventListener("click", () => {
    state.lang = state.lang === "id" ? "en" : "id";
    localStorage.setItem("jp-lang", state.lang);
    saveUrl();
    renderTexts();
  });

  // ---- start ----------------------------------------------------------------------------------
  if (state.preset !== "custom" || !state.from || !state.to) {
    if (state.preset === "custom") state.preset = "year";
    [state.from, state.to] = presetRange(state.preset);
  }
  setPreset(state.preset);
  els.from.value = state.from;
  els.to.value = state.to;
  buildTiles();
  renderTexts();
  apply();
})();
