from services.training.app import create_app
from services.training.settings import TrainingSettings
from shared.service.serve import serve

serve(create_app, TrainingSettings())
