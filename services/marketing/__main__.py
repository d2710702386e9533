from services.marketing.app import create_app
from services.marketing.settings import MarketingSettings
from shared.service.serve import serve

serve(create_app, MarketingSettings())
