from services.permits.app import MIGRATIONS, create_app
from services.permits.settings import PermitsSettings
from shared.service.serve import producing_main

producing_main("permits", create_app, PermitsSettings, MIGRATIONS)
