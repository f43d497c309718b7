"""The labeling pipeline deployed into the local emulator with boto3, wired as the Terraform module wires it.

Reusable by the end-to-end tests, the soak test and the benchmarks::

    stack = PipelineStack.deploy(emulator.url, StackSettings(TaskType.IMAGE_BOUNDING_BOX, verification=True))
    stack.upload("photos/cat 1.png", png(64, 48), tags={"label": "cat"})
    stack.wait_for_queue(1)
    result = stack.run()                      # one state machine execution, to its end
    stack.puts(), stack.records([...]), stack.ledger_items(), stack.drain_dlq()

It deploys the real pieces — the Lambda package built by ``scripts/package_lambda.py``, the state machine
rendered from ``modules/labeling_pipeline/templates/state_machine.asl.json`` and the module's worker
templates — and the AWS resources around them: an upload bucket whose events go through EventBridge to the
upload queue (with its DLQ), the output bucket, the ledger table, a workforce with a labeling and a review
team, and the feature group. Every name starts with the stack's ``name``, so stacks share an emulator.
"""

from __future__ import annotations

import io
import json
import re
import struct
import time
import urllib.request
import uuid
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.config import Config

from labeling_pipeline.config import Media, TaskType
from labeling_pipeline.facts import FEATURES, GROUND_TRUTH_FUNCTION_ACCOUNTS, HUMAN_TASK_UI_ACCOUNT
from labeling_pipeline.ledger import Ledger, LedgerItem
from labeling_pipeline.model import SourceObject, item_id, record_id

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "modules/labeling_pipeline"
STATE_MACHINE_TEMPLATE = MODULE / "templates/state_machine.asl.json"
DEFAULT_PACKAGE_DIR = REPO / "build/lambda"
REGION = "us-east-1"
# Ground Truth's functions and worker UIs of the region, from the module's data (labeling_pipeline.facts).
GROUND_TRUTH_ACCOUNT = GROUND_TRUTH_FUNCTION_ACCOUNTS[REGION]
FUNCTIONS = ("claim_batch", "start_job", "check_job", "collect_results", "write_features", "return_items")
# Ground Truth calls these for the review of a task type without built-in verification (a custom task).
REVIEW_FUNCTIONS = ("review_pre_annotation", "review_consolidation")

#: Labels each task type's test data uses (the task type's own facts come from the module's data).
CATEGORIES: dict[TaskType, tuple[str, ...]] = {
    TaskType.IMAGE_BOUNDING_BOX: ("cat", "dog", "bird"),
    TaskType.IMAGE_SEMANTIC_SEGMENTATION: ("cat", "dog", "bird"),
    TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION: ("cat", "dog", "bird"),
    TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION: ("cat", "dog", "bird"),
    TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION: ("positive", "negative", "neutral"),
    TaskType.TEXT_MULTI_LABEL_CLASSIFICATION: ("sports", "politics", "tech"),
    TaskType.NAMED_ENTITY_RECOGNITION: ("PERSON", "LOCATION", "ORG"),
}


def builtin_ui_arn(task_type: TaskType) -> str | None:
    """AWS's worker UI for the task type (HumanTaskUiArn), as the module sets it, or None for a template."""
    name = task_type.spec.builtin_worker_ui
    return (
        None if name is None else f"arn:aws:sagemaker:{REGION}:{HUMAN_TASK_UI_ACCOUNT}:human-task-ui/{name}"
    )


def templatefile(path: Path, values: Mapping[str, str]) -> str:
    """Terraform's templatefile() for what our templates use: ``${name}``; an unknown name is an error."""
    text = path.read_text(encoding="utf-8")

    def substitute(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"{path.name} uses ${{{match.group(1)}}}, which is not passed")
        return values[match.group(1)]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", substitute, text)


def state_machine_definition(arns: Mapping[str, str], verification: bool, timeout_seconds: int) -> str:
    values = {f"{name}_arn": arn for name, arn in arns.items()}
    values |= {"verification_enabled": json.dumps(verification), "timeout_seconds": str(timeout_seconds)}
    return templatefile(STATE_MACHINE_TEMPLATE, values)


def png(width: int, height: int) -> bytes:
    """A valid (tiny) PNG of the given size: the emulator's labelers read the size from its header."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class StackSettings:
    task_type: TaskType
    verification: bool = False
    max_attempts: int = 3
    min_wait_seconds: int = 1
    max_wait_seconds: int = 8
    max_objects_per_job: int = 1000
    # Ground Truth sends a job's objects in sets of this size, each set with its 1-day availability window.
    max_concurrent_task_count: int = 100
    feature_store_concurrency: int = 8
    lambda_timeout: int = 300
    package_dir: Path = DEFAULT_PACKAGE_DIR

    @property
    def categories(self) -> tuple[str, ...]:
        return CATEGORIES[self.task_type]


@dataclass(frozen=True)
class Upload:
    key: str
    version_id: str
    etag: str
    uploaded_at: float

    def source(self, bucket: str) -> SourceObject:
        return SourceObject(bucket, self.key, self.version_id, self.etag)


@dataclass(frozen=True)
class ExecutionResult:
    arn: str
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    seconds: float


@dataclass
class PipelineStack:
    url: str
    settings: StackSettings
    name: str
    clients: dict[str, Any] = field(default_factory=dict)
    upload_bucket: str = ""
    output_bucket: str = ""
    queue_url: str = ""
    dlq_url: str = ""
    ledger_table: str = ""
    feature_group: str = ""
    state_machine_arn: str = ""
    function_names: dict[str, str] = field(default_factory=dict)
    account: str = ""
    function_arns: dict[str, str] = field(default_factory=dict)
    role_arn: str = ""
    uploads: list[Upload] = field(default_factory=list)

    # --- deployment -----------------------------------------------------------------------------

    @classmethod
    def deploy(cls, url: str, settings: StackSettings, name: str | None = None) -> PipelineStack:
        stack = cls(url, settings, name or f"pp{uuid.uuid4().hex[:10]}")
        stack._deploy()
        return stack

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=Config(retries={"total_max_attempts": 2}, read_timeout=120),
            )
        return self.clients[service]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def arm_fault(self, kind: str, **spec: Any) -> dict[str, Any]:
        armed: dict[str, Any] = self.control("POST", "faults", {"kind": kind, **spec})
        return armed

    def _deploy(self) -> None:
        role = self._role()
        self.account = role.split(":")[4]
        self._buckets()
        self._queues()
        self._ledger()
        labelers, reviewers = self._workteams()
        self._feature_group(role)
        config = self._pipeline_config(role, labelers, reviewers)
        self.role_arn, self.function_arns = role, self._functions(role, config)
        self.state_machine_arn = self.add_state_machine(self.name, timeout_seconds=2 * 86_400 + 3 * 3600)

    def add_state_machine(self, name: str, timeout_seconds: int) -> str:
        """A state machine over this stack's functions with its own ``TimeoutSeconds``; returns its ARN."""
        arn: str = self.client("stepfunctions").create_state_machine(
            name=name,
            definition=state_machine_definition(
                self.function_arns, self.settings.verification, timeout_seconds
            ),
            roleArn=self.role_arn,
        )["stateMachineArn"]
        return arn

    def job_fault(self, count: int = 1, **fields: Any) -> dict[str, Any]:
        """Arm a ``labeling_job`` fault for this stack's next ``count`` jobs (e.g. ``delay_seconds=0``,
        ``mode="failed"``); without one a job completes after the emulator's default delay."""
        return self.arm_fault("labeling_job", match={"job_name": f"{self.name}-*"}, count=count, **fields)

    def function_fault(self, function: str, count: int = 1, **fields: Any) -> dict[str, Any]:
        """Make this stack's ``function`` (e.g. ``"write_features"``) crash on its next ``count`` calls."""
        return self.arm_fault(
            "lambda_invoke", match={"function_name": self.function_names[function]}, count=count, **fields
        )

    def _role(self) -> str:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Service": ["lambda.amazonaws.com", "states.amazonaws.com", "sagemaker.amazonaws.com"]
                    },
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam = self.client("iam")
        arn: str = iam.create_role(RoleName=self.name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        # The emulator authorizes what services do with this role (a labeling job's S3 reads and writes).
        # One role stands in for all of the module's roles here, so it may do everything; the module's own
        # least-privilege policies are exercised by `make demo`, which deploys envs/local.
        everything = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
        iam.put_role_policy(
            RoleName=self.name, PolicyName="test-stand-in", PolicyDocument=json.dumps(everything)
        )
        return arn

    def _buckets(self) -> None:
        s3 = self.client("s3")
        self.upload_bucket, self.output_bucket = f"{self.name}-upload", f"{self.name}-output"
        for bucket in (self.upload_bucket, self.output_bucket):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=self.upload_bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_notification_configuration(
            Bucket=self.upload_bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        spec = self.settings.task_type.spec
        builtin_ui = spec.builtin_worker_ui is not None
        documents = {
            "config/labeling-categories.json": self._categories(
                self.settings.categories, instructions=builtin_ui
            ),
            "config/review-categories.json": self._categories(("pass", "fail")),
            "config/review.liquid.html": templatefile(
                MODULE / f"templates/ui/{spec.review_template}.liquid.html",
                {
                    "header": "Review it",
                    "short_instructions": "Pass or fail.",
                    "full_instructions": "Pass a correct label.",
                    "label_attribute_name": self._label_attribute,
                },
            ),
        }
        if not builtin_ui:
            documents["config/labeling.liquid.html"] = templatefile(
                MODULE / f"templates/ui/{self.settings.task_type.value}.liquid.html",
                {"header": "Label it", "short_instructions": "Choose.", "full_instructions": "Choose well."},
            )
        for key, body in documents.items():
            s3.put_object(Bucket=self.output_bucket, Key=key, Body=body.encode("utf-8"))

    @staticmethod
    def _categories(labels: Sequence[str], *, instructions: bool = False) -> str:
        """A category file; a job with AWS's built-in UI takes its worker instructions from it."""
        document: dict[str, Any] = {
            "document-version": "2018-11-28",
            "labels": [{"label": label} for label in labels],
        }
        if instructions:
            document["instructions"] = {"shortInstruction": "Tag.", "fullInstruction": "Tag every entity."}
        return json.dumps(document)

    def _queues(self) -> None:
        sqs = self.client("sqs")
        self.dlq_url = sqs.create_queue(QueueName=f"{self.name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.queue_url = sqs.create_queue(
            QueueName=f"{self.name}-upload",
            Attributes={
                "VisibilityTimeout": str(min(43_200, 6 * self.settings.lambda_timeout)),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
            },
        )["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events = self.client("events")
        pattern = {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [self.upload_bucket]}},
        }
        rule_arn = events.put_rule(Name=f"{self.name}-uploads", EventPattern=json.dumps(pattern))["RuleArn"]
        # The module's queue policy (queue.tf): EventBridge may send this rule's events, nothing else.
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
        }
        sqs.set_queue_attributes(
            QueueUrl=self.queue_url,
            Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})},
        )
        events.put_targets(Rule=f"{self.name}-uploads", Targets=[{"Id": "upload-queue", "Arn": queue_arn}])

    def _ledger(self) -> None:
        self.ledger_table = f"{self.name}-ledger"
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(
            TableName=self.ledger_table,
            AttributeDefinitions=[{"AttributeName": "item_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "item_id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.update_time_to_live(
            TableName=self.ledger_table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
        )

    def _workteams(self) -> tuple[str, str]:
        """A team of labelers and one of reviewers in the account's one private workforce.

        Shared by every stack on the emulator (an account holds at most 25 work teams).
        """
        sagemaker, cognito = self.client("sagemaker"), self.client("cognito-idp")
        workforces = sagemaker.list_workforces()["Workforces"]
        if workforces:
            cognito_config = workforces[0]["CognitoConfig"]
            pool, app = cognito_config["UserPool"], cognito_config["ClientId"]
        else:
            pool = cognito.create_user_pool(PoolName="pipeline-tests-workers")["UserPool"]["Id"]
            app = cognito.create_user_pool_client(UserPoolId=pool, ClientName="portal")["UserPoolClient"][
                "ClientId"
            ]
            cognito.create_user_pool_domain(UserPoolId=pool, Domain=f"pipeline-tests-{uuid.uuid4().hex[:12]}")
            sagemaker.create_workforce(
                WorkforceName="private", CognitoConfig={"UserPool": pool, "ClientId": app}
            )
        existing = {
            t["WorkteamName"]: t["WorkteamArn"] for t in sagemaker.list_workteams(MaxResults=100)["Workteams"]
        }
        teams = []
        for role in ("labelers", "reviewers"):
            name = f"pipeline-tests-{role}"
            if name not in existing:
                groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool, Limit=60)["Groups"]}
                if name not in groups:
                    cognito.create_group(UserPoolId=pool, GroupName=name)
                member = {"CognitoMemberDefinition": {"UserPool": pool, "ClientId": app, "UserGroup": name}}
                existing[name] = sagemaker.create_workteam(
                    WorkteamName=name, Description=role, MemberDefinitions=[member]
                )["WorkteamArn"]
            teams.append(existing[name])
        return teams[0], teams[1]

    def _feature_group(self, role: str) -> None:
        self.feature_group = f"{self.name}-labels"
        self.client("sagemaker").create_feature_group(
            FeatureGroupName=self.feature_group,
            RecordIdentifierFeatureName="record_id",
            EventTimeFeatureName="event_time",
            FeatureDefinitions=[{"FeatureName": n, "FeatureType": t} for n, t in FEATURES],
            OnlineStoreConfig={"EnableOnlineStore": True},
            OfflineStoreConfig={
                "S3StorageConfig": {"S3Uri": f"s3://{self.output_bucket}/feature-store"},
                "DisableGlueTableCreation": True,
            },
            RoleArn=role,
        )

    @property
    def _label_attribute(self) -> str:
        return "label-ref" if self.settings.task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION else "label"

    @property
    def custom_review(self) -> bool:
        """Whether the review is a custom task with the package's own functions (as the module decides)."""
        return self.settings.verification and not self.settings.task_type.builtin_verification

    def _function_arn(self, function: str) -> str:
        return f"arn:aws:lambda:{REGION}:{self.account}:function:{self.name}-{function.replace('_', '-')}"

    def _job(self, *, review: bool, team: str) -> dict[str, Any]:
        spec = self.settings.task_type.spec
        categories = "labeling" if not review or not self.custom_review else "review"
        template = "review" if review else "labeling"
        builtin_ui = None if review else builtin_ui_arn(self.settings.task_type)
        functions = f"arn:aws:lambda:{REGION}:{GROUND_TRUTH_ACCOUNT}:function"
        if review and self.custom_review:
            pre, consolidation = (self._function_arn(f) for f in REVIEW_FUNCTIONS)
        else:
            ground_truth = spec.verification_name if review else spec.ground_truth_name
            pre, consolidation = f"{functions}:PRE-{ground_truth}", f"{functions}:ACS-{ground_truth}"
        return {
            "workteam_arn": team,
            "title": "Review labels" if review else "Label the data",
            "description": "Pass correct labels" if review else "Choose the right label",
            "keywords": ["labeling"],
            "label_attribute_name": "verification" if review else self._label_attribute,
            "categories_s3_uri": f"s3://{self.output_bucket}/config/{categories}-categories.json",
            "ui_template_s3_uri": None
            if builtin_ui
            else f"s3://{self.output_bucket}/config/{template}.liquid.html",
            "human_task_ui_arn": builtin_ui,
            "pre_annotation_lambda_arn": pre,
            "consolidation_lambda_arn": consolidation,
            "workers_per_object": 1,
            "task_time_limit_seconds": 300,
            "availability_lifetime_seconds": 86_400,
            "max_concurrent_task_count": self.settings.max_concurrent_task_count,
            "max_objects_per_job": self.settings.max_objects_per_job,
        }

    def _pipeline_config(self, role: str, labelers: str, reviewers: str) -> dict[str, Any]:
        settings = self.settings
        return {
            "name": self.name,
            "task_type": settings.task_type.value,
            "upload_bucket": self.upload_bucket,
            "upload_queue_url": self.queue_url,
            "dead_letter_queue_url": self.dlq_url,
            "output_bucket": self.output_bucket,
            "ledger_table": self.ledger_table,
            "feature_group_name": self.feature_group,
            "kms_key_arn": None,
            "sagemaker_role_arn": role,
            "max_attempts": settings.max_attempts,
            "min_wait_seconds": settings.min_wait_seconds,
            "max_wait_seconds": settings.max_wait_seconds,
            "feature_store_concurrency": settings.feature_store_concurrency,
            "labeling": self._job(review=False, team=labelers),
            "verification": self._job(review=True, team=reviewers) if settings.verification else None,
        }

    def _package(self) -> bytes:
        """The built package, refused when it is not the code in lambda/ (a stale zip tests old code)."""
        path = self.settings.package_dir / "labeling_pipeline.zip"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run `make package` first")
        code = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            packaged = {name: archive.read(name) for name in archive.namelist()}
        sources = REPO / "lambda"
        current = {
            p.relative_to(sources).as_posix(): p.read_bytes()
            for p in (sources / "labeling_pipeline").rglob("*.py")
            if "__pycache__" not in p.parts
        }
        if any(packaged.get(name) != body for name, body in current.items()):
            raise RuntimeError(f"{path} is older than lambda/labeling_pipeline: run `make package` again")
        return code

    def _functions(self, role: str, config: Mapping[str, Any]) -> dict[str, str]:
        lambda_ = self.client("lambda")
        layer = lambda_.publish_layer_version(
            LayerName=f"{self.name}-powertools",
            Content={"ZipFile": (self.settings.package_dir / "powertools-layer.zip").read_bytes()},
            CompatibleRuntimes=["python3.13"],
        )["LayerVersionArn"]
        code = self._package()
        environment = {
            "PIPELINE_CONFIG": json.dumps(config),
            "POWERTOOLS_SERVICE_NAME": "labeling-pipeline",
            "POWERTOOLS_METRICS_NAMESPACE": "PrivateLabeling",
            "LOG_LEVEL": "INFO",
        }
        arns = {}
        for function in FUNCTIONS + (REVIEW_FUNCTIONS if self.custom_review else ()):
            name = f"{self.name}-{function.replace('_', '-')}"
            arns[function] = lambda_.create_function(
                FunctionName=name,
                Runtime="python3.13",
                Role=role,
                Handler=f"labeling_pipeline.handlers.{function}",
                Code={"ZipFile": code},
                Timeout=self.settings.lambda_timeout,
                MemorySize=512,
                Layers=[layer],
                Environment={"Variables": environment},
                TracingConfig={"Mode": "Active"},
            )["FunctionArn"]
            self.function_names[function] = name
        return arns

    # --- using it ----------------------------------------------------------------------------------

    def upload(
        self,
        key: str,
        body: bytes,
        content_type: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Upload:
        """Put an object into the upload bucket (tags are the simulated labelers' hints)."""
        if content_type is None:
            content_type = "image/png" if self.settings.task_type.media is Media.IMAGE else "text/plain"
        extra = {"Tagging": urlencode(dict(tags))} if tags else {}
        response = self.client("s3").put_object(
            Bucket=self.upload_bucket, Key=key, Body=body, ContentType=content_type, **extra
        )
        upload = Upload(key, response["VersionId"], response["ETag"].strip('"'), time.time())
        self.uploads.append(upload)
        return upload

    def item_id(self, upload: Upload, line: int | None = None) -> str:
        return item_id(upload.source(self.upload_bucket), line)

    def record_id(self, upload: Upload, line: int | None = None) -> str:
        return record_id(upload.source(self.upload_bucket), line)

    def queue_counts(self, url: str | None = None) -> tuple[int, int]:
        """(visible, in flight) messages of the upload queue (or of ``url``)."""
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=url or self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]), int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def wait_for_queue(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` messages are on the upload queue (EventBridge delivers after the put)."""
        deadline = time.monotonic() + timeout
        while sum(self.queue_counts()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"expected {count} messages on the upload queue, found {self.queue_counts()}"
                )
            time.sleep(0.1)

    def start(self, state_machine_arn: str | None = None) -> str:
        arn: str = self.client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn or self.state_machine_arn
        )["executionArn"]
        return arn

    def wait(self, execution_arn: str, timeout: float = 600.0) -> ExecutionResult:
        started = time.monotonic()
        sfn = self.client("stepfunctions")
        while True:
            described = sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                break
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"execution {execution_arn} still running after {timeout} s")
            time.sleep(0.5)
        output = described.get("output")
        return ExecutionResult(
            arn=execution_arn,
            status=described["status"],
            output=json.loads(output) if output else None,
            error=described.get("error"),
            cause=described.get("cause"),
            seconds=time.monotonic() - started,
        )

    def run(self, timeout: float = 600.0) -> ExecutionResult:
        """One execution of the state machine, from start to its outcome."""
        return self.wait(self.start(), timeout)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = self.client("stepfunctions").get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

    def step_seconds(self, execution_arn: str) -> list[tuple[str, float]]:
        """(state name, seconds) for every state the execution entered and left, in order."""
        entered: dict[str, list[Any]] = {}
        steps = []
        for event in self.history(execution_arn):
            kind = event["type"]
            if kind.endswith("StateEntered"):
                details = event["stateEnteredEventDetails"]
                entered.setdefault(details["name"], []).append(event["timestamp"])
            elif kind.endswith("StateExited"):
                name = event["stateExitedEventDetails"]["name"]
                started = entered[name].pop(0)
                steps.append((name, (event["timestamp"] - started).total_seconds()))
        return steps

    def job_names(self) -> list[str]:
        """This stack's labeling jobs, oldest first."""
        jobs = self.client("sagemaker").list_labeling_jobs(
            NameContains=self.name, SortBy="CreationTime", SortOrder="Ascending", MaxResults=100
        )
        return [job["LabelingJobName"] for job in jobs["LabelingJobSummaryList"]]

    def job(self, name: str) -> dict[str, Any]:
        described: dict[str, Any] = self.client("sagemaker").describe_labeling_job(LabelingJobName=name)
        return described

    def puts(self) -> list[dict[str, str]]:
        """Every record the Feature Store accepted for this stack, oldest first."""
        answer = self.control("GET", f"featurestore/{self.feature_group}/puts")
        return [{f["FeatureName"]: f["ValueAsString"] for f in put["record"]} for put in answer["puts"]]

    def records(self, record_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """The online store's current record per identifier (absent identifiers are left out)."""
        runtime = self.client("sagemaker-featurestore-runtime")
        found = {}
        for identifier in record_ids:
            response = runtime.get_record(
                FeatureGroupName=self.feature_group, RecordIdentifierValueAsString=identifier
            )
            if response.get("Record"):
                found[identifier] = {f["FeatureName"]: f["ValueAsString"] for f in response["Record"]}
        return found

    def ledger_items(self) -> list[LedgerItem]:
        dynamodb = self.client("dynamodb")
        ids: list[str] = []
        kwargs: dict[str, Any] = {"TableName": self.ledger_table, "ConsistentRead": True}
        while True:
            page = dynamodb.scan(**kwargs)
            ids += [row["item_id"]["S"] for row in page["Items"] if row.get("kind", {}).get("S") == "item"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return list(Ledger(dynamodb, self.ledger_table).get_items(ids).values())

    def _drain(self, url: str) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        bodies: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def drain_queue(self) -> list[dict[str, Any]]:
        """Remove and return every visible message of the upload queue."""
        return self._drain(self.queue_url)

    def drain_dlq(self) -> list[dict[str, Any]]:
        return self._drain(self.dlq_url)

    def output_object(self, uri: str) -> bytes:
        bucket, key = uri[5:].split("/", 1)
        body: bytes = self.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def output_lines(self, uri: str) -> Iterator[dict[str, Any]]:
        for line in io.BytesIO(self.output_object(uri)).read().decode("utf-8").split("\n"):
            if line:
                yield json.loads(line)
