"""Every /comprendre page, for the page, readability and browser tests."""

from etp_orient.content.pages import all_pages, easy_pages

PLAIN_PATHS = [
    "/comprendre/",
    "/comprendre/glossaire",
    *[f"/comprendre/{page.slug}" for page in all_pages()],
]
EASY_PATHS = ["/comprendre/facile/", *[f"/comprendre/facile/{page.slug}" for page in easy_pages()]]
ALL_PATHS = PLAIN_PATHS + EASY_PATHS
