"""What a test module defines, read statically (no test is imported or run).

``index_module`` parses a test file once and records its module-level names,
its classes with their methods and bases, and whether anything could create
names at run time. ``find_test`` then answers for one pytest node id: defined
(True), gone (False), or cannot be sure (None). Zero false positives is the
rule: every doubt is None, and None keeps a recording.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

#: Module-level calls that can create names recctl cannot see.
_DYNAMIC_CALLS = frozenset({"globals", "setattr", "exec", "vars", "locals", "eval"})


@dataclass
class ClassIndex:
    methods: set[str] = field(default_factory=set)
    bases: list[str | None] = field(default_factory=list)  # None: not a plain name
    nested: dict[str, ClassIndex] = field(default_factory=dict)
    open: bool = False  # decorators, a metaclass or __getattr__ could add methods


@dataclass
class ModuleIndex:
    names: set[str] = field(default_factory=set)  # functions, assignments, imports
    classes: dict[str, ClassIndex] = field(default_factory=dict)
    open: bool = False  # star imports, module __getattr__, globals()/setattr/exec
    error: str | None = None  # the file could not be parsed


def index_module(source: str | bytes) -> ModuleIndex:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return ModuleIndex(error=f"does not parse: {type(error).__name__}")
    index = ModuleIndex()
    _index_body(tree.body, index)
    return index


def _index_body(body: list[ast.stmt], index: ModuleIndex) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            index.names.add(node.name)
            if node.name == "__getattr__":
                index.open = True
        elif isinstance(node, ast.ClassDef):
            index.classes[node.name] = _index_class(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    index.open = True
                index.names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            index.names.update(_assigned_names(node))
            index.open |= _has_dynamic_call(node)
        elif isinstance(node, ast.Expr):
            index.open |= _has_dynamic_call(node)
        elif isinstance(
            node, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
        ):
            # Definitions under a condition or in a loop still define their names.
            for part in ("body", "orelse", "finalbody"):
                _index_body(getattr(node, part, []), index)
            for handler in getattr(node, "handlers", []):
                _index_body(handler.body, index)
            if isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
                index.names.update(_target_names(node))
        elif hasattr(ast, "Match") and isinstance(node, ast.Match):  # pragma: no cover
            for case in node.cases:
                _index_body(case.body, index)


def _index_class(node: ast.ClassDef) -> ClassIndex:
    cls = ClassIndex(bases=[_dotted(base) for base in node.bases])
    cls.open = bool(node.keywords) or any(not _is_pytest_mark(d) for d in node.decorator_list)
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cls.methods.add(item.name)
            cls.open |= item.name == "__getattr__"
        elif isinstance(item, ast.ClassDef):
            cls.nested[item.name] = _index_class(item)
        elif isinstance(item, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            cls.methods.update(_assigned_names(item))
        elif isinstance(item, (ast.If, ast.Try, ast.With, ast.For)):
            cls.open = True  # methods defined under conditions: not worth guessing
    return cls


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parent = _dotted(node.value)
        return None if parent is None else f"{parent}.{node.attr}"
    return None


def _is_pytest_mark(decorator: ast.expr) -> bool:
    """``@pytest.mark.x`` or ``@pytest.mark.x(...)``: markers add no methods."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = _dotted(target) or ""
    return name.startswith("pytest.mark.")


def _assigned_names(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names: set[str] = set()
    for target in targets:
        names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _target_names(node: ast.For | ast.AsyncFor | ast.With | ast.AsyncWith) -> set[str]:
    if isinstance(node, (ast.For, ast.AsyncFor)):
        targets: list[ast.expr] = [node.target]
    else:
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _has_dynamic_call(node: ast.AST) -> bool:
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in _DYNAMIC_CALLS
        for call in ast.walk(node)
    )


# --- answering for one node id -----------------------------------------------------------


def split_node_id(test_id: str) -> tuple[str, list[str]]:
    """``tests/a.py::TestC::test_m[p::q/r]`` -> (``tests/a.py``, [``TestC``, ``test_m``]).

    Parameters are cut at the first ``[`` before splitting on ``::``: they may hold
    ``::``, ``/``, spaces and brackets of their own.
    """
    head = test_id.split("[", 1)[0]
    path, *names = head.split("::")
    return path, names


def find_test(index: ModuleIndex, names: list[str]) -> tuple[bool | None, str]:
    """Whether the module defines the test: True, False (with what is gone), None (unsure)."""
    if index.error is not None:
        return None, index.error
    if not names:
        return None, "no test name in the node id"
    first, rest = names[0], names[1:]
    if not rest:
        if first in index.names or first in index.classes:
            return True, ""
        if index.open:
            return None, "the module may create names at run time"
        return False, f"function {first} gone"
    cls = index.classes.get(first)
    if cls is None:
        if first in index.names:
            return None, f"{first} is assigned or imported, not defined here"
        if index.open:
            return None, "the module may create names at run time"
        return False, f"class {first} gone"
    return _find_in_class(index, cls, first, rest, set())


def _find_in_class(
    index: ModuleIndex, cls: ClassIndex, name: str, rest: list[str], seen: set[str]
) -> tuple[bool | None, str]:
    member, deeper = rest[0], rest[1:]
    if deeper:
        nested = cls.nested.get(member)
        if nested is not None:
            return _find_in_class(index, nested, member, deeper, set())
        if cls.open or any(base not in (None, "object") for base in cls.bases):
            return None, f"class {member} may come from elsewhere"
        return False, f"class {name}.{member} gone"
    if member in cls.methods or member in cls.nested:
        return True, ""
    if cls.open:
        return None, f"class {name} may gain methods at run time"
    seen = seen | {name}
    for base in cls.bases:
        if base == "object":
            continue
        inherited = index.classes.get(base) if base is not None else None
        if inherited is None or base in seen:
            return None, f"{member} may be inherited from {base or 'a base class'}"
        found, why = _find_in_class(index, inherited, base or "", [member], seen)
        if found is not False:
            return found, why
    return False, f"method {name}.{member} gone"
