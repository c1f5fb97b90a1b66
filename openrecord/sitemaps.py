from django.contrib.sitemaps import Sitemap

from definition.models import ClauseText, Version


class VersionSitemap(Sitemap):
    changefreq = "never"  # published text never changes

    def items(self):
        return Version.objects.published().select_related("definition").order_by("definition_id", "sequence")

    def lastmod(self, version):
        return version.published_at


class ClauseSitemap(Sitemap):
    changefreq = "weekly"  # the comments under a clause keep coming

    def items(self):
        return (
            ClauseText.objects.filter(version__status="published")
            .select_related("version__definition", "clause")
            .only("version__label", "version__definition__slug", "clause__key", "version__published_at")
            .order_by("version__definition_id", "version__sequence", "position")
        )

    def lastmod(self, text):
        return text.version.published_at


SITEMAPS = {"versions": VersionSitemap, "clauses": ClauseSitemap}
