from django.contrib import admin

from .models import Clause, ClauseText, Definition, DraftImport, StewardAction, Version


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "created_at"]
    search_fields = ["title", "slug"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.versions.published().exists():
            return ["slug"]  # part of every published address
        return []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else {"slug": ["title"]}


class ClauseTextInline(admin.TabularInline):
    model = ClauseText
    fields = ["position", "number", "clause", "heading", "level"]
    readonly_fields = ["clause"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ["definition", "label", "sequence", "status", "published_at", "comments_close_at"]
    list_filter = ["definition", "status"]
    list_select_related = ["definition"]
    inlines = [ClauseTextInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["definition", "label", "sequence", "status", "published_at", "published_by"]
        return ["status", "published_at", "published_by"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ["key", "definition", "created_at"]
    list_filter = ["definition"]
    search_fields = ["key"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.texts.filter(version__status=Version.Status.PUBLISHED).exists():
            return ["definition", "key"]
        return []


@admin.register(ClauseText)
class ClauseTextAdmin(admin.ModelAdmin):
    list_display = ["__str__", "version", "clause", "position"]
    list_filter = ["version__definition", "version"]
    list_select_related = ["version__definition", "clause"]
    search_fields = ["heading", "body", "clause__key"]
    raw_id_fields = ["version", "clause"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.version.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.version.is_published


@admin.register(StewardAction)
class StewardActionAdmin(admin.ModelAdmin):
    """The stewards' record is append-only: readable here, never edited."""

    list_display = ["created_at", "actor", "kind", "definition", "version_label", "clause_key", "detail"]
    list_filter = ["kind", "definition"]
    list_select_related = ["actor", "definition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DraftImport)
class DraftImportAdmin(admin.ModelAdmin):
    """Made by uploading a file on the stewards' pages: readable here, never edited."""

    list_display = ["filename", "version", "uploaded_by", "created_at", "accepted_at"]
    list_select_related = ["version__definition", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
