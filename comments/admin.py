from django.contrib import admin

from .models import Comment, CommentRevision, Endorsement, Subscription


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read only. Nothing people wrote is deleted or rewritten, the admin included; hiding, locking
    and approving go through the moderation pages, which record each action in the public log."""

    list_display = ["tracking_number", "author", "clause", "version", "status", "created_at"]
    list_filter = ["status", "version__definition"]
    list_select_related = ["author", "clause", "version__definition"]
    search_fields = ["body", "author__email"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CommentRevision)
class CommentRevisionAdmin(admin.ModelAdmin):
    list_display = ["comment", "written_at", "replaced_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = ["comment", "person", "created_at"]
    list_select_related = ["comment", "person"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["person", "definition", "clause", "comments", "versions"]
    list_select_related = ["person", "definition", "clause"]
