"""HTML to PDF with WeasyPrint, fetching nothing but data: URIs and template files."""

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

# Fonts and parsed stylesheets, kept per thread: Pango's font map is not thread-safe, and reusing it
# across documents spares reloading every font for each report.
_LOCAL = threading.local()


def allowed_url(url: str, roots: list[Path]) -> bool:
    """Whether a report may fetch `url`: a data: URI or a local file inside one of `roots`."""
    parsed = urlparse(url)
    if parsed.scheme == "data":
        return True
    if parsed.scheme != "file" or parsed.netloc:
        return False
    path = Path(unquote(parsed.path)).resolve()
    return any(path.is_relative_to(root) for root in roots)


def _fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that fetches data: URIs and files inside `roots` and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class TemplateFetcher(URLFetcher):
        """Fetches data: URIs and files inside the allowed folders; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Fetch `url` if it is allowed, else refuse it."""
            if not allowed_url(url, roots):
                raise ValueError(f"the report may not fetch {url[:80]}")
            return super().fetch(url, headers)

    return TemplateFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def _tools(roots: list[Path], stylesheet: Path) -> tuple[Any, Any, Any]:
    """This thread's font configuration, URL fetcher and parsed `stylesheet`, made once per file version."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_LOCAL, "fonts"):
        _LOCAL.fonts, _LOCAL.made = FontConfiguration(), {}
    key = (tuple(roots), stylesheet, stylesheet.stat().st_mtime_ns)
    if key not in _LOCAL.made:
        if len(_LOCAL.made) > 8:  # an edited stylesheet leaves old versions behind
            _LOCAL.made.clear()
        fetcher = _fetcher(roots)
        css = CSS(string=stylesheet.read_text(encoding="utf-8"), base_url=stylesheet.parent.as_uri() + "/",
                  url_fetcher=fetcher, font_config=_LOCAL.fonts)
        _LOCAL.made[key] = (fetcher, css)
    return _LOCAL.fonts, *_LOCAL.made[key]


def render(html: str, *, allowed: list[Path], stylesheet: Path) -> Any:
    """The laid-out WeasyPrint document of a final HTML page; relative links resolve in the last allowed folder."""
    from weasyprint import HTML  # here: only a PDF needs it, and it loads slowly

    roots = [folder.resolve() for folder in allowed]
    fonts, fetcher, css = _tools(roots, stylesheet.resolve())
    base = roots[-1].as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=fetcher).render(stylesheets=[css], font_config=fonts)


def write_pdf(html: str, *, allowed: list[Path], stylesheet: Path) -> bytes:
    """The PDF bytes of a final HTML page styled by `stylesheet`."""
    return render(html, allowed=allowed, stylesheet=stylesheet).write_pdf()
