"""The page's own script and stylesheet (geomap/render/static): parsed, and checked for unsafe DOM calls.

The script is parsed with esprima (a JavaScript parser on PyPI, so the suite needs no Node
toolchain); the checks walk its syntax tree, so a comment or a string that mentions a name
does not count.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from geomap.render import page_assets

esprima = pytest.importorskip("esprima", reason="esprima not installed: install it with `pip install esprima`")

STATIC = resources.files("geomap.render") / "static"


def script_tree():
    return esprima.parseScript((STATIC / "geomap.js").read_text(encoding="utf-8"), {"loc": True})


def walk(node):
    """Every node of an esprima syntax tree."""
    if isinstance(node, list):
        for item in node:
            yield from walk(item)
        return
    if not hasattr(node, "type"):
        return
    yield node
    for key, value in vars(node).items():
        if key not in ("loc", "range") and (isinstance(value, list) or hasattr(value, "type")):
            yield from walk(value)


def test_the_script_parses_and_defines_the_entry_points():
    tree = script_tree()
    functions = {n.id.name for n in tree.body if n.type == "FunctionDeclaration"}
    assert {"geomapControlMap", "geomapDecode"} <= functions


def test_the_script_never_turns_text_into_markup_or_code():
    """Data is shown with textContent: no innerHTML, document.write, eval, Function or string timers."""
    unsafe_properties = {"innerHTML", "outerHTML", "insertAdjacentHTML", "srcdoc"}
    found = []
    for node in walk(script_tree()):
        if node.type == "MemberExpression" and not node.computed and node.property.name in unsafe_properties:
            found.append((node.property.name, node.loc.start.line))
        if node.type == "CallExpression":
            callee = node.callee
            name = callee.name if callee.type == "Identifier" else getattr(callee.property, "name", None)
            if name in {"eval", "write", "writeln", "Function"}:
                found.append((name, node.loc.start.line))
            if name in {"setTimeout", "setInterval"} and node.arguments and node.arguments[0].type == "Literal":
                found.append((name, node.loc.start.line))
        if node.type == "NewExpression" and getattr(node.callee, "name", None) == "Function":
            found.append(("new Function", node.loc.start.line))
    assert found == []


def test_the_script_runs_in_strict_mode_and_declares_its_variables():
    tree = script_tree()
    for fn in (n for n in tree.body if n.type == "FunctionDeclaration"):
        first = fn.body.body[0]
        assert first.type == "ExpressionStatement" and first.directive == "use strict", fn.id.name


def test_assets_are_package_files_and_cannot_close_their_element():
    css, js = page_assets()
    assert js == (STATIC / "geomap.js").read_text(encoding="utf-8")
    assert css == (STATIC / "geomap.css").read_text(encoding="utf-8")
    assert "</script" not in js.lower()
    assert "</style" not in css.lower()
    # Braces balance in the stylesheet (a cheap check that no rule was cut off).
    assert css.count("{") == css.count("}")
    assert re.search(r"\.geomap-box\s*\{", css)
