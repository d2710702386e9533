from services.registration.app import create_app
from services.registration.settings import RegistrationSettings
from shared.service.serve import serve

serve(create_app, RegistrationSettings())
