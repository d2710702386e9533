"""What both finance facts share: whole-rupiah amounts."""

# A thousand trillion rupiah: far above any UMKM figure, well inside a 64-bit column.
MAX_RUPIAH = 10**15
