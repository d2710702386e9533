"""`jakpreneur`: the operator's command line (status, dead letters, rebuild)."""
