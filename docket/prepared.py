"""Querysets built and compiled once per process, run with new values each time.

Building a queryset (filters, joins, annotations) and compiling it to SQL are pure Python and
give the same SQL on every request; for the clause page's comment queries they took longer than
the database took to run them (1-2 ms each against 0.2-0.5). A `Prepared` query is built once
per database from sample values, its SQL kept, and each call runs that SQL through
`Model.objects.raw()` with the request's values in place of the samples: the same rows, turned
into model instances the same way (fields not selected are deferred, annotations are attributes,
the database's values converted as the ORM does).

The samples are numbers no real value takes; each must be found among the compiled parameters,
so a queryset that inlines a value into its SQL (as Django does with slice bounds) is refused
when first compiled rather than run with a stale value. What is inlined (a page's offset, a sort
order) is the query's shape instead: passed positionally, compiled once per shape."""

from collections.abc import Callable

from django.db.models import Model, QuerySet

# Stand-ins for the values of a call: far from any real key, count or sequence number, and
# within a 32-bit integer column's range (Django simplifies a lookup past it to always true or false).
_SAMPLE_BASE = 2_046_000_017


# Compiled shapes kept per query; past this many (page offsets no one reads twice) they start anew.
MAX_SHAPES = 256


class Prepared:
    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *names: str):
        """`build(*shape, **values)` makes the queryset; `names` are the values each call passes."""
        self.model, self.build, self.names = model, build, names
        self._compiled: dict[tuple, tuple[str, list]] = {}

    def __call__(self, *shape, using: str = "default", **values) -> list[Model]:
        key = (using, *shape)
        sql, slots = self._compiled.get(key) or self._compile(key, shape, using)
        params = [values[name] if name is not None else fixed for name, fixed in slots]
        return list(self.model.objects.db_manager(using).raw(sql, params))

    def _compile(self, key: tuple, shape: tuple, using: str) -> tuple[str, list]:
        samples = {name: _SAMPLE_BASE + i for i, name in enumerate(self.names)}
        sql, params = self.build(*shape, **samples).using(using).query.sql_with_params()
        by_sample = {value: name for name, value in samples.items()}
        slots = [(by_sample.get(value), value) for value in params]
        missing = set(self.names) - {name for name, _ in slots}
        if missing:
            raise ValueError(f"Prepared query: {', '.join(sorted(missing))} not among its parameters")
        if len(self._compiled) >= MAX_SHAPES:
            self._compiled.clear()
        self._compiled[key] = (sql, slots)
        return sql, slots
