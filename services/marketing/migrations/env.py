from services.marketing.adapters.tables import metadata
from shared.db.migrations import run_env

run_env(metadata)
