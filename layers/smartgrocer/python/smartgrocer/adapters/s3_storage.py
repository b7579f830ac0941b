"""Object storage for product photos: S3 presigned POSTs (boto3 honours AWS_ENDPOINT_URL locally)."""

from __future__ import annotations

from functools import lru_cache


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
