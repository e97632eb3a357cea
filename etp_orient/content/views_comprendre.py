"""The plain-language pages under /comprendre/ (index, pages, glossary, easy-read)."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import ngettext

from .glossary import Explainer, sorted_terms
from .pages import condition_pages, easy_pages, get_easy_page, get_page, guide_pages, render

bp = Blueprint("comprendre", __name__, url_prefix="/comprendre")


def retention_text() -> str:
    """The retention period of personal data (``RETENTION_DAYS``) in words: "2 ans"."""
    days = int(current_app.config["RETENTION_DAYS"])
    if days % 365 == 0:
        return ngettext("%(num)d an", "%(num)d ans", days // 365)
    if days % 30 == 0:
        return ngettext("%(num)d mois", "%(num)d mois", days // 30)
    return ngettext("%(num)d jour", "%(num)d jours", days)


def page_context() -> dict:
    """The ``{placeholders}`` a content file may use."""
    config = current_app.config
    return {
        "retention": retention_text(),
        "platform_name": config.get("PLATFORM_NAME") or "",
        "platform_short_name": config.get("PLATFORM_SHORT_NAME") or "",
    }


def _sayer(lang: str | None = None):
    """A function for the template: explains glossary terms at their first use."""
    from .glossary import terms

    return Explainer(terms(lang) if lang else None)


def render_page(page, say=None):
    """The page's body as HTML, in the page's own language (French on a fallback)."""
    say = say or _sayer(page.lang)
    return render(page, say, page_context())


def orientation_url(condition: str | None) -> str:
    return f"/orientation?condition={condition}" if condition else "/orientation"


@bp.get("/")
def index():
    """The list of plain-language pages."""
    return render_template(
        "content/comprendre/index.html",
        guide=guide_pages(),
        conditions=condition_pages(),
        easy=easy_pages(),
        say=_sayer(),
    )


@bp.get("/glossaire")
def glossary():
    """Every difficult word, with its plain explanation."""
    return render_template("content/comprendre/glossary.html", terms=sorted_terms())


@bp.get("/facile/")
def easy_index():
    """The easy-read pages."""
    return render_template("content/comprendre/easy_index.html", pages=easy_pages(), say=_sayer())


@bp.get("/facile/<slug>")
def easy(slug: str):
    """An easy-read page: very short sentences, a pictogram beside each."""
    page = get_easy_page(slug)
    if page is None:
        abort(404)
    return render_template(
        "content/comprendre/easy.html",
        page=page,
        body=render_page(page),
        plain=get_page(slug),
        find_url=orientation_url(None),
    )


@bp.get("/<slug>")
def page(slug: str):
    """A plain-language page; ``?facile=1`` leads to its easy-read version."""
    found = get_page(slug)
    if found is None:
        abort(404)
    if request.args.get("facile") == "1" and found.easy:
        return redirect(url_for("comprendre.easy", slug=slug))
    return render_template(
        "content/comprendre/page.html",
        page=found,
        body=render_page(found),
        find_url=orientation_url(found.condition),
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
