"""Findings: what a check found, as data, and the two ways of showing it.

Every check in the guard returns a list of ``Finding``. People read them as
text (``render_text``), programs as JSON (``render_json``); both come from the
same list, so the two can never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from rich.console import Console
from rich.markup import escape


class Severity(StrEnum):
    """How much a finding matters: errors stop the app, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One difference between what Yonca expects and what it found.

    ``object`` names the thing (``threads.tags``, a revision, ``path:line``),
    ``code`` the kind of difference (``column-type``), and ``fix`` what a
    person does about it, spelled out as a command or a statement.
    """

    severity: Severity
    code: str
    object: str
    expected: str
    found: str
    fix: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


def error(code: str, object: str, *, expected: str, found: str, fix: str) -> Finding:
    return Finding(Severity.ERROR, code, object, expected, found, fix)


def warning(code: str, object: str, *, expected: str, found: str, fix: str) -> Finding:
    return Finding(Severity.WARNING, code, object, expected, found, fix)


def apply_strict(findings: Iterable[Finding], strict: bool) -> list[Finding]:
    """Return the findings, with every warning counted as an error if ``strict``."""
    if not strict:
        return list(findings)
    return [replace(finding, severity=Severity.ERROR) for finding in findings]


def count(findings: Iterable[Finding]) -> tuple[int, int]:
    """Return the number of errors and of warnings."""
    findings = list(findings)
    errors = sum(1 for finding in findings if finding.is_error)
    return errors, len(findings) - errors


def summary(findings: Sequence[Finding]) -> str:
    errors, warnings = count(findings)
    if not findings:
        return "no findings"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def render_plain(findings: Sequence[Finding]) -> str:
    """Render findings as plain text, for exception messages and logs."""
    lines = []
    for finding in findings:
        lines.append(
            f"{finding.severity.value.upper()} {finding.object} [{finding.code}]"
        )
        lines.append(f"    expected {finding.expected}; found {finding.found}")
        lines.append(f"    fix: {finding.fix}")
    lines.append(summary(findings))
    return "\n".join(lines)


def render_text(
    findings: Sequence[Finding],
    console: Console,
    *,
    title: str,
    clean: str = "no findings",
) -> None:
    """Print a report for people: one block per finding, then a summary line."""
    console.print(escape(title), soft_wrap=True)
    for finding in findings:
        colour = "red" if finding.is_error else "yellow"
        console.print()
        console.print(
            f"[bold {colour}]{finding.severity.value.upper():<7}[/] "
            f"[bold]{escape(finding.object)}[/] [dim]({finding.code})[/]",
            soft_wrap=True,
        )
        console.print(f"  expected: {escape(finding.expected)}", soft_wrap=True)
        console.print(f"  found:    {escape(finding.found)}", soft_wrap=True)
        console.print(f"  fix:      {escape(finding.fix)}", soft_wrap=True)
    console.print()
    if findings:
        console.print(summary(findings))
    else:
        console.print(f"[green]{escape(clean)}[/]", soft_wrap=True)


def render_json(findings: Sequence[Finding], **context: object) -> str:
    """Render findings for programs, with ``context`` (database, paths) beside them."""
    errors, warnings = count(findings)
    document = {
        **context,
        "errors": errors,
        "warnings": warnings,
        "findings": [finding.to_dict() for finding in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
