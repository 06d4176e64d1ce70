"""Templates compiled once per language, their fixed text translated at compile time.

A page calls `_()` a dozen times and holds a few `{% trans %}` blocks; looked up at render
time, that text cost a third of the home page (benchmarks/translations_cost.py). Each template
file is therefore compiled once per language it is rendered in: a call whose message is a
literal (`_("Notes")`, `{% trans x=y %}…{% endtrans %}`) becomes that language's text, escaped
and `%`-formatted exactly as `i18n.page_gettext` does at render time. Plural forms, messages
that are not literals and templates from strings (`render_template_string`) keep the render-time
path. A changed catalogue is seen on the next start, as the compiled `.mo` files are.
"""

from __future__ import annotations

import re
import weakref
from contextvars import ContextVar

from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from markupsafe import escape

# The catalogue a template file is being compiled for (set only while one is loaded).
COMPILING_FOR: ContextVar = ContextVar("compiling_for", default=None)
# The names a template calls the page's gettext by (i18n.init_app installs both).
GETTEXT_NAMES = frozenset({"_", "gettext"})
# The formats a message may hold: a named value, a literal per cent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


class TranslatingEnvironment(Environment):
    """Flask's template environment with one compiled template per (file, language).

    Each compiled template also gets its language's globals (i18n.page_globals: the code,
    the <html lang> tag, the switcher's buttons): no call at render time."""

    # Set by project/i18n.py (which imports this module): i18n.page_state, () -> (Babel
    # locale, site code, catalogue) of the current context; i18n.page_globals, code -> dict.
    page_state = None
    page_globals = None

    def _load_template(self, name, globals):
        _, code, catalogue = self.page_state()
        key = (weakref.ref(self.loader), name, code)
        template = self.cache.get(key) if self.cache is not None else None
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        token = COMPILING_FOR.set(catalogue)
        try:
            # One dict, not Jinja's ChainMap over the environment's: every render copies the
            # globals into its context, and a ChainMap is copied key by key in Python. Jinja
            # asks not to change the environment's globals once templates are loaded anyway.
            page = {**self.globals, **(globals or {}), **self.page_globals(code)}
            template = self.loader.load(self, name, page)
        finally:
            COMPILING_FOR.reset(token)
        if self.cache is not None:
            self.cache[key] = template
        return template

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        catalogue = COMPILING_FOR.get()
        if catalogue is None:
            return tree
        tree = FixedText(catalogue).visit(tree)
        tree.set_environment(self)  # the new nodes too: compile-time folding needs it
        return tree


class FixedText(NodeTransformer):
    """Replaces gettext calls on a literal message by the catalogue's text."""

    def __init__(self, catalogue):
        self.catalogue = catalogue

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        """A message with values written straight to the page (`{% trans %}`, `{{ _(…, v=…) }}`)
        becomes its text and values in turn, each value escaped as `{{ value }}` would be:
        no formatting at render time."""
        parts = []
        for child in node.nodes:
            pieces = self.spliced(child)
            parts.extend(pieces if pieces is not None else [self.visit(child)])
        node.nodes = parts
        return node

    def spliced(self, node: nodes.Node) -> list[nodes.Node] | None:
        """The text's pieces and the call's values, or None where that would read otherwise
        (no values, another format than %(name)s, a value missing)."""
        if not (isinstance(node, nodes.Call) and is_literal_gettext(node) and node.kwargs):
            return None
        text = self.catalogue.ugettext(node.args[0].value)
        if "%" in PLACEHOLDER.sub("", text):
            return None  # %d, %r, a lone %: formatted at render time
        values = {kw.key: kw.value for kw in node.kwargs}
        parts: list[nodes.Node] = []
        literal, position = "", 0
        for match in PLACEHOLDER.finditer(text):
            literal += text[position : match.start()]
            position = match.end()
            name = match[1]
            if name is None:  # %% reads %
                literal += "%"
                continue
            if name not in values:
                return None  # let rendering raise as it would have
            parts += [nodes.TemplateData(literal)] if literal else []
            parts.append(self.visit(values[name]))
            literal = ""
        literal += text[position:]
        return parts + ([nodes.TemplateData(literal)] if literal else [])

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)  # the values of a call may hold calls too
        if not is_literal_gettext(node):
            return node
        text = self.catalogue.ugettext(node.args[0].value)
        if not node.kwargs:
            try:
                # As at render time: always a format string ("100%%" reads "100%").
                text %= {}
            except (KeyError, ValueError, TypeError):
                return node  # let rendering raise as it would have
            if escape(text) == text:  # nothing to escape: a plain string reads the same
                return nodes.Const(text, lineno=node.lineno)
            return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)
        values = nodes.Dict(
            [nodes.Pair(nodes.Const(kw.key), kw.value, lineno=kw.lineno) for kw in node.kwargs],
            lineno=node.lineno,
        )
        # Markup % values escapes each value into the (trusted) translation when autoescaping.
        return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), values, lineno=node.lineno)


def is_literal_gettext(node: nodes.Call) -> bool:
    return (
        isinstance(node.node, nodes.Name)
        and node.node.name in GETTEXT_NAMES
        and len(node.args) == 1
        and isinstance(node.args[0], nodes.Const)
        and isinstance(node.args[0].value, str)
        and node.dyn_args is None
        and node.dyn_kwargs is None
    )
