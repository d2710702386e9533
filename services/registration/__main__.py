from services.registration.app import MIGRATIONS, create_app
from services.registration.settings import RegistrationSettings
from shared.service.serve import producing_main

producing_main("registration", create_app, RegistrationSettings, MIGRATIONS)
