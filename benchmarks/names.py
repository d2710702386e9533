"""Common Indonesian given names and family names: a registry's name searches find what they would in life."""

# fmt: off
GIVEN = (
    "Siti", "Nur", "Dewi", "Sri", "Rina", "Ani", "Yuli", "Wati", "Lestari", "Indah", "Putri", "Ayu",
    "Fitri", "Ratna", "Dian", "Rini", "Eka", "Tri", "Dwi", "Ika", "Ahmad", "Muhammad", "Budi", "Agus",
    "Andi", "Joko", "Bambang", "Hendra", "Rudi", "Yusuf", "Rahmat", "Dedi", "Eko", "Wahyu", "Arif", "Hadi",
    "Iwan", "Teguh", "Slamet", "Supriyadi", "Imam", "Ali", "Hasan", "Irfan", "Fajar", "Rizki", "Dimas",
    "Bayu", "Aditya", "Galih", "Yoga", "Reza", "Fauzi"
)
FAMILY = (
    "Aminah", "Rahayu", "Wulandari", "Lestari", "Susanti", "Handayani", "Kurniawan", "Setiawan", "Saputra",
    "Hidayat", "Nugroho", "Wibowo", "Santoso", "Gunawan", "Pratama", "Hakim", "Siregar", "Nasution",
    "Lubis", "Harahap", "Simanjuntak", "Sitompul", "Pardede", "Tanjung", "Rangkuti", "Matondang", "Purba",
    "Ginting", "Sembiring", "Tarigan", "Manurung", "Hutapea", "Wijaya", "Halim", "Tanoto", "Sulistyo",
    "Prasetyo", "Purnomo", "Suryadi", "Maulana", "Ramadhan", "Firmansyah", "Syahputra", "Hermawan",
    "Kusuma", "Permana", "Rohman", "Sholeh", "Anwar", "Basri", "Daulay", "Effendi", "Fadillah", "Hamzah",
    "Iskandar", "Jamil", "Kartika", "Latif", "Munir"
)
# fmt: on
