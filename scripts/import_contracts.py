"""billpay's own import-linter contract types (pyproject.toml, [tool.importlinter]).

- `private_names`: a `_private` name (a module, function, class or constant whose name starts with
  an underscore, dunders aside) is imported only from within the package or module it belongs to,
  the rule import-linter's built-in `private_modules` applies to modules, extended to every name
  an import statement names. `from payables.services.imports import _upsert` in
  `payables.services.bills` breaks it (`_upsert` is private to `payables.services.imports`);
  `from codat._parse import Fields` in `codat.types` keeps it (`_parse` is private to `codat`, and
  `codat.types` is inside `codat`); the same import in `sandbox` breaks it. grimp's graph holds
  modules only, so this contract reads the import statements itself (every one, in function bodies
  too).
- `acyclic_modules`: no import cycle between modules, once the imports listed in
  `ignore_imports` (the anchored service <-> task pairs) are set aside. `known_cycles` names cycles
  tolerated for now, each by its exact set of modules; a listed cycle that has gone, or changed,
  breaks the contract, so the list can only shrink.

Run from the repository root (`.venv/bin/lint-imports`), which puts this folder's parent on
sys.path so that `scripts.import_contracts` imports.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
from pathlib import Path
from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


def _option(contract: Contract, name: str) -> list[Any]:
    """A list option's parsed values (the fields are class attributes mypy cannot see through)."""
    return list(getattr(contract, name) or [])


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def _module_files(package: str) -> dict[str, Path]:
    """Every module of a top-level package, by dotted name, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"{package!r} is not a package on sys.path.")
    root = Path(next(iter(spec.submodule_search_locations)))
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """The dotted names each import statement of the module names, with their line numbers:
    `from a.b import c` names `a.b.c`, `import a.b` names `a.b`; relative imports are resolved."""
    is_package = path.name == "__init__.py"
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            names += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return names


def _owner(name: str) -> str | None:
    """The module or package a dotted name is private to: the parent of its innermost private
    component (the strictest scope), or None when no component is private."""
    parts = name.split(".")
    private = [index for index, part in enumerate(parts) if index and _is_private(part)]
    return ".".join(parts[: private[-1]]) if private else None


class PrivateNamesContract(Contract):
    """Private names may only be imported from within the module or package they belong to.

    Options:
        - packages: the packages whose import statements are checked.
        - ignore_imports: `importer -> name` pairs to let pass, shell-style wildcards allowed
          (`payables.services.bills -> payables.services.imports._*`); each must still match an
          import, or the contract is broken (an exception outliving its reason is removed).
    """

    type_name = "private_names"

    packages = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        ignored: list[tuple[str, str]] = []
        for line in _option(self, "ignore_imports"):
            importer, _, imported = (part.strip() for part in str(line).partition("->"))
            ignored.append((importer, imported))
        used = set()
        illegal = []
        for package in _option(self, "packages"):
            for module, path in _module_files(str(package)).items():
                for name, line in _imported_names(module, path):
                    owner = _owner(name)
                    if owner is None or _inside(module, owner):
                        continue
                    matches = {
                        rule
                        for rule in ignored
                        if fnmatch.fnmatchcase(module, rule[0])
                        and fnmatch.fnmatchcase(name, rule[1])
                    }
                    if matches:
                        used |= matches
                        continue
                    illegal.append({"importer": module, "name": name, "owner": owner, "line": line})
        stale = [
            f"{importer} -> {imported}"
            for importer, imported in ignored
            if (importer, imported) not in used
        ]
        return ContractCheck(
            kept=not illegal and not stale, metadata={"illegal": illegal, "stale": stale}
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        illegal: list[dict[str, Any]] = check.metadata["illegal"]
        if illegal:
            output.print_error(
                "Private names may only be imported from within the module or package they "
                "belong to:",
                bold=False,
            )
            output.new_line()
            for item in illegal:
                output.print_error(
                    f"- {item['importer']} -> {item['name']} (l.{item['line']}; private to "
                    f"{item['owner']})",
                    bold=False,
                )
            output.new_line()
        for line in check.metadata["stale"]:
            output.print_error(
                f"- ignore_imports: '{line}' matches no import any more: remove it.", bold=False
            )
        if check.metadata["stale"]:
            output.new_line()


def _cycles(graph: ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    edges = {
        module: sorted(m for m in graph.find_modules_directly_imported_by(module) if m in modules)
        for module in sorted(modules)
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


class AcyclicModulesContract(Contract):
    """No import cycle between the modules of the packages, once `ignore_imports` are removed.

    Options:
        - packages: the packages whose modules may not import each other in a cycle.
        - ignore_imports: import expressions (import-linter's syntax, wildcards allowed) of the
          imports allowed to close a cycle; each must match an import.
        - known_cycles: cycles tolerated for now, each as its modules separated by spaces or
          commas; each must still exist exactly, or the contract is broken.
    """

    type_name = "acyclic_modules"

    packages = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.ImportExpressionField(), required=False)
    known_cycles = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=_option(self, "ignore_imports"),
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        modules = {
            module
            for module in graph.modules
            if any(_inside(module, str(package)) for package in _option(self, "packages"))
        }
        cycles = _cycles(graph, modules)
        # Each known cycle as written (for the message) and as its sorted modules.
        known = {
            " ".join(str(line).split()): sorted(str(line).replace(",", " ").split())
            for line in _option(self, "known_cycles")
        }
        details = {
            tuple(cycle): _example_loop(graph, cycle)
            for cycle in cycles
            if cycle not in known.values()
        }
        gone = [line for line, cycle in known.items() if cycle not in cycles]
        return ContractCheck(
            kept=not details and not gone,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"cycles": details, "gone": gone},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        cycles: dict[tuple[str, ...], list[str]] = check.metadata["cycles"]
        for members, loop in cycles.items():
            output.print_error(f"Import cycle between {len(members)} modules:", bold=False)
            output.print_error(f"  {', '.join(members)}", bold=False)
            output.print_error(f"  for example: {' -> '.join(loop)}", bold=False)
            output.new_line()
        for line in check.metadata["gone"]:
            output.print_error(
                f"- known_cycles: '{line}' is not a cycle any more (gone or changed): remove or "
                "update it.",
                bold=False,
            )
        if check.metadata["gone"]:
            output.new_line()


def _example_loop(graph: ImportGraph, cycle: list[str]) -> list[str]:
    """One shortest loop through the cycle's first module, to show how the cycle closes."""
    start, members = cycle[0], set(cycle)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph.find_modules_directly_imported_by(node) & members):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return cycle
