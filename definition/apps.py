from django.apps import AppConfig


class DefinitionConfig(AppConfig):
    name = "definition"
    verbose_name = "Definitions and versions"
