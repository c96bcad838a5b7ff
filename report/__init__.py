"""The owner report: one self-contained HTML file per business, read from the published marts.

``write_reports(config)`` is the public entry point (the nightly ``report`` step and
``messbar report`` call it); see report/README.md.
"""

from report.marts import ReportError
from report.writer import latest_path, write_reports

__all__ = ["ReportError", "latest_path", "write_reports"]
