"""knowledge/settings.py is the one reader of the environment: every variable named once, with its default."""

from __future__ import annotations

import ast

import pytest

from knowledge import settings
from knowledge.paths import ROOT

# Runtime code; developer tooling (tools/) and the tests set variables for the servers they start.
RUNTIME = [ROOT / "actions", ROOT / "knowledge", ROOT / "bot"]


def python_files():
    for place in RUNTIME:
        yield from ([place] if place.suffix == ".py" else sorted(place.rglob("*.py")))


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read os.environ (.get, [...], getenv) rather than copy it whole for a child process."""
    lines = []
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "getenv":
                target = node.func.value
            elif node.func.attr == "get" and isinstance(node.func.value, ast.Attribute):
                target = node.func.value if node.func.value.attr == "environ" else None
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            target = node.value if isinstance(node.value, ast.Attribute) and node.value.attr == "environ" else None
        if target is not None:
            lines.append(node.lineno)
    return lines


def test_no_runtime_module_reads_the_environment_but_the_settings_module():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if path != ROOT / "knowledge" / "settings.py"
        and (lines := environment_reads(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}, "read these through knowledge.settings.value(...)"


def test_the_check_finds_a_read_of_the_environment():
    code = "import os\na = os.environ.get('X')\nb = os.environ['Y']\nc = os.getenv('Z')\nos.environ['W'] = '1'\n"
    assert environment_reads(ast.parse(code)) == [2, 3, 4]


def test_unset_or_blank_takes_the_default_and_an_unknown_name_is_an_error():
    assert settings.value("RATE_LIMIT", {}) == "30/minute" == settings.value("RATE_LIMIT", {"RATE_LIMIT": "  "})
    assert settings.value("RATE_LIMIT", {"RATE_LIMIT": " off "}) == "off"
    assert settings.value("SLACK_BOT_TOKEN", {}) == ""
    with pytest.raises(KeyError):
        settings.value("RATE_LIMITS", {})


def test_every_setting_is_used_by_the_code_it_describes():
    sources = "\n".join(path.read_text(encoding="utf-8") for path in python_files() if path.name != "settings.py")
    unused = [s.name for s in settings.SETTINGS if f'"{s.name}"' not in sources]
    assert unused == []


def test_the_documentations_table_of_environment_variables_lists_exactly_these():
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    table = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    documented = [line.split("|")[1].strip().strip("`") for line in table.splitlines() if line.startswith("| `")]
    assert sorted(documented) == sorted(setting.name for setting in settings.SETTINGS)
