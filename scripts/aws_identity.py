"""Print the AWS account and caller the standard credential chain resolves to, or one line why not."""

from __future__ import annotations

import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError


def main() -> int:
    try:
        identity = boto3.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"account {identity['Account']} as {identity['Arn']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
