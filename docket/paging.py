"""The page number a visitor asked for, read the same way on every paginated page."""

# Past any real page (a page past the end shows the last one), and small enough for a database's
# OFFSET: a number of twenty digits made the clause page's query fail.
MAX_PAGE = 1_000_000


def page_number(value) -> int:
    """The page asked for: a number from 1 to MAX_PAGE, and 1 for anything that is not one."""
    try:
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1
