"""A readable, indented dump of the AST (``cspc compile --emit ast`` and tests).

Each node is one line: its class, its plain fields (``op='+'``), and where it
came from (``@line:col``); child nodes follow, indented, under their field
names.  Empty lists and ``None`` fields are left out to keep dumps short::

    Assign @3:5
      targets:
        Name x @3:5
      values:
        Binary op='+' @3:10
          left: Name a @3:10
          right: Literal int 1 @3:14
"""

from __future__ import annotations

from dataclasses import fields

from cspc import syntax as S

__all__ = ["dump"]

# Annotations added by later passes (syntax.annotation fields, too), and Program's
# side lists, are not syntax.
# (A `type' dataclass field is syntax: VarDecl.type, Param.type, ...; the
# checks' Expr.type is a plain attribute, not a field.)
_SKIPPED = frozenset({"span", "symbol", "warnings", "files"})


def dump(node, positions: bool = True) -> str:
    """The dump of ``node`` (a Node, or a list of them) as text."""
    lines: list[str] = []
    if isinstance(node, list):
        for item in node:
            _dump(item, 0, "", lines, positions)
    else:
        _dump(node, 0, "", lines, positions)
    return "\n".join(lines)


def _where(node: S.Node, positions: bool) -> str:
    if not positions or not node.span.line:
        return ""
    return f" @{node.span.line}:{node.span.col}"


def _head(node: S.Node) -> str:
    """Class name plus the compact form of leaf-like nodes."""
    name = type(node).__name__
    if isinstance(node, S.Name):
        return f"{name} {node.name}"
    if isinstance(node, S.PrimType):
        return f"{name} {node.name}"
    if isinstance(node, S.Literal):
        extra = " hex" if node.hex else ""
        return f"{name} {node.kind} {node.value!r}{extra}"
    plain = []
    for f in fields(node):
        if f.name in _SKIPPED or f.metadata.get("annotation"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, (str, int, bytes)) and not isinstance(value, bool):
            plain.append(f"{f.name}={value!r}")
        elif value is True:
            plain.append(f.name)
    return " ".join([name, *plain])


def _children(node: S.Node):
    for f in fields(node):
        if f.name in _SKIPPED or f.metadata.get("annotation"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, S.Node) or (isinstance(value, list) and value):
            yield f.name, value


def _dump(node, depth: int, label: str, lines: list[str], positions: bool) -> None:
    pad = "  " * depth
    if not isinstance(node, S.Node):
        lines.append(f"{pad}{label}{node!r}")
        return
    lines.append(f"{pad}{label}{_head(node)}{_where(node, positions)}")
    for name, value in _children(node):
        if isinstance(value, list):
            lines.append(f"{pad}  {name}:")
            for item in value:
                _dump(item, depth + 2, "", lines, positions)
        else:
            _dump(value, depth + 1, f"{name}: ", lines, positions)
