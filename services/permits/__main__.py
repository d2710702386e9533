from services.permits.app import create_app
from services.permits.settings import PermitsSettings
from shared.service.serve import serve

serve(create_app, PermitsSettings())
