from django.dispatch import Signal

# Sent when a version is published, inside the publishing transaction (a receiver that queues work
# uses docket.tasks.enqueue_when_stored): sender=Version, version=...
version_published = Signal()
