"""Long lists in pages: the split in views.py, then a whole build with two events a page."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from conftest import SETTINGS, TODAY, ContentFolder, build_site
from events_calendar.loading import load_content
from events_calendar.settings import DEFAULTS
from events_calendar.views import CalendarViews, Paged, page_url, paginate

LONDON = ZoneInfo("Europe/London")
SITE_URL = "https://events.thameside.example"


# --- the split ------------------------------------------------------------------------------

def test_the_default_page_size():
    assert DEFAULTS["EVENTS_LIST_PAGE_SIZE"] == 50


@pytest.mark.parametrize("length, size, sizes", [
    (1, 2, [1]), (2, 2, [2]), (3, 2, [2, 1]), (4, 2, [2, 2]), (5, 2, [2, 2, 1]),
    (50, 50, [50]), (51, 50, [50, 1]), (7, 1, [1] * 7),
])
def test_a_list_is_split_in_order_into_pages_of_the_size(length, size, sizes):
    items = list(range(length))
    pages = paginate(items, "events/", size)
    assert [len(page.items) for page in pages] == sizes
    assert [item for page in pages for item in page.items] == items
    assert [page.number for page in pages] == list(range(1, len(sizes) + 1))
    assert {page.count for page in pages} == {len(sizes)}


def test_an_empty_list_is_one_empty_page_at_the_list_address():
    [page] = paginate([], "events/free/", 50)
    assert (page.number, page.count, page.items, page.url) == (1, 1, (), "events/free/")
    assert page.previous_url is None and page.next_url is None


def test_a_page_size_below_one_is_refused():
    with pytest.raises(ValueError):
        paginate([1], "events/", 0)


def test_the_first_page_keeps_the_list_address_and_the_others_follow_it():
    assert page_url("events/", 1) == "events/"
    assert page_url("events/", 2) == "events/page/2/"
    assert page_url("series/refugee-week/past/", 3) == "series/refugee-week/past/page/3/"
    first, second, third = paginate("abcde", "tags/film/", 2)
    assert [p.url for p in (first, second, third)] == [
        "tags/film/", "tags/film/page/2/", "tags/film/page/3/"]
    assert (first.previous_url, first.next_url) == (None, "tags/film/page/2/")
    assert (second.previous_url, second.next_url) == ("tags/film/", "tags/film/page/3/")
    assert (third.previous_url, third.next_url) == ("tags/film/page/2/", None)


def numbers(page: Paged) -> list:
    """The page numbers a page links to, "…" for an ellipsis, the current one in brackets."""
    return ["…" if link is None else [link.number] if link.is_current else link.number
            for link in page.links]


@pytest.mark.parametrize("number, count, shown", [
    (1, 1, [[1]]),
    (1, 2, [[1], 2]),
    (2, 3, [1, [2], 3]),
    (1, 10, [[1], 2, "…", 10]),
    (3, 10, [1, 2, [3], 4, "…", 10]),
    (5, 10, [1, "…", 4, [5], 6, "…", 10]),
    (10, 10, [1, "…", 9, [10]]),
    # An ellipsis never stands for one page: the page itself takes no more room.
    (4, 7, [1, 2, 3, [4], 5, 6, 7]),
])
def test_page_numbers_are_the_ends_and_the_neighbours_with_ellipses(number, count, shown):
    page = Paged(number, count, (), "events/")
    assert numbers(page) == shown
    assert all(link.url == page_url("events/", link.number) for link in page.links if link)


def views_of(content: ContentFolder) -> CalendarViews:
    loaded = load_content(content.root, SETTINGS, TODAY)
    assert loaded.problems == []
    return CalendarViews(loaded.events, loaded.series.values(), TODAY, LONDON, 548, 500)


def headed(page: dict) -> list[tuple[str, list[str]]]:
    return [(group.month.label, [o.event.title for o in group.occurrences])
            for group in page["groups"]]


def test_a_month_split_between_two_pages_is_headed_on_both(content):
    for day, title in [(26, "A"), (27, "B"), (28, "C")]:
        content.event(f"{title.lower()}.md", f"title: {title}\nstart: 2026-11-{day} 18:00")
    content.event("d.md", "title: D\nstart: 2026-12-02 18:00")
    pages = views_of(content).upcoming_pages(2)
    assert [headed(page) for page in pages] == [
        [("November 2026", ["A", "B"])],
        [("November 2026", ["C"]), ("December 2026", ["D"])]]


def test_past_events_are_split_newest_first_with_their_months(content):
    for day, title in [("09-30", "A"), ("10-01", "B"), ("10-20", "C")]:
        content.event(f"{title.lower()}.md", f"title: {title}\nstart: 2026-{day} 18:00")
    assert [headed(page) for page in views_of(content).past_pages(2)] == [
        [("October 2026", ["C", "B"])], [("September 2026", ["A"])]]


def test_an_empty_list_still_has_its_page(content):
    views = views_of(content)
    [upcoming] = views.upcoming_pages(50)
    assert upcoming["groups"] == [] and upcoming["paged"].url == "events/"
    online = [page for page in views.filter_pages(50) if page["filter_key"] == "online"]
    assert [page["paged"].items for page in online] == [()]


def test_a_series_shows_a_page_of_past_events_and_links_to_all_when_there_are_more(content):
    for day in range(1, 6):
        content.event(f"past-{day}.md", f"title: Past {day}\nstart: 2026-10-0{day} 18:00\n"
                      "series: disability-history-month")
    content.event("soon.md", "title: Soon\nstart: 2026-12-01 18:00\n"
                  "series: disability-history-month")
    views = views_of(content)
    [series_page] = views.series_pages(2)
    assert [o.event.title for o in series_page["past"]] == ["Past 5", "Past 4"]
    assert series_page["all_past_url"] == "series/disability-history-month/past/"
    past = views.series_past_pages(2)
    assert [page["paged"].url for page in past] == [
        "series/disability-history-month/past/", "series/disability-history-month/past/page/2/",
        "series/disability-history-month/past/page/3/"]
    assert [o.event.title for page in past for o in page["paged"].items] == [
        "Past 5", "Past 4", "Past 3", "Past 2", "Past 1"]
    # A page holds them all: the series page lists them, and there is no other page.
    [series_page] = views.series_pages(5)
    assert len(series_page["past"]) == 5 and series_page["all_past_url"] is None
    assert views.series_past_pages(5) == []


# --- a whole build, two dates a page ----------------------------------------------------------

SERIES = "disability-history-month"
# Upcoming (today is 24 November 2026), soonest first: (name, date, free, place, step-free, tag).
UPCOMING = [
    ("talk-one", "2026-11-26", True, False, True, True),
    ("talk-two", "2026-11-28", False, True, True, True),
    ("talk-three", "2026-11-30", True, False, True, True),
    ("workshop", "2026-12-03", False, True, True, False),
    ("exhibition-visit", "2026-12-10", True, False, True, False),
    ("film-night", "2027-01-05", False, True, False, False),
    ("closing-social", "2027-01-20", True, False, False, False),
]
PAST = ["archive-tour", "reading-group", "open-meeting", "quiz-night", "panel"]  # oldest first


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("paged")
    content = ContentFolder(folder / "content")
    content.series(SERIES, "title: Disability History Month\nstart: 2026-11-16\nend: 2026-12-16")
    for name, day, free, place, step_free, tag in UPCOMING:
        content.event(f"{name}.md", "\n".join([
            f"title: {name.replace('-', ' ').capitalize()}", f"start: {day} 18:00",
            f"series: {SERIES}", *(["cost: Free"] if free else []),
            *(["location:\n  name: Town Hall\n  postcode: TS1 1AA"] if place else []),
            *(["accessibility: [step-free]"] if step_free else []),
            *(["tags: [talk]"] if tag else [])]))
    for day, name in enumerate(PAST, start=1):
        content.event(f"{name}.md", f"title: {name.replace('-', ' ').capitalize()}\n"
                      f"start: 2026-10-{day:02d} 18:00\nseries: {SERIES}")
    output = folder / "output"
    result = build_site(content.root, output, extra_settings={"EVENTS_LIST_PAGE_SIZE": 2})
    assert result.returncode == 0, result.stderr
    return output


def read(site: Path, address: str) -> BeautifulSoup:
    return BeautifulSoup((site / address / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def cards(soup: BeautifulSoup, section: str | None = None) -> list[str]:
    """The events listed in the main content (under the h2 ``section`` only, when given)."""
    main = soup.find("main")
    if section:
        heading = main.find("h2", string=section)
        lists = [element for element in heading.find_all_next(["h2", "ul"])]
        lists = lists[:next((i for i, e in enumerate(lists) if e.name == "h2"), len(lists))]
    else:
        lists = main.find_all("ul", class_="app-event-list")
    return [link["href"].strip("/").split("/")[-1] for found in lists
            for link in found.find_all("a", class_="app-event-card__link")]


def walk(site: Path, first: str, section: str | None = None) -> list[tuple[str, list[str]]]:
    """Every page of a list, followed by its "Next page" links from the first; checks that
    each page's links go to pages that exist and agree with each other."""
    pages, address = [], first
    while address:
        soup = read(site, address)
        pages.append((address, cards(soup, section)))
        nav = soup.find("nav", class_="app-pagination--pages")
        if nav is None:
            break
        current = nav.find("a", attrs={"aria-current": "page"})
        assert current["href"] == f"/{address}" and current.get_text() == str(len(pages))
        for link in nav.find_all("a"):
            assert (site / link["href"].lstrip("/") / "index.html").is_file(), link["href"]
        previous = nav.find("a", rel="prev")
        assert (previous["href"] if previous else None) == (
            f"/{pages[-2][0]}" if len(pages) > 1 else None)
        following = nav.find("a", rel="next")
        address = following["href"].lstrip("/") if following else None
    # And no page of the list is left out of the chain.
    written = {f"{first}page/{p.parent.name}/" for p in (site / first / "page").glob("*/index.html")}
    assert written == {address for address, _ in pages[1:]}
    return pages


def in_order(pages) -> list[str]:
    return [name for _, listed in pages for name in listed]


def upcoming(keep=lambda *event: True) -> list[str]:
    return [event[0] for event in UPCOMING if keep(*event)]


@pytest.mark.parametrize("first, section, expected", [
    ("events/", None, upcoming()),
    ("events/past/", None, PAST[::-1]),
    (f"series/{SERIES}/", "Upcoming events in this series", upcoming()),
    (f"series/{SERIES}/past/", None, PAST[::-1]),
    ("access/step-free/", None, upcoming(lambda n, d, f, p, step_free, t: step_free)),
    ("events/free/", None, upcoming(lambda n, d, free, p, s, t: free)),
    ("events/in-person/", None, upcoming(lambda n, d, f, place, s, t: place)),
    ("tags/talk/", None, upcoming(lambda n, d, f, p, s, tag: tag)),
])
def test_every_event_is_on_exactly_one_page_of_each_list_in_order(paged_site, first, section,
                                                                  expected):
    pages = walk(paged_site, first, section)
    assert in_order(pages) == expected
    assert len(pages) == (len(expected) + 1) // 2
    assert all(1 <= len(listed) <= 2 for _, listed in pages)


def test_the_first_page_keeps_its_address_and_every_page_says_which_it_is(paged_site):
    first = read(paged_site, "events/")
    assert first.h1.get_text() == "Upcoming events (page 1 of 4)"
    assert first.title.get_text().startswith("Upcoming events (page 1 of 4) – ")
    third = read(paged_site, "events/page/3/")
    assert third.h1.get_text() == "Upcoming events (page 3 of 4)"
    assert third.find("link", rel="canonical")["href"] == f"{SITE_URL}/events/page/3/"
    past = read(paged_site, f"series/{SERIES}/past/page/2/")
    assert past.h1.get_text() == "Past events in Disability History Month (page 2 of 3)"


def test_every_title_is_unique(paged_site):
    titles: dict[str, list[str]] = {}
    for path in paged_site.rglob("*.html"):
        title = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").title
        titles.setdefault(title.get_text(), []).append(str(path.relative_to(paged_site)))
    assert {title: paths for title, paths in titles.items() if len(paths) > 1} == {}


def test_a_month_split_between_pages_is_headed_on_both(paged_site):
    def months(address):
        return [h.get_text() for h in read(paged_site, address).find_all("h2", class_=
                                                                          "app-event-list__month")]
    assert months("events/") == ["November 2026"]
    assert months("events/page/2/") == ["November 2026", "December 2026"]
    assert months("events/page/3/") == ["December 2026", "January 2027"]


def test_the_pages_navigation_is_named_apart_from_the_others(paged_site):
    soup = read(paged_site, "events/page/2/")
    labels = [nav["aria-label"] for nav in soup.find_all("nav")]
    assert labels == ["Main", "Pages of upcoming events"]
    nav = soup.find("nav", class_="app-pagination--pages")
    assert [a.get_text(" ", strip=True) for a in nav.find_all("a")] == [
        "Previous page : Page 1 of 4", "1", "2", "3", "4", "Next page : Page 3 of 4"]
    assert [a["aria-label"] for a in nav.select(".app-pagination__number-link")] == [
        "Page 1", "Page 2", "Page 3", "Page 4"]


def test_the_series_page_links_to_all_its_past_events(paged_site):
    soup = read(paged_site, f"series/{SERIES}/")
    assert cards(soup, "Past events in this series") == PAST[:-3:-1]
    link = soup.find("a", string="See all past events in Disability History Month")
    assert link["href"] == f"/series/{SERIES}/past/"
    # The later pages of its upcoming events are not in the search index a second time.
    assert soup.find("main").has_attr("data-pagefind-body")
    assert not read(paged_site, f"series/{SERIES}/page/2/").find("main").has_attr(
        "data-pagefind-body")


def test_an_empty_list_is_one_page_that_says_so(paged_site):
    soup = read(paged_site, "events/online/")
    assert "There are no upcoming events here at the moment." in soup.get_text()
    assert soup.find("nav", class_="app-pagination--pages") is None
    assert not (paged_site / "events" / "online" / "page").exists()


def test_the_site_map_lists_every_page_of_every_list(paged_site):
    root = ElementTree.parse(paged_site / "sitemap.xml").getroot()
    listed = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {f"{SITE_URL}/{path.parent.relative_to(paged_site).as_posix()}/"
             for path in paged_site.rglob("page/*/index.html")}
    assert len(pages) == 3 + 2 + 3 + 2 + 2 + 1 + 1 + 1  # events, past, series, its past, ...
    assert pages | {f"{SITE_URL}/events/", f"{SITE_URL}/series/{SERIES}/past/"} <= listed


def test_the_sample_programme_fits_on_one_page_of_each_list(sample_site):
    assert not [path for path in sample_site.rglob("page") if path.is_dir()]
    assert not (sample_site / "series" / "black-history-month" / "past").exists()
    assert "(page 1 of" not in (sample_site / "events" / "index.html").read_text()
