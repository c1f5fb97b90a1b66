"""The clause page with its comments: threads, sorting, pages, what each comment shows, comments
on earlier versions, highlighted quotes; permanent links, the lookup, person and settings pages."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import actions, threads
from comments.models import Comment, Endorsement
from definition.models import ClauseText
from docket import quotes
from tests.conftest import client_for, make_definition, make_user
from tests.queries import count_queries

START = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)
_minutes = itertools.count()


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def clause_url(slug, label, key):
    return reverse("definition:clause", args=[slug, label, key])


def clause_text(slug, label, key) -> ClauseText:
    return ClauseText.objects.select_related("version", "clause").get(
        version__definition__slug=slug, version__label=label, clause__key=key
    )


def add_comment(text, author, body="A comment.", *, parent=None, quote="", when=None, **fields) -> Comment:
    """A comment stored directly (no rate limit, no emails); each one a minute after the last."""
    prefix, suffix = quotes.context(text.body_html, quote) if quote else ("", "")
    comment = Comment.objects.create(
        clause_id=text.clause_id,
        version=text.version,
        parent=parent,
        root_id=parent.root_id if parent is not None else None,
        author=author,
        body=body,
        quote=quote,
        quote_prefix=prefix,
        quote_suffix=suffix,
        created_at=when or START + timedelta(minutes=next(_minutes)),
        **fields,
    )
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(root=comment)
        comment.root_id = comment.pk
    return comment


def named(display_name, affiliation="", **kwargs):
    user = make_user(**kwargs)
    user.profile.display_name = display_name
    user.profile.affiliation = affiliation
    user.profile.save()
    return user


def article(html: str, pk: int) -> str:
    """The whole <article id="comment-pk"> element, replies included."""
    start = html.rindex("<article", 0, html.index(f'id="comment-{pk}"') + 1)
    depth, position = 0, start
    for match in re.finditer(r"<(/?)article\b", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.end()
            break
    return html[start : html.index(">", position) + 1]


def header(html: str, pk: int) -> str:
    """The comment's own header (who, when, which version), not its replies'."""
    own = article(html, pk)
    return own[: own.index("</header>")]


def order_of(html: str, comments) -> list[int]:
    return sorted((c.pk for c in comments), key=lambda pk: html.index(f'id="comment-{pk}"'))


@pytest.fixture
def scope(demo_definition):
    return clause_text("charter", "1.0", "scope")


@pytest.fixture
def author(db):
    return named("Ada Lovelace", "Analytical Society")


# Threads


def test_a_reply_appears_inside_its_parents_article(reader, scope, author):
    first = add_comment(scope, author, "The first word.")
    answer = add_comment(scope, make_user(), "An answer.", parent=first)
    answer_to_answer = add_comment(scope, author, "And back.", parent=answer)
    other = add_comment(scope, make_user(), "Another thread.")
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    assert f'id="comment-{answer.pk}"' in article(html, first.pk)
    assert f'id="comment-{answer_to_answer.pk}"' in article(html, answer.pk)
    assert f'id="comment-{other.pk}"' not in article(html, first.pk)
    assert f'id="comment-{first.pk}"' not in article(html, other.pk)


def test_a_chain_of_twelve_replies_renders_and_stops_indenting_at_the_maximum_depth(reader, scope, author):
    assert threads.MAX_DEPTH < 12
    chain = [add_comment(scope, author, "Reply 0.")]
    for n in range(1, 13):
        chain.append(add_comment(scope, make_user(), f"Reply {n}.", parent=chain[-1]))
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    for depth, comment in enumerate(chain):
        shown = min(depth, threads.MAX_DEPTH)
        assert f'<article class="comment depth-{shown}' in article(html, comment.pk)[:60]
        assert f"Reply {depth}." in article(html, comment.pk)
    deepest_indented = chain[threads.MAX_DEPTH]
    for comment in chain[threads.MAX_DEPTH + 1 :]:
        # Deeper replies continue flat under the last indented comment, in order, each saying
        # whom it answers.
        assert f'id="comment-{comment.pk}"' in article(html, deepest_indented.pk)
        assert "flattened" in header(html, comment.pk)
        parent_name = comment.parent.author.profile.name
        assert f'in reply to <a href="#comment-{comment.parent_id}">{parent_name}</a>' in header(
            html, comment.pk
        )
    for comment in chain[: threads.MAX_DEPTH + 1]:
        assert "in reply to" not in header(html, comment.pk)
    flat = chain[threads.MAX_DEPTH + 1 :]
    assert order_of(html, flat) == [c.pk for c in flat]


# Sorting and pages


@pytest.fixture
def three_threads(scope):
    endorsers = [make_user() for _ in range(3)]
    oldest = add_comment(scope, make_user(), "Oldest.")
    middle = add_comment(scope, make_user(), "Middle.")
    newest = add_comment(scope, make_user(), "Newest.")
    Endorsement.objects.create(comment=oldest, person=endorsers[0])
    for person in endorsers:
        Endorsement.objects.create(comment=middle, person=person)
    # A reply's endorsements do not count for its thread.
    reply = add_comment(scope, make_user(), "A reply.", parent=newest)
    for person in endorsers:
        Endorsement.objects.create(comment=reply, person=person)
    return oldest, middle, newest


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("oldest", [0, 1, 2]), ("newest", [2, 1, 0]), ("endorsed", [1, 0, 2])],
)
def test_threads_sort_as_named(reader, three_threads, sort, expected):
    html = reader.get(clause_url("charter", "1.0", "scope") + f"?sort={sort}").content.decode()
    assert order_of(html, three_threads) == [three_threads[i].pk for i in expected]
    assert f'<option value="{sort}" selected>' in html


def test_an_unknown_sort_falls_back_to_oldest_first(reader, three_threads):
    html = reader.get(clause_url("charter", "1.0", "scope") + "?sort=random").content.decode()
    assert order_of(html, three_threads) == [c.pk for c in three_threads]


def test_one_thread_more_than_a_page_holds_goes_to_a_second_page(reader, scope):
    roots = [add_comment(scope, make_user(), f"Thread {n}.") for n in range(threads.THREADS_PER_PAGE + 1)]
    url = clause_url("charter", "1.0", "scope")
    first = reader.get(url).content.decode()
    second = reader.get(url + "?page=2").content.decode()
    assert all(f'id="comment-{root.pk}"' in first for root in roots[:-1])
    assert f'id="comment-{roots[-1].pk}"' not in first
    assert "Page 1 of 2" in first
    assert 'rel="next" href="?sort=oldest&amp;page=2#comments"' in first
    assert f'id="comment-{roots[-1].pk}"' in second
    assert all(f'id="comment-{root.pk}"' not in second for root in roots[:-1])
    assert "Page 2 of 2" in second
    assert f"({threads.THREADS_PER_PAGE + 1} threads)" in first


def test_a_page_past_the_end_shows_the_last_page(reader, scope):
    roots = [add_comment(scope, make_user(), f"Thread {n}.") for n in range(threads.THREADS_PER_PAGE + 1)]
    html = reader.get(clause_url("charter", "1.0", "scope") + "?page=99").content.decode()
    assert "Page 2 of 2" in html
    assert f'id="comment-{roots[-1].pk}"' in html
    assert f'id="comment-{roots[0].pk}"' not in html


def test_a_page_number_too_large_for_the_database_shows_the_last_page(reader, scope):
    roots = [add_comment(scope, make_user(), f"Thread {n}.") for n in range(threads.THREADS_PER_PAGE + 1)]
    response = reader.get(clause_url("charter", "1.0", "scope") + "?page=99999999999999999999")
    assert response.status_code == 200
    assert "Page 2 of 2" in response.content.decode()
    assert f'id="comment-{roots[-1].pk}"' in response.content.decode()


def test_the_most_endorsed_thread_leads_the_first_page_even_when_it_is_the_newest(reader, scope):
    roots = [add_comment(scope, make_user(), f"Thread {n}.") for n in range(threads.THREADS_PER_PAGE + 1)]
    for _ in range(2):
        Endorsement.objects.create(comment=roots[-1], person=make_user())
    Endorsement.objects.create(comment=roots[5], person=make_user())
    html = reader.get(clause_url("charter", "1.0", "scope") + "?sort=endorsed").content.decode()
    shown = order_of(html, [r for r in roots if f'id="comment-{r.pk}"' in html])
    assert shown[:2] == [roots[-1].pk, roots[5].pk]
    assert len(shown) == threads.THREADS_PER_PAGE
    assert roots[-2].pk not in shown  # the one left for page 2: no endorsement, and the newest of those


# What a comment shows


def test_a_comment_shows_its_author_affiliation_organisation_version_time_and_number(reader, scope, author):
    comment = add_comment(
        scope,
        author,
        "We support this.",
        on_behalf_of="The Garden Club",
        when=datetime(2025, 3, 4, 5, 6, tzinfo=UTC),
    )
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    meta = header(html, comment.pk)
    assert f'<a href="{reverse("person", args=[author.pk])}">Ada Lovelace</a>' in meta
    assert '<span class="affiliation">Analytical Society</span>' in meta
    assert "on behalf of The Garden Club" in meta
    assert "on version 1.0" in meta
    assert '<time datetime="2025-03-04T05:06:00+00:00">4 Mar 2025, 05:06</time>' in meta
    assert comment.tracking_number == f"DKT-{comment.pk:06d}"
    assert f'<span class="tracking-number">{comment.tracking_number}</span>' in meta
    assert f'href="{reverse("comments:permalink", args=[comment.pk])}"' in meta
    assert "We support this." in article(html, comment.pk)


def test_an_author_without_a_display_name_is_shown_by_number_never_by_email(reader, scope):
    person = make_user(email="private@example.org")
    comment = add_comment(scope, person)
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    assert f"Participant {person.pk}" in header(html, comment.pk)
    assert "private@example.org" not in html


def test_an_edited_comment_links_to_its_history_which_shows_the_earlier_texts(reader, scope, author):
    comment = add_comment(scope, author, "First thoughts.")
    actions.edit_comment(comment=comment, person=author, body="Second thoughts.", on_behalf_of="")
    actions.edit_comment(comment=comment, person=author, body="Final thoughts.", on_behalf_of="The Club")
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    history_url = reverse("comments:history", args=[comment.pk])
    assert f'<a href="{history_url}">edited</a>' in header(html, comment.pk)
    assert "Final thoughts." in article(html, comment.pk)
    assert "First thoughts." not in html
    history = reader.get(history_url).content.decode()
    assert (
        history.index("Final thoughts.")
        < history.index("Second thoughts.")
        < history.index("First thoughts.")
    )


def test_an_unedited_comment_has_no_edited_link(reader, scope, author):
    comment = add_comment(scope, author)
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    assert "edited" not in header(html, comment.pk)


def test_a_comment_shows_its_endorsement_count_and_co_signers_with_their_notes(reader, scope, author):
    comment = add_comment(scope, author, "Endorse me.")
    grace = named("Grace Hopper")
    alan = named("Alan Turing")
    actions.endorse(comment=comment, person=grace, note="I agree, and also the orchard.")
    actions.endorse(comment=comment, person=alan)
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    own = article(html, comment.pk)
    assert "<summary>2 endorsements</summary>" in own
    assert "Grace Hopper</a>: “I agree, and also the orchard.”" in own
    assert f'<a href="{reverse("person", args=[alan.pk])}">Alan Turing</a></li>' in own


def test_a_comment_with_one_endorsement_says_so_in_the_singular(reader, scope, author):
    comment = add_comment(scope, author)
    actions.endorse(comment=comment, person=make_user())
    assert "<summary>1 endorsement</summary>" in article(
        reader.get(clause_url("charter", "1.0", "scope")).content.decode(), comment.pk
    )


def test_the_quoted_passage_is_highlighted_in_the_clause_text(reader, scope, author):
    comment = add_comment(scope, author, "Why orchards?", quote="community gardens and orchards")
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    body = html[html.index('id="clause_text"') :]
    body = body[: body.index("</div>")]
    assert '<mark class="quoted">community gardens and orchards</mark>' in body
    assert '<blockquote class="comment-quote"><p>community gardens and orchards</p></blockquote>' in article(
        html, comment.pk
    )


def test_a_withdrawn_comments_quote_is_not_highlighted(reader, scope, author):
    comment = add_comment(scope, author, quote="community gardens")
    actions.withdraw_comment(comment=comment, person=author)
    html = reader.get(clause_url("charter", "1.0", "scope")).content.decode()
    assert '<mark class="quoted">' not in html


# Comments made on earlier versions

RULES = {
    "1": [
        (
            "fees",
            "Fees",
            "Members pay a yearly fee of ten pounds. Meetings are held in the village hall. Anyone may join.",
        )
    ],
    "2": [
        (
            "fees",
            "Fees",
            "Members pay a yearly fee of twenty pounds. Meetings are held in the village hall. "
            "Fees are waived for students.",
        )
    ],
}


@pytest.fixture
def rules(db):
    make_definition(slug="rules", title="House Rules", versions=RULES)
    return clause_text("rules", "1", "fees")


def test_comments_on_earlier_versions_appear_marked_with_their_version_and_what_became_of_their_quote(
    reader, rules, author
):
    same = add_comment(rules, author, "Keep the hall.", quote="Meetings are held in the village hall.")
    changed = add_comment(rules, author, "Too dear.", quote="ten pounds")
    gone = add_comment(rules, author, "Open to all!", quote="Anyone may join.")
    html = reader.get(clause_url("rules", "2", "fees")).content.decode()
    earlier = html[html.index('id="earlier_title"') :]
    for comment in (same, changed, gone):
        assert f'<li class="earlier-comment" id="comment-{comment.pk}">' in earlier
    items = {
        c.pk: earlier[earlier.index(f'id="comment-{c.pk}"') :].split("</li>")[0]
        for c in (same, changed, gone)
    }
    assert all('<span class="badge">on 1</span>' in item for item in items.values())
    assert "The quoted passage reads the same in 2." in items[same.pk]
    assert "The quoted passage has changed. In 2 it now reads: “twenty pounds”" in items[changed.pk]
    assert "<p>ten pounds</p>" in items[changed.pk]
    assert "The quoted passage is no longer in this clause in 2." in items[gone.pk]
    assert "<p>Anyone may join.</p>" in items[gone.pk]


def test_earlier_comments_are_never_reattached_to_the_new_versions_threads(reader, rules, author):
    earlier = add_comment(rules, author, "On the first version.", quote="ten pounds")
    html = reader.get(clause_url("rules", "2", "fees")).content.decode()
    assert "(0 threads)" in html
    assert f'<article class="comment depth-0" id="comment-{earlier.pk}"' not in html
    assert '<mark class="quoted">' not in html


def test_an_earlier_comment_counts_its_replies_and_endorsements(reader, rules, author):
    comment = add_comment(rules, author, "Counted.")
    add_comment(rules, make_user(), "One.", parent=comment)
    add_comment(rules, make_user(), "Two.", parent=comment)
    for _ in range(3):
        actions.endorse(comment=comment, person=make_user())
    html = reader.get(clause_url("rules", "2", "fees")).content.decode()
    item = html[html.index(f'id="comment-{comment.pk}"') :].split("</li>")[0]
    assert "2 replies · 3 endorsements" in item


def test_an_earlier_comment_with_no_replies_nor_endorsements_says_so(reader, rules, author):
    comment = add_comment(rules, author, "Alone.")
    html = reader.get(clause_url("rules", "2", "fees")).content.decode()
    item = html[html.index(f'id="comment-{comment.pk}"') :].split("</li>")[0]
    assert "· 0 replies" in item
    assert "None" not in item and "endorsement" not in item


def test_the_version_page_shows_each_clauses_comment_count(reader, demo_definition):
    scope = clause_text("charter", "1.0", "scope")
    members = clause_text("charter", "1.0", "members")
    first = add_comment(scope, make_user())
    add_comment(scope, make_user(), parent=first)
    add_comment(members, make_user())
    add_comment(clause_text("charter", "0.2", "meetings"), make_user())  # another version
    html = reader.get(reverse("definition:version", args=["charter", "1.0"])).content.decode()
    assert '<span class="comment-count">(2 comments)</span>' in html
    assert '<span class="comment-count">(1 comment)</span>' in html
    meetings = html[html.index('id="meetings"') :]
    assert "No comments yet" in meetings
    assert f'href="{clause_url("charter", "1.0", "scope")}#comments">2 comments' in html


# Query counts


def fill(text, *, threads_count, replies_per_thread, authors, endorsers, commenter):
    """Threads with replies nested several deep (each reply answers the comment three before
    it, so chains run deeper than MAX_DEPTH), a third of them endorsed twice."""
    made = []
    for t in range(threads_count):
        thread = [add_comment(text, commenter if t == 0 else authors[t % len(authors)], f"Thread {t}.")]
        for r in range(1, replies_per_thread + 1):
            parent = thread[max(0, r - 3)]
            thread.append(
                add_comment(text, authors[(t + r) % len(authors)], f"Reply {t}.{r}.", parent=parent)
            )
        made.extend(thread)
    Endorsement.objects.bulk_create(
        Endorsement(comment=comment, person=person, note=f"Note {n}.")
        for n, comment in enumerate(made)
        if n % 3 == 0
        for person in endorsers
        if person.pk != comment.author_id
    )
    return made


@pytest.fixture
def small_and_large(db, commenter):
    """The same clause with 10 comments and with 1,000 (40 threads of 25)."""
    clauses = [("scope", "Scope", "What this covers."), ("terms", "Terms", "Words we use.")]
    make_definition(slug="small", versions={"1.0": clauses})
    make_definition(slug="large", versions={"1.0": clauses})
    authors = [named(f"Author {n}", f"Org {n}") for n in range(8)]
    endorsers = [commenter, named("Endorser")]
    small = fill(
        clause_text("small", "1.0", "scope"),
        threads_count=2,
        replies_per_thread=4,
        authors=authors,
        endorsers=endorsers,
        commenter=commenter,
    )
    large = fill(
        clause_text("large", "1.0", "scope"),
        threads_count=40,
        replies_per_thread=24,
        authors=authors,
        endorsers=endorsers,
        commenter=commenter,
    )
    assert (len(small), len(large)) == (10, 1000)
    return clause_url("small", "1.0", "scope"), clause_url("large", "1.0", "scope")


def test_the_clause_page_makes_as_many_queries_with_1000_comments_as_with_10_for_a_reader(small_and_large):
    small_url, large_url = small_and_large
    small, large = count_queries(Client(), small_url), count_queries(Client(), large_url)
    # reading page (the definition with its versions, the clause in each with its neighbours): 2;
    # comments: the page's threads (their roots a subquery) with the count of threads, their
    # endorsements, earlier versions': 3; the stewards' dispositions with the answers: 1
    assert small == large == 6


def test_the_clause_page_makes_as_many_queries_with_1000_comments_as_with_10_for_a_commenter(
    small_and_large, commenter
):
    small_url, large_url = small_and_large
    client = client_for(commenter)
    small, large = count_queries(client, small_url), count_queries(client, large_url)
    # the reader's 6, plus session, user (with their profile and whether their email is verified:
    # may they post?), their groups (may they see drafts?), and what they follow
    assert small == large == 10


def test_the_comments_of_a_page_come_from_one_query_and_the_tree_is_built_in_python(small_and_large):
    _, large_url = small_and_large
    with CaptureQueriesContext(connection) as captured:
        html = Client().get(large_url).content.decode()
    sql = [query["sql"] for query in captured.captured_queries]
    comments_of_threads = [
        q for q in sql if q.startswith('SELECT "comments_comment"."id"') and '"root_id" IN (' in q
    ]
    assert len(comments_of_threads) == 1
    # No query walks the tree reply by reply (asks for the replies of given comments; counting
    # an earlier comment's replies inside the query that lists them is not a walk).
    assert not [q for q in sql if re.search(r'"parent_id" (=|IN) \(?%s|"parent_id" (=|IN) \(?\d', q)]
    assert not [q for q in sql if re.search(r'FROM "comments_comment" WHERE "comments_comment"."id" = ', q)]
    # The first page's 20 threads, 25 comments each, all rendered.
    assert html.count('<article class="comment depth-') == threads.THREADS_PER_PAGE * 25


# Permanent links and the lookup


@pytest.fixture
def two_pages(scope):
    roots = [add_comment(scope, make_user(), f"Thread {n}.") for n in range(threads.THREADS_PER_PAGE + 1)]
    reply = add_comment(scope, make_user(), "A reply on page two.", parent=roots[-1])
    return roots, reply


def test_a_permanent_link_redirects_to_the_comment_on_its_clause_page(reader, two_pages):
    roots, _ = two_pages
    response = reader.get(reverse("comments:permalink", args=[roots[0].pk]))
    assert response.status_code == 302
    assert response.url == clause_url("charter", "1.0", "scope") + f"#comment-{roots[0].pk}"


def test_a_permanent_link_to_a_reply_on_page_two_names_the_page(reader, two_pages):
    _, reply = two_pages
    response = reader.get(reverse("comments:permalink", args=[reply.pk]))
    assert response.status_code == 302
    assert response.url == clause_url("charter", "1.0", "scope") + f"?page=2#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in reader.get(response.url).content.decode()


def test_the_page_of_a_thread_follows_its_time_then_its_number(scope):
    moment = datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    roots = [add_comment(scope, make_user(), f"Thread {n}.", when=moment) for n in range(21)]
    reply = add_comment(
        scope, make_user(), "A reply, later.", parent=roots[-1], when=moment + timedelta(days=1)
    )
    # At one moment, threads are in the order of their numbers: twenty on page one.
    assert [threads.page_of(root) for root in roots] == [1] * 20 + [2]
    assert threads.page_of(reply) == 2  # a reply is on its thread's page
    # A comment entered later with an earlier time (one made elsewhere) comes first.
    earlier = add_comment(scope, make_user(), "Said at a meeting.", when=moment - timedelta(microseconds=1))
    assert threads.page_of(earlier) == 1
    assert [threads.page_of(root) for root in roots[18:]] == [1, 2, 2]


def test_a_permanent_link_to_no_comment_is_404(reader, scope):
    assert reader.get(reverse("comments:permalink", args=[999999])).status_code == 404


@pytest.mark.parametrize("form", ["{number}", "{digits}", "dkt {digits}", "#{digits}", "  {number_lower}  "])
def test_the_lookup_redirects_a_tracking_number_to_the_comment(reader, two_pages, form):
    _, reply = two_pages
    number = form.format(
        number=reply.tracking_number, digits=reply.pk, number_lower=reply.tracking_number.lower()
    )
    response = reader.get(reverse("comments:lookup"), {"number": number})
    assert response.status_code == 302
    assert response.url == reverse("comments:permalink", args=[reply.pk])
    assert reader.get(response.url).url.endswith(f"?page=2#comment-{reply.pk}")


def test_the_lookup_of_an_unknown_number_is_404_with_a_message(reader, scope):
    comment = add_comment(scope, make_user())
    response = reader.get(reverse("comments:lookup"), {"number": f"DKT-{comment.pk + 1000:06d}"})
    assert response.status_code == 404
    assert "No comment has that tracking number." in response.content.decode()


def test_the_lookup_page_without_a_number_shows_its_form(reader, db):
    response = reader.get(reverse("comments:lookup"))
    assert response.status_code == 200
    assert 'name="number"' in response.content.decode()


# Person and settings pages


def test_a_persons_page_lists_their_comments_and_no_one_elses(reader, scope, author):
    mine = add_comment(scope, author, "My own words.")
    reply = add_comment(scope, author, "My reply.", parent=add_comment(scope, make_user(), "Someone else."))
    response = reader.get(reverse("person", args=[author.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ada Lovelace</h1>" in html and "Analytical Society" in html
    assert "Comments (2)" in html
    for comment in (mine, reply):
        assert (
            f'href="{reverse("comments:permalink", args=[comment.pk])}">{comment.tracking_number}</a>' in html
        )
    assert "My own words." in html and "My reply." in html
    assert "Someone else." not in html
    assert html.index("My reply.") < html.index("My own words.")  # newest first


def test_the_settings_page_changes_display_name_and_affiliation(scope, author):
    comment = add_comment(scope, author)
    client = client_for(author)
    assert client.get(reverse("accounts:settings")).status_code == 200
    response = client.post(
        reverse("accounts:settings"),
        {
            "display_name": "Countess Lovelace",
            "affiliation": "Royal Society",
            "email_on_reply": "on",
            "email_receipts": "on",
        },
    )
    assert response.status_code == 302
    author.profile.refresh_from_db()
    assert (author.profile.display_name, author.profile.affiliation) == ("Countess Lovelace", "Royal Society")
    assert author.profile.email_on_reply and author.profile.email_receipts
    meta = header(Client().get(clause_url("charter", "1.0", "scope")).content.decode(), comment.pk)
    assert "Countess Lovelace" in meta and "Royal Society" in meta
    assert "Ada Lovelace" not in meta


def test_the_settings_page_is_for_signed_in_people(reader, db):
    response = reader.get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
