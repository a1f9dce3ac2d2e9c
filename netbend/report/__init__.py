"""The self-contained HTML evaluation report of a bend folder."""

from netbend.report.build import write_report

__all__ = ["write_report"]
