"""The read-only JSON API (/api/v1/): everything public, nothing private. Published versions
only; hidden and withdrawn comments as placeholders; held comments not at all; no email."""

from datetime import UTC

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import pagination, serializers, viewsets
from rest_framework.exceptions import ValidationError

from comments.models import Comment
from definition.models import ClauseText, Definition, Version
from moderation.models import Disposition, ModerationAction


class Pages(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CommentPages(pagination.CursorPagination):
    """Comments come in pages by position, not by number. At a million comments, counting them
    for the page numbers read the whole table (half a second on every page), and a deep page
    skipped every comment before it (page 5,000: nearly three seconds). A page's `next` and
    `previous` links carry the position of its edge, and the comment_created index is read on
    from there."""

    page_size = Pages.page_size
    page_size_query_param = Pages.page_size_query_param
    max_page_size = Pages.max_page_size
    ordering = ("created_at", "pk")
    cursor_query_description = "Where the page starts: take it from another page's next or previous link."

    def paginate_queryset(self, queryset, request, view=None):
        # A client written for page numbers would otherwise get the first page for every number.
        if "page" in request.query_params:
            raise ValidationError(
                {"page": "Comments are paged by position, not by number: follow the next and previous links."}
            )
        return super().paginate_queryset(queryset, request, view)


def _since(request):
    value = request.query_params.get("since")
    if not value:
        return None
    message = {"since": "An ISO 8601 date and time, e.g. 2026-01-31T12:00:00Z."}
    try:
        moment = parse_datetime(value)
        if moment is not None and moment.tzinfo is not None:
            # In UTC: PostgreSQL refuses offsets beyond 15:59, RFC 3339 allows them.
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationError(message) from None
    if moment is None:
        raise ValidationError(message)
    return moment


# No NUL character anywhere in an address: refused with 400 (docket.middleware), and said so here.
NO_NUL = r"^[^\u0000]*$"
FILTERS = {
    "definition": OpenApiParameter(
        "definition", OpenApiTypes.STR, description="A definition's slug.", pattern=NO_NUL
    ),
    "version": OpenApiParameter(
        "version", OpenApiTypes.STR, description="A version's label.", pattern=NO_NUL
    ),
    "clause": OpenApiParameter("clause", OpenApiTypes.STR, description="A clause's key.", pattern=NO_NUL),
    "since": OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only what is newer than this."),
}


class DefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Definition
        fields = ["slug", "title", "summary", "created_at"]


class VersionSerializer(serializers.ModelSerializer):
    definition = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Version
        fields = [
            "id",
            "definition",
            "label",
            "sequence",
            "title",
            "published_at",
            "release_notes",
            "comments_close_at",
        ]


class ClauseSerializer(serializers.ModelSerializer):
    definition = serializers.CharField(source="version.definition.slug")
    version = serializers.CharField(source="version.label")
    key = serializers.CharField(source="clause.key")

    class Meta:
        model = ClauseText
        fields = [
            "id",
            "definition",
            "version",
            "key",
            "position",
            "number",
            "heading",
            "level",
            "body",
            "body_html",
        ]


class CommentSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(read_only=True)
    definition = serializers.CharField(source="version.definition.slug")
    version = serializers.CharField(source="version.label")
    clause = serializers.CharField(source="clause.key")
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField()
    placeholder = serializers.CharField(read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id", "tracking_number", "definition", "version", "clause", "parent", "author", "on_behalf_of",
            "source", "source_url", "status", "placeholder", "quote", "body", "body_html", "created_at",
            "edited_at",
        ]  # fmt: skip

    def get_author(self, comment) -> str:
        return comment.external_author if comment.is_external else comment.author.profile.name

    def get_body(self, comment) -> str | None:
        return comment.body if comment.is_visible else None

    def get_body_html(self, comment) -> str | None:
        return comment.body_html if comment.is_visible else None

    def get_quote(self, comment) -> str | None:
        return comment.quote if comment.is_visible else None

    def to_representation(self, comment):
        data = super().to_representation(comment)
        if not comment.is_visible:
            data["on_behalf_of"] = ""
        return data


class DispositionSerializer(serializers.ModelSerializer):
    comment = serializers.IntegerField(source="comment_id")
    tracking_number = serializers.CharField(source="comment.tracking_number")
    addressed_in = serializers.SlugRelatedField(slug_field="label", read_only=True, allow_null=True)
    clauses = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", allow_null=True)

    class Meta:
        model = Disposition
        fields = [
            "id",
            "comment",
            "tracking_number",
            "status",
            "rationale",
            "decided_at",
            "addressed_in",
            "clauses",
            "duplicate_of",
            "is_current",
        ]


class ModerationActionSerializer(serializers.ModelSerializer):
    action = serializers.CharField(source="kind")
    comment = serializers.IntegerField(source="comment_id", allow_null=True)

    class Meta:
        model = ModerationAction
        fields = ["id", "action", "comment", "reason", "created_at"]


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pages


@extend_schema_view(
    list=extend_schema(parameters=[FILTERS["since"]]),
    retrieve=extend_schema(
        parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=NO_NUL)]
    ),
)
class DefinitionViewSet(ReadOnly):
    serializer_class = DefinitionSerializer
    lookup_field = "slug"

    def get_queryset(self):
        definitions = Definition.objects.filter(versions__status="published").distinct().order_by("slug")
        if since := _since(self.request):
            definitions = definitions.filter(created_at__gt=since)
        return definitions


@extend_schema_view(list=extend_schema(parameters=[FILTERS["definition"], FILTERS["since"]]))
class VersionViewSet(ReadOnly):
    serializer_class = VersionSerializer

    def get_queryset(self):
        versions = (
            Version.objects.published().select_related("definition").order_by("definition__slug", "sequence")
        )
        params = self.request.query_params
        if params.get("definition"):
            versions = versions.filter(definition__slug=params["definition"])
        if since := _since(self.request):
            versions = versions.filter(published_at__gt=since)
        return versions


@extend_schema_view(
    list=extend_schema(parameters=[FILTERS["definition"], FILTERS["version"], FILTERS["clause"]])
)
class ClauseViewSet(ReadOnly):
    """Clause texts: per version (?version=), or one clause across versions (?clause=)."""

    serializer_class = ClauseSerializer

    def get_queryset(self):
        texts = ClauseText.objects.filter(version__status="published").select_related(
            "version__definition", "clause"
        )
        params = self.request.query_params
        if params.get("definition"):
            texts = texts.filter(version__definition__slug=params["definition"])
        if params.get("version"):
            texts = texts.filter(version__label=params["version"])
        if params.get("clause"):
            texts = texts.filter(clause__key=params["clause"])
        return texts.order_by("version__definition__slug", "version__sequence", "position")


@extend_schema_view(
    list=extend_schema(
        parameters=[FILTERS["definition"], FILTERS["version"], FILTERS["clause"], FILTERS["since"]]
    )
)
class CommentViewSet(ReadOnly):
    serializer_class = CommentSerializer
    pagination_class = CommentPages

    def get_queryset(self):
        comments = (
            Comment.objects.filter(version__status="published")
            .exclude(status=Comment.Status.HELD)
            .select_related("version__definition", "clause", "author__profile")
        )
        params = self.request.query_params
        if params.get("definition"):
            comments = comments.filter(version__definition__slug=params["definition"])
        if params.get("version"):
            comments = comments.filter(version__label=params["version"])
        if params.get("clause"):
            comments = comments.filter(clause__key=params["clause"])
        if since := _since(self.request):
            comments = comments.filter(Q(created_at__gt=since) | Q(edited_at__gt=since))
        return comments.order_by("created_at", "pk")


@extend_schema_view(
    list=extend_schema(parameters=[FILTERS["definition"], FILTERS["version"], FILTERS["since"]])
)
class DispositionViewSet(ReadOnly):
    serializer_class = DispositionSerializer

    def get_queryset(self):
        dispositions = (
            Disposition.objects.filter(comment__version__status="published")
            .exclude(comment__status=Comment.Status.HELD)
            .select_related("comment", "addressed_in", "duplicate_of")
            .prefetch_related("clauses")
        )
        params = self.request.query_params
        if params.get("definition"):
            dispositions = dispositions.filter(comment__version__definition__slug=params["definition"])
        if params.get("version"):
            dispositions = dispositions.filter(comment__version__label=params["version"])
        if since := _since(self.request):
            dispositions = dispositions.filter(decided_at__gt=since)
        return dispositions.order_by("decided_at", "pk")


@extend_schema_view(list=extend_schema(parameters=[FILTERS["since"]]))
class ModerationLogViewSet(ReadOnly):
    serializer_class = ModerationActionSerializer

    def get_queryset(self):
        actions = ModerationAction.objects.all()
        if since := _since(self.request):
            actions = actions.filter(created_at__gt=since)
        return actions.order_by("created_at", "pk")
