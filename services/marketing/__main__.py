from services.marketing.app import MIGRATIONS, create_app
from services.marketing.settings import MarketingSettings
from shared.service.serve import producing_main

producing_main("marketing", create_app, MarketingSettings, MIGRATIONS)
