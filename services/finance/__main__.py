from services.finance.app import create_app
from services.finance.settings import FinanceSettings
from shared.service.serve import serve

serve(create_app, FinanceSettings())
