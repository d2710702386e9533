from services.finance.app import MIGRATIONS, create_app
from services.finance.settings import FinanceSettings
from shared.service.serve import producing_main

producing_main("finance", create_app, FinanceSettings, MIGRATIONS)
