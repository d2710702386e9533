from services.reporting.app import create_app
from services.reporting.settings import ReportingSettings
from shared.service.serve import serve

serve(create_app, ReportingSettings())
