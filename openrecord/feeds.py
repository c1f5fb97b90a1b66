"""Atom feeds: new versions of a definition, new comments on a definition or one clause, new
dispositions. Public data only: published versions, visible comments, display names."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from comments.models import Comment
from definition.models import Definition
from moderation.models import Disposition

ITEMS = 50


class DefinitionFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug, key=None):
        definition = get_object_or_404(
            Definition.objects.filter(versions__status="published").distinct(), slug=slug
        )
        if (
            key is not None
            and not definition.clauses.filter(key=key, texts__version__status="published").exists()
        ):
            raise Http404("No such clause.")
        definition.clause_key = key
        return definition

    def link(self, definition):
        return definition.get_absolute_url()


class VersionsFeed(DefinitionFeed):
    def title(self, definition):
        return f"{definition.title}: new versions"

    def subtitle(self, definition):
        return f"Every published version of {definition.title}."

    def items(self, definition):
        return definition.versions.published().select_related("definition").order_by("-sequence")[:ITEMS]

    def item_title(self, version):
        return f"{version.definition.title} {version.label}"

    def item_description(self, version):
        return version.release_notes_html or f"Version {version.label} was published."

    def item_link(self, version):
        return version.get_absolute_url()

    def item_pubdate(self, version):
        return version.published_at


class CommentsFeed(DefinitionFeed):
    def title(self, definition):
        where = f" on {definition.clause_key}" if definition.clause_key else ""
        return f"{definition.title}: new comments{where}"

    def items(self, definition):
        comments = Comment.objects.filter(
            version__definition=definition, version__status="published", status=Comment.Status.VISIBLE
        )
        if definition.clause_key:
            comments = comments.filter(clause__key=definition.clause_key)
        return comments.select_related("author__profile", "version", "clause").order_by("-created_at", "-pk")[
            :ITEMS
        ]

    def item_title(self, comment):
        author = comment.external_author if comment.is_external else comment.author.profile.name
        return f"{author} on {comment.clause.key} ({comment.version.label}), {comment.tracking_number}"

    def item_description(self, comment):
        return comment.body_html

    def item_link(self, comment):
        return reverse("comments:permalink", args=[comment.pk])

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at

    def item_author_name(self, comment):
        return comment.external_author if comment.is_external else comment.author.profile.name


class DispositionsFeed(DefinitionFeed):
    def title(self, definition):
        return f"{definition.title}: dispositions of comments"

    def items(self, definition):
        return (
            Disposition.objects.filter(
                comment__version__definition=definition, comment__version__status="published"
            )
            .exclude(comment__status=Comment.Status.HELD)
            .select_related("comment__version", "addressed_in", "comment__clause")
            .order_by("-decided_at", "-pk")[:ITEMS]
        )

    def item_title(self, disposition):
        addressed = f" in {disposition.addressed_in.label}" if disposition.addressed_in else ""
        return f"{disposition.comment.tracking_number}: {disposition.get_status_display()}{addressed}"

    def item_description(self, disposition):
        return disposition.rationale_html or disposition.get_status_display()

    def item_link(self, disposition):
        return reverse("comments:permalink", args=[disposition.comment_id]) + f"#disposition-{disposition.pk}"

    def item_pubdate(self, disposition):
        return disposition.decided_at
