from django.contrib import admin

from .models import Disposition, DispositionResponse, DraftLink, Flag, ModerationAction


class ReadOnly(admin.ModelAdmin):
    """Append-only records: readable here, never edited or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnly):
    list_display = ["created_at", "actor", "kind", "comment", "person", "reason"]
    list_filter = ["kind"]
    list_select_related = ["actor", "comment", "person"]


@admin.register(Disposition)
class DispositionAdmin(ReadOnly):
    list_display = ["comment", "status", "is_current", "addressed_in", "decided_by", "decided_at"]
    list_filter = ["status", "is_current"]
    list_select_related = ["comment", "addressed_in", "decided_by"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "reporter", "created_at", "resolved_at"]
    list_filter = ["reason"]
    list_select_related = ["comment", "reporter"]


@admin.register(DispositionResponse)
class DispositionResponseAdmin(admin.ModelAdmin):
    list_display = ["disposition", "verdict", "author", "created_at"]
    list_select_related = ["disposition__comment", "author"]


@admin.register(DraftLink)
class DraftLinkAdmin(admin.ModelAdmin):
    list_display = ["comment", "clause", "version", "partial", "marked_by"]
