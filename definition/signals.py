from django.dispatch import Signal

# Sent after a version is published (once its transaction commits): sender=Version, version=...
version_published = Signal()
