"""JSON Lines files in S3, as every file format of the pipeline is stored (each has one owner module:
``manifests``, ``chunks``, ``reasons``).

Every line is written by ``json.dumps`` (never by string formatting, so quotes, backslashes, newlines and
any unicode in keys or text stay valid JSON) into a temporary file, then uploaded from that file in reads
of 64 KiB, so memory does not grow with the number of lines. Reading streams the object line by line for
the same reason.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Self, cast

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_READ_CHUNK_BYTES = 1 << 16
# S3's limit for one PutObject; a larger file goes up in parts.
MAX_SINGLE_PUT_BYTES = 5 * 1024**3


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ValueError(f"not an s3://bucket/key URI: {uri!r}")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def dumps_line(record: Mapping[str, Any]) -> str:
    """One JSON Lines line: compact, unicode kept as is (Ground Truth reads UTF-8 manifests)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


class _BoundedReads:
    """A file whose sized reads return at most ``limit`` bytes.

    The SDK hashes and sends a file body in reads of 1 MiB (and the transfer manager reads whole 8 MiB
    parts of a file object into memory); through this wrapper an upload holds 64 KiB of it at a time.
    """

    def __init__(self, file: IO[bytes], limit: int = _READ_CHUNK_BYTES) -> None:
        self._file = file
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        return self._file.read(min(size, self._limit) if size >= 0 else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


class JsonLinesWriter:
    """Collects JSON Lines in a temporary file and uploads them to S3 on ``upload``."""

    def __init__(self) -> None:
        # Named, so that a file too large for one PUT can go up in parts read from disk.
        self._file: IO[bytes] = tempfile.NamedTemporaryFile()  # noqa: SIM115 - closed by close()/__exit__
        self.count = 0

    def write(self, record: Mapping[str, Any]) -> None:
        self._file.write(dumps_line(record).encode("utf-8") + b"\n")
        self.count += 1

    def records(self) -> Iterator[Any]:
        """Read back what was written so far (the writer can keep writing afterwards)."""
        self._file.flush()
        self._file.seek(0)
        try:
            for line in self._file:
                yield json.loads(line)
        finally:
            self._file.seek(0, 2)

    def upload(self, s3: S3Client, location: S3Location, kms_key_arn: str | None) -> str:
        self._file.flush()
        size = self._file.seek(0, 2)
        self._file.seek(0)
        extra: dict[str, Any] = {"ContentType": "application/jsonl"}
        if kms_key_arn:
            extra |= {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_arn}
        if size <= MAX_SINGLE_PUT_BYTES:
            s3.put_object(
                Bucket=location.bucket,
                Key=location.key,
                Body=cast("IO[bytes]", _BoundedReads(self._file)),
                **extra,
            )
        else:
            s3.upload_file(self._file.name, location.bucket, location.key, ExtraArgs=extra)
        return location.uri

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def iter_lines(body: Any) -> Iterator[bytes]:
    """Split a streaming S3 body on LF (dropping a CR before it); other line separators stay inside lines."""
    pending = b""
    for chunk in body.iter_chunks(_READ_CHUNK_BYTES):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line.removesuffix(b"\r")
    if pending:
        yield pending.removesuffix(b"\r")


class NotFoundError(LookupError):
    """The S3 object does not exist."""


def read_json_lines(s3: S3Client, uri: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for each non-empty line; a line that is not JSON yields a ValueError."""
    bucket, key = split_s3_uri(uri)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise NotFoundError(uri) from error
        raise
    try:
        for number, raw in enumerate(iter_lines(body), start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
                yield number, ValueError(f"line {number} of {uri} is not JSON: {error}")
    finally:
        body.close()


def read_text(s3: S3Client, uri: str) -> str:
    """A whole (small) UTF-8 object."""
    bucket, key = split_s3_uri(uri)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        return str(body.read().decode("utf-8"))
    finally:
        body.close()
