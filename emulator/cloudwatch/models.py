"""CloudWatch ``PutDashboard`` refuses what AWS refuses.

What moto lacks: its ``PutDashboard`` checks only that the body parses as JSON, so it stores a dashboard
under any name and with any JSON value as its body (``[]``, ``"text"``, an object without widgets).
AWS documents more, and answers each of these with ``DashboardInvalidInputError`` (error code
``InvalidParameterInput``, HTTP 400; the error's ``dashboardValidationMessages`` name the part at fault):

* ``DashboardName``: "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"."
  (CloudWatch API Reference, PutDashboard,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html). The
  CloudFormation resource says the same with the lower bound: "between 1 and 255 characters and can only
  contain alphanumeric characters, dashes (-), and underscores (_)" (AWS::CloudWatch::Dashboard,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html).
* ``DashboardBody``: "a string in JSON format. It can include an array of between 0 and 500 widget
  objects [...] The dashboard must include a widgets array, but that array can be empty." (CloudWatch API
  Reference, "Dashboard Body Structure and Syntax",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).

Assumption: the wording of the messages is ours; AWS documents the error code and the fields, not the text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.cloudwatch.exceptions import DashboardInvalidInputError
from moto.cloudwatch.models import CloudWatchBackend

from emulator import patch

NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
MAX_WIDGETS = 500


def _invalid(data_path: str, message: str) -> DashboardInvalidInputError:
    error = DashboardInvalidInputError(f"The input for the dashboard is invalid: {data_path}: {message}")
    # The modeled member of the error (moto serializes the attributes the error shape names).
    error.dashboardValidationMessages = [{"DataPath": data_path, "Message": message}]  # type: ignore[attr-defined]
    return error


def check_dashboard(name: Any, body: Any) -> None:
    """Raise ``DashboardInvalidInputError`` for a dashboard AWS would refuse."""
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise _invalid(
            "DashboardName",
            "must be 1 to 255 characters of A-Z, a-z, 0-9, hyphens (-) and underscores (_)",
        )
    try:
        document = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise _invalid("DashboardBody", "must be a JSON object")
    widgets = document.get("widgets")
    if not isinstance(widgets, list):
        raise _invalid("/widgets", "the dashboard must include a widgets array (it may be empty)")
    if len(widgets) > MAX_WIDGETS:
        raise _invalid("/widgets", f"a dashboard holds at most {MAX_WIDGETS} widgets, not {len(widgets)}")


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    put_dashboard = CloudWatchBackend.put_dashboard

    def checked_put_dashboard(self: Any, name: str, body: str) -> Any:
        check_dashboard(name, body)
        return put_dashboard(self, name, body)

    patch(CloudWatchBackend, "put_dashboard", checked_put_dashboard)
    _installed = True
