"""python manage.py seed_bench --seed 42 [--scale small|large]: the benchmark's data set."""

import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.seed import MAIN_SLUG, SLUG_PREFIX, TOTALS, Seeder, seeded
from definition.models import Definition


class Command(BaseCommand):
    help = (
        "Fill this database with the benchmark's deterministic data set: three definitions of ten "
        "versions, clauses with 10, 100, 1,000 and 3,000 comments, 10,000 comments in all (small) "
        "or 1,000,000 (large, for PostgreSQL). Use a database of its own (make bench does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="The random seed (default 42).")
        parser.add_argument("--scale", choices=sorted(TOTALS), default="small")

    def handle(self, *args, seed, scale, **options):
        existing = Definition.objects.filter(slug=MAIN_SLUG).values_list("summary", flat=True).first()
        if existing is not None:
            if existing == seeded(seed, scale):
                self.stdout.write(f"Already seeded here ({existing}); nothing to do.")
                return
            raise CommandError(
                f"This database already holds a benchmark set ({existing}). Seed another one into "
                "an empty database (e.g. delete bench.sqlite3, or point DATABASE_URL elsewhere)."
            )
        if Definition.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise CommandError(f"Definitions named {SLUG_PREFIX}* exist here already; use an empty database.")
        if scale == "large" and connection.vendor != "postgresql":
            self.stderr.write("Warning: --scale large is meant for PostgreSQL; on SQLite it is slow.")
        started = time.perf_counter()
        result = Seeder(seed, scale, out=self.stdout).run()
        # Bulk inserts send no signals: nothing kept from another database (pages, counts,
        # generations) may be taken for this one's.
        cache.clear()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result['comments']:,} comments (seed {seed}, {scale}) in "
                f"{time.perf_counter() - started:.0f} s."
            )
        )
