from django.contrib import admin

from .models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "affiliation", "created_at"]
    search_fields = ["display_name", "affiliation", "user__email"]
    raw_id_fields = ["user"]
    # Suspending and restoring go through the moderation pages, which record them in the log.
    readonly_fields = ["suspended_at", "suspension_reason"]
