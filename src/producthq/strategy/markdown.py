"""Safe Markdown rendering for vision, persona and competitor texts (pure).

The parser is markdown-it-py's CommonMark preset with ``html=False``: raw HTML in the source is
escaped, never passed through. Link and image targets are limited to ``http``, ``https`` and
``mailto`` (anything else, ``javascript:`` and ``data:`` included, stays as plain text), and
links get ``rel="nofollow noopener noreferrer"``. The output is therefore HTML our code built
and may be marked safe.

Examples:
    >>> str(render_markdown("**hi** <script>alert(1)</script>"))
    '<p><strong>hi</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    >>> "href" in render_markdown("[x](javascript:alert(1))")
    False
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def is_allowed_url(url: str) -> bool:
    """Return whether a link target uses an allowed scheme (http, https, mailto).

    Examples:
        >>> [is_allowed_url(u) for u in ("https://a.example", "mailto:x@y.z", "javascript:x", "/p")]
        [True, True, False, False]
    """
    m = _SCHEME_RE.match(url.strip())
    return m is not None and m.group(1).lower() in ALLOWED_SCHEMES


def _link_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
    rendered: str = self.renderToken(tokens, idx, options, env)
    return rendered


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = is_allowed_url  # type: ignore[method-assign]
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # noqa: S101 - the default renderer
    md.add_render_rule("link_open", _link_open)
    return md


def render_markdown(source: str) -> Markup:
    """Render Markdown to safe HTML (raw HTML escaped, only http/https/mailto links).

    Args:
        source: Markdown written by a user.

    Returns:
        HTML that templates may print without escaping.
    """
    html = _parser().render(source or "")
    return Markup(html)  # noqa: S704 - built by the parser with HTML disabled; see module doc
