"""Small builders of Python ``ast`` nodes, and positions for them.

The translators build Python code with these rather than with ``ast``'s
constructors directly, so that a translation reads like the code it emits:
``assign(store(x), call(helper("div"), a, b))``.
"""

from __future__ import annotations

import ast
import copy

from cspc.diagnostics import InternalError, Span


def load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def const(value) -> ast.Constant:
    return ast.Constant(value)


def call(func: ast.expr | str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    if isinstance(func, str):
        func = load(func)
    return ast.Call(func, list(args), [ast.keyword(k, v) for k, v in kwargs.items()])


def method(obj: ast.expr, name: str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    return call(ast.Attribute(obj, name, ast.Load()), *args, **kwargs)


def assign(target: ast.expr, value: ast.expr) -> ast.Assign:
    return ast.Assign([target], value)


def expr_stmt(value: ast.expr) -> ast.Expr:
    return ast.Expr(value)


def subscript(value: ast.expr, index: ast.expr | int) -> ast.Subscript:
    if isinstance(index, int):
        index = const(index)
    return ast.Subscript(value, index, ast.Load())


def one_or_tuple(values: list[ast.expr]) -> ast.expr:
    """A single value, or a tuple of several (results, messages)."""
    return values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())


def store_tuple(names: list[str]) -> ast.Tuple:
    return ast.Tuple([store(n) for n in names], ast.Store())


def as_store(node: ast.expr) -> ast.expr:
    """The same location with a Store context (Name or Subscript)."""
    if isinstance(node, ast.Name):
        return store(node.id)
    if isinstance(node, ast.Subscript):
        return ast.Subscript(node.value, node.slice, ast.Store())
    raise InternalError(f"cannot assign to {ast.dump(node)}")


def copy_ast(node: ast.expr) -> ast.expr:
    """A fresh copy of a small expression tree (ast nodes must not be shared)."""
    return copy.deepcopy(node)


def stamp(node: ast.AST, span: Span | None) -> ast.AST:
    """Give ``node`` (and its children that have no position yet) ``span``'s position."""
    if span is None or span.line <= 0:
        return node
    end_line = span.end_line if span.end_line >= span.line else span.line
    end_col = span.end_col - 1 if span.end_line >= span.line and span.end_col > 0 else span.col
    if end_line == span.line and end_col < span.col - 1:
        end_col = span.col - 1
    # A node that has a position got it from stamp(), which positioned its whole
    # subtree too, so the walk stops there (keeping code generation linear).
    stack = [node]
    while stack:
        child = stack.pop()
        if "lineno" in child._attributes:
            if getattr(child, "lineno", None) is not None:
                continue
            child.lineno, child.col_offset = span.line, max(span.col - 1, 0)
            child.end_lineno, child.end_col_offset = end_line, max(end_col, 0)
            if isinstance(child, ast.Attribute) and end_line != span.line:
                # CPython gives a method call spanning lines the line where the
                # attribute ends: `c ? CASE' would be placed on its last variant.
                child.end_lineno, child.end_col_offset = span.line, child.col_offset + 1
        stack.extend(ast.iter_child_nodes(child))
    return node


def stored_names(body: list[ast.stmt]) -> set[str]:
    """Names bound by ``body``, not looking inside nested functions."""
    found: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                found.add(node.name)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return found


def label(prefix: str, value: ast.expr) -> ast.JoinedStr:
    """``f"{prefix}{value}"``: a name made at run time (``cs[3]``, ``i=3``)."""
    return ast.JoinedStr([const(prefix), ast.FormattedValue(value, -1, None)])
