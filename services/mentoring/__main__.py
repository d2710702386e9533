from services.mentoring.app import create_app
from services.mentoring.settings import MentoringSettings
from shared.service.serve import serve

serve(create_app, MentoringSettings())
