from django.apps import AppConfig


class WeightsConfig(AppConfig):
    name = "studio.weights"
    label = "weights"
    verbose_name = "Weights library"
