"""The architecture contracts (pyproject.toml, [tool.importlinter]) are kept, and billpay's own
contract types (scripts/import_contracts.py) catch what they promise to catch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_architecture_contracts_are_kept() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


CONFIG = """
[tool.importlinter]
root_packages = ["shop"]
contract_types = [
    "private_names: scripts.import_contracts.PrivateNamesContract",
    "acyclic_modules: scripts.import_contracts.AcyclicModulesContract",
]

[[tool.importlinter.contracts]]
name = "private"
type = "private_names"
packages = ["shop"]
ignore_imports = [{private_ignores}]

[[tool.importlinter.contracts]]
name = "cycles"
type = "acyclic_modules"
packages = ["shop"]
ignore_imports = ["shop.tasks -> shop.services"]
known_cycles = [{known_cycles}]
"""


def shop(tmp_path: Path, files: dict[str, str], private_ignores: str = "", known: str = "") -> Path:
    (tmp_path / "shop").mkdir()
    # Every shop has a service and its task importing it, which the cycles contract allows.
    defaults = {"__init__.py": "", "services.py": "", "tasks.py": "from shop import services\n"}
    for name, text in {**defaults, **files}.items():
        (tmp_path / "shop" / name).write_text(text)
    config = CONFIG.format(private_ignores=private_ignores, known_cycles=known)
    (tmp_path / "pyproject.toml").write_text(config)
    return tmp_path


def test_a_private_name_from_another_module_breaks_the_contract(tmp_path: Path) -> None:
    project = shop(
        tmp_path,
        {
            "_money.py": "def cents(): ...\n",
            "prices.py": "def _round(): ...\n",
            # A private module of the same package, and a relative import of it: both fine.
            "orders.py": "from shop._money import cents\nfrom ._money import cents as c\n",
            "invoices.py": "def total():\n    from shop.prices import _round\n",
        },
    )

    result = lint_imports(project)

    assert result.returncode == 1
    assert "shop.invoices -> shop.prices._round (l.2; private to shop.prices)" in result.stdout
    assert "shop.orders" not in result.stdout


def test_an_exception_that_matches_nothing_breaks_the_contract(tmp_path: Path) -> None:
    project = shop(
        tmp_path,
        {"prices.py": "def _round(): ...\n", "invoices.py": "from shop.prices import _round\n"},
        private_ignores='"shop.invoices -> shop.prices._*", "shop.orders -> shop.prices._*"',
    )

    result = lint_imports(project)

    assert result.returncode == 1
    assert "'shop.orders -> shop.prices._*' matches no import any more" in result.stdout
    assert "shop.invoices -> shop.prices._round (l." not in result.stdout


def test_a_cycle_breaks_the_contract_but_a_service_task_pair_does_not(tmp_path: Path) -> None:
    project = shop(
        tmp_path,
        {
            "services.py": "from shop import tasks\n",
            "tasks.py": "def run():\n    from shop import services\n",
            "a.py": "from shop import b\n",
            "b.py": "from shop import c\n",
            "c.py": "def later():\n    import shop.a\n",
        },
    )

    result = lint_imports(project)

    assert result.returncode == 1
    assert "Import cycle between 3 modules:" in result.stdout
    assert "shop.a -> shop.b -> shop.c -> shop.a" in result.stdout
    assert "shop.services" not in result.stdout


def test_a_known_cycle_passes_until_it_is_gone(tmp_path: Path) -> None:
    files = {"a.py": "from shop import b\n", "b.py": "import shop.a\n"}
    project = shop(tmp_path, files, known='"shop.b shop.a"')

    assert lint_imports(project).returncode == 0

    (project / "shop" / "b.py").write_text("")
    result = lint_imports(project)

    assert result.returncode == 1
    assert "'shop.b shop.a' is not a cycle any more" in result.stdout
