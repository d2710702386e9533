"""Figures as files (PRODUCT.md §3 "Exports"): table turns a figure's JSON into rows; csv_file and
xlsx_file write them."""
