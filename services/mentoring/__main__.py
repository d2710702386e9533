from services.mentoring.app import MIGRATIONS, create_app
from services.mentoring.settings import MentoringSettings
from shared.service.serve import producing_main

producing_main("mentoring", create_app, MentoringSettings, MIGRATIONS)
