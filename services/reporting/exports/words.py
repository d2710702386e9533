"""The words of an exported file in Indonesian (the default) and English: headers, names of metrics,
summary fields and funnel stages, and the lines that say what the figures cover."""

from enum import StrEnum


class Lang(StrEnum):
    ID = "id"
    EN = "en"


Words = dict[Lang, str]

TEXT: dict[str, Words] = {
    "summary": {Lang.ID: "Ringkasan angka program", Lang.EN: "Programme figures"},
    "breakdown": {Lang.ID: "Rincian angka", Lang.EN: "Breakdown"},
    "timeseries": {Lang.ID: "Deret waktu", Lang.EN: "Time series"},
    "funnel": {Lang.ID: "Corong tujuh tahap PE-7P", Lang.EN: "Seven-stage PE-7P funnel"},
    "achievement": {Lang.ID: "Capaian terhadap target tahunan", Lang.EN: "Achievement against targets"},
    "targets": {Lang.ID: "Target tahunan", Lang.EN: "Yearly targets"},
    "period": {Lang.ID: "Periode", Lang.EN: "Period"},
    "year": {Lang.ID: "Tahun", Lang.EN: "Year"},
    "until": {Lang.ID: "s.d.", Lang.EN: "to"},
    "filters": {Lang.ID: "Saringan", Lang.EN: "Filters"},
    "no_filters": {Lang.ID: "tidak ada (seluruh Jakarta, semua dinas)", Lang.EN: "none (all of Jakarta)"},
    "as_of": {Lang.ID: "Angka per", Lang.EN: "Figures as of"},
    "source": {Lang.ID: "Sumber", Lang.EN: "Source"},
    "withheld_note": {Lang.ID: "Catatan", Lang.EN: "Note"},
    "withheld": {
        Lang.ID: "< 5: jumlah 1-4 tidak ditampilkan untuk publik",
        Lang.EN: "< 5: a count of 1-4, withheld from the public",
    },
    "metric": {Lang.ID: "Ukuran", Lang.EN: "Metric"},
    "by": {Lang.ID: "Menurut", Lang.EN: "By"},
    "interval": {Lang.ID: "Selang", Lang.EN: "Interval"},
    "code": {Lang.ID: "Kode", Lang.EN: "Code"},
    "name": {Lang.ID: "Nama", Lang.EN: "Name"},
    "value": {Lang.ID: "Jumlah", Lang.EN: "Count"},
    "this_period": {Lang.ID: "Periode ini", Lang.EN: "This period"},
    "previous": {Lang.ID: "Periode sebelumnya", Lang.EN: "Previous period"},
    "last_year": {Lang.ID: "Periode yang sama tahun lalu", Lang.EN: "Same period last year"},
    "start": {Lang.ID: "Mulai", Lang.EN: "Starting"},
    "stage": {Lang.ID: "Tahap", Lang.EN: "Stage"},
    "conversion": {Lang.ID: "Konversi dari pendaftaran", Lang.EN: "Conversion from registration"},
    "scope": {Lang.ID: "Cakupan", Lang.EN: "Scope"},
    "target": {Lang.ID: "Target tahunan", Lang.EN: "Yearly target"},
    "actual": {Lang.ID: "Realisasi s.d. tanggal", Lang.EN: "Actual to date"},
    "share": {Lang.ID: "Capaian dari target", Lang.EN: "Share of target"},
    "expected": {Lang.ID: "Seharusnya s.d. tanggal", Lang.EN: "Expected to date"},
    "on_track": {Lang.ID: "Sesuai jalur", Lang.EN: "On track"},
    "elapsed": {Lang.ID: "Bagian tahun yang berlalu", Lang.EN: "Share of the year elapsed"},
    "yes": {Lang.ID: "ya", Lang.EN: "yes"},
    "no": {Lang.ID: "tidak", Lang.EN: "no"},
}

# Every summary field (a nested one as "vocational.trained"), in the dashboard's order.
FIELDS: dict[str, Words] = {
    "registered": {Lang.ID: "Peserta baru terdaftar", Lang.EN: "New participants registered"},
    "trained": {Lang.ID: "Dilatih kewirausahaan", Lang.EN: "Trained (entrepreneurship)"},
    "mentored": {Lang.ID: "Didampingi", Lang.EN: "Mentored"},
    "permits_issued": {Lang.ID: "Izin terbit", Lang.EN: "Permits issued"},
    "products_marketed": {Lang.ID: "Produk dipasarkan", Lang.EN: "Products marketed"},
    "financial_reporting": {Lang.ID: "Membuat laporan keuangan", Lang.EN: "Financial reporting"},
    "financed": {Lang.ID: "Mendapat permodalan", Lang.EN: "Financed"},
    "vocational.trained": {Lang.ID: "Lulus pelatihan vokasi", Lang.EN: "Vocational graduates"},
    "vocational.placed": {Lang.ID: "Penempatan kerja (vokasi)", Lang.EN: "Job placements (vocational)"},
    "vocational.placement_rate": {Lang.ID: "Tingkat penempatan", Lang.EN: "Placement rate"},
}

METRICS: dict[str, Words] = {
    "registered": {Lang.ID: "Peserta terdaftar", Lang.EN: "Participants registered"},
    "trained": {Lang.ID: "Dilatih kewirausahaan", Lang.EN: "Trained (entrepreneurship)"},
    "mentored": {Lang.ID: "Didampingi", Lang.EN: "Mentored"},
    "permits_issued": {Lang.ID: "Izin terbit", Lang.EN: "Permits issued"},
    "products_marketed": {Lang.ID: "Produk dipasarkan", Lang.EN: "Products marketed"},
    "financial_reporting": {Lang.ID: "Laporan keuangan", Lang.EN: "Financial reporting"},
    "financed": {Lang.ID: "Mendapat permodalan", Lang.EN: "Financed"},
    "vocational_trained": {Lang.ID: "Lulus pelatihan vokasi", Lang.EN: "Vocational graduates"},
    "vocational_placed": {Lang.ID: "Penempatan kerja", Lang.EN: "Job placements"},
    "permit_holders": {Lang.ID: "Peserta pemegang izin", Lang.EN: "Participants holding a permit"},
    "marketed_participants": {
        Lang.ID: "Peserta yang memasarkan produk",
        Lang.EN: "Participants marketing products",
    },
}

STAGES: dict[str, Words] = {
    "registration": {Lang.ID: "Pendaftaran", Lang.EN: "Registration"},
    "training": {Lang.ID: "Pelatihan", Lang.EN: "Training"},
    "mentoring": {Lang.ID: "Pendampingan", Lang.EN: "Mentoring"},
    "permits": {Lang.ID: "Perizinan", Lang.EN: "Permits"},
    "marketing": {Lang.ID: "Pemasaran", Lang.EN: "Marketing"},
    "financial_reporting": {Lang.ID: "Laporan keuangan", Lang.EN: "Financial reporting"},
    "financing": {Lang.ID: "Permodalan", Lang.EN: "Financing"},
}

INTERVALS: dict[str, Words] = {
    "day": {Lang.ID: "per hari", Lang.EN: "per day"},
    "week": {Lang.ID: "per minggu (mulai Senin)", Lang.EN: "per week (from Monday)"},
    "month": {Lang.ID: "per bulan", Lang.EN: "per month"},
}

SCOPES: dict[str, Words] = {
    "province": {Lang.ID: "provinsi", Lang.EN: "province"},
    "agency": {Lang.ID: "dinas", Lang.EN: "agency"},
    "kota": {Lang.ID: "kota", Lang.EN: "kota"},
}

DIMENSIONS: dict[str, Words] = {
    "kota": {Lang.ID: "kota", Lang.EN: "kota"},
    "kecamatan": {Lang.ID: "kecamatan", Lang.EN: "kecamatan"},
    "kelurahan": {Lang.ID: "kelurahan", Lang.EN: "kelurahan"},
    "gender": {Lang.ID: "jenis kelamin", Lang.EN: "gender"},
    "age_band": {Lang.ID: "kelompok umur", Lang.EN: "age band"},
    "sector": {Lang.ID: "sektor usaha", Lang.EN: "business sector"},
    "agency": {Lang.ID: "dinas", Lang.EN: "agency"},
    "disability": {Lang.ID: "disabilitas", Lang.EN: "disability"},
    "ktp_dki": {Lang.ID: "KTP DKI", Lang.EN: "DKI identity card"},
}


def named(words: dict[str, Words], key: str, lang: Lang) -> str:
    """The name of one of the API's words; one without a name yet is shown as itself."""
    found = words.get(key)
    return found[lang] if found else key
