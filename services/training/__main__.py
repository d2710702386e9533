from services.training.app import MIGRATIONS, create_app
from services.training.settings import TrainingSettings
from shared.service.serve import producing_main

producing_main("training", create_app, TrainingSettings, MIGRATIONS)
