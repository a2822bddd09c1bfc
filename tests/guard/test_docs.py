"""docs/schema-guard.md stays true: its commands exist, its codes are real."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from yonca.cli import app, main

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "schema-guard.md"
GUARD_SOURCE = ROOT / "src" / "yonca" / "guard"


def documented_commands() -> list[tuple[str, ...]]:
    """The commands of every 'yonca ...' line shown in the guide.

    Words are taken while they name a command of the ``yonca`` group, so
    arguments such as paths are left out; ``status|install|uninstall`` names
    three commands.
    """
    root = typer.main.get_command(app)
    commands = set()
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\$ (?:\./run )?yonca (.*)", line)
        if match:
            commands.update(_commands(root, (), match.group(1).split()))
    return sorted(commands)


def _commands(
    group: Any, path: tuple[str, ...], words: list[str]
) -> set[tuple[str, ...]]:
    if not words or not hasattr(group, "get_command"):
        return {path}
    found = set()
    for name in words[0].split("|"):
        command = group.get_command(click.Context(group), name)
        if command is not None:
            found |= _commands(command, (*path, name), words[1:])
    return found or {path}


@pytest.mark.parametrize("command", documented_commands(), ids=" ".join)
def test_every_documented_command_exists(
    command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["yonca", *command, "--help"])

    with pytest.raises(SystemExit) as exit:
        main()

    assert exit.value.code == 0


def test_the_guard_commands_are_documented() -> None:
    assert {
        ("db", "check"),
        ("db", "guard", "status"),
        ("db", "guard", "install"),
        ("db", "guard", "uninstall"),
        ("migrations", "lint"),
        ("migrations", "lock"),
    } <= set(documented_commands())


def test_every_code_in_the_guide_is_one_the_guard_reports() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    codes = set(re.findall(r"\(([a-z]+(?:-[a-z]+)+)\)$", text, re.MULTILINE))
    codes |= set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", text))
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in GUARD_SOURCE.rglob("*.py")
    )

    assert codes
    assert {code for code in codes if f'"{code}"' not in source} == set()
