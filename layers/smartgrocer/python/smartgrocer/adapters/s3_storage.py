"""Object storage for product photos: S3 presigned POSTs (boto3 honours AWS_ENDPOINT_URL locally)."""

from __future__ import annotations

from functools import lru_cache

from smartgrocer.domain.catalog_ports import StoredObject


@lru_cache(maxsize=1)
def _s3():
    import boto3  # only the upload function pays for boto3

    return boto3.client("s3")


class S3ImageStorage:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int = 300) -> dict:
        return _s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )

    def read_start(self, key: str, length: int) -> StoredObject | None:
        """One ranged GET: the photo check reads a few bytes, never the whole upload."""
        from botocore.exceptions import ClientError

        try:
            got = _s3().get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{length - 1}")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "404", "NotFound"}:
                return None
            if code == "InvalidRange":  # an empty object has no byte 0
                return StoredObject(first_bytes=b"", size=0, content_type="")
            raise
        body = got["Body"]
        try:
            first = body.read(length)
        finally:
            body.close()
        total = str(got.get("ContentRange", "")).rpartition("/")[2]
        size = int(total) if total.isdigit() else int(got.get("ContentLength", len(first)))
        return StoredObject(first_bytes=first, size=size, content_type=got.get("ContentType", ""))

    def delete(self, key: str) -> None:
        _s3().delete_object(Bucket=self.bucket, Key=key)
