"""HTML to PDF with WeasyPrint, fetching nothing but data: URIs and template files."""

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse


def allowed_url(url: str, roots: list[Path]) -> bool:
    """Whether a report may fetch `url`: a data: URI or a local file inside one of `roots`."""
    parsed = urlparse(url)
    if parsed.scheme == "data":
        return True
    if parsed.scheme != "file" or parsed.netloc:
        return False
    path = Path(unquote(parsed.path)).resolve()
    return any(path.is_relative_to(root) for root in roots)


def write_pdf(html: str, *, allowed: list[Path]) -> bytes:
    """The PDF bytes of a final HTML document whose relative links resolve in the last allowed folder."""
    from weasyprint import HTML  # imported here: the only place a PDF is made, and it loads slowly
    from weasyprint.urls import URLFetcher

    roots = [folder.resolve() for folder in allowed]

    class TemplateFetcher(URLFetcher):
        """Fetches data: URIs and files inside the allowed folders; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Fetch `url` if it is allowed, else refuse it."""
            if not allowed_url(url, roots):
                raise ValueError(f"the report may not fetch {url[:80]}")
            return super().fetch(url, headers)

    fetcher = TemplateFetcher(allowed_protocols=("data", "file"), allow_redirects=False)
    base = roots[-1].as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()
