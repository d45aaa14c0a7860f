"""A small Sphinx extension for the book: links out of notebook outputs, and widget views.

Outputs of the kit's widgets carry a static HTML view (``text/html``) whose links say what they
point to, not where: ``<a href="#" data-kit-link="track/data-analyst">``. A notebook's output
cannot know where its book puts each page; this extension can, and resolves each such link to
the page's relative URL (``open-in-jupyterlab``: the notebook itself, on the hub when the book
sets ``kit.jupyterlab_url``). A widget that has no static view would leave an empty placeholder:
it becomes a note with the same link.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Any

from docutils import nodes

WIDGET_VIEW = '<script type="application/vnd.jupyter.widget-view+json">'
LINK = re.compile(r'href="[^"]*"\s+data-kit-link="([^"]*)"')
OPEN_IN_LAB = "open-in-jupyterlab"


def _target(app: Any, docname: str, key: str) -> str | None:
    if key == OPEN_IN_LAB:
        source = app.env.doc2path(docname, False)
        path = str(source).replace("\\", "/")
        template = app.config.kit_jupyterlab_url
        if template:
            return str(template.format(course=app.config.kit_course_id, path=path))
        # the notebook as Sphinx copies it (html_sourcelink_suffix is empty in a book)
        return posixpath.relpath(f"_sources/{path}", posixpath.dirname(docname) or ".")
    target = app.config.kit_links.get(key)
    if target is None:
        return None
    return str(app.builder.get_relative_uri(docname, target))


def resolve_outputs(app: Any, doctree: nodes.document, docname: str) -> None:
    """Resolve ``data-kit-link`` links and replace bare widget placeholders (doctree-resolved)."""
    if app.builder.format != "html":
        return
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        content = node.astext()
        if content.startswith(WIDGET_VIEW):
            content = (
                '<div class="kit-static" style="border:1px solid #ddd;padding:6px 10px;'
                'margin:8px 0;border-radius:4px">An interactive widget is shown here when the '
                f'notebook runs. <a href="#" data-kit-link="{OPEN_IN_LAB}">Open this page in '
                "JupyterLab</a> to use it.</div>"
            )
        if "data-kit-link" not in content:
            continue

        def swap(match: re.Match[str]) -> str:
            key = html.unescape(match.group(1))
            target = _target(app, docname, key)
            if target is None:
                from sphinx.util import logging

                logging.getLogger(__name__).warning(
                    f"unknown page '{key}' in a widget's link", location=docname
                )
                return 'href="#"'
            # without a hub to open it on, the notebook is downloaded, then opened in JupyterLab
            download = (
                " download" if key == OPEN_IN_LAB and not app.config.kit_jupyterlab_url else ""
            )
            return f'href="{html.escape(target)}"{download}'

        resolved = LINK.sub(swap, content)
        node.replace_self(nodes.raw("", resolved, format="html"))


def unique_scripts(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Drop repeated script tags (html-page-context): an incremental build can register an
    extension's inline script twice (sphinx-thebe's), and a page that declares the same
    constant twice stops its JavaScript with an error."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        name = getattr(script, "filename", script) or ""  # inline scripts: "" or None
        key = (str(name), str(attributes.get("body", "")))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Any) -> dict[str, Any]:
    """Register the extension's settings and its doctree-resolved handler."""
    app.add_config_value("kit_links", {}, "env")
    app.add_config_value("kit_jupyterlab_url", "", "env")
    app.add_config_value("kit_course_id", "", "env")
    app.connect("doctree-resolved", resolve_outputs)
    app.connect("html-page-context", unique_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
