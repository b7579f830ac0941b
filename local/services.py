"""The embedded dependencies: nx-27017 (MongoDB wire protocol on SQLite) and moto in server mode."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class Service:
    def __init__(self, name: str, args: list[str], port: int, log_path: Path):
        self.name, self.args, self.port, self.log_path = name, args, port, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> Service:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        wait_for_port(self.port, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def mongo_service(data_dir: Path, port: int | None = None) -> Service:
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    return Service(
        "mongodb",
        [
            _bin("nx-27017"),
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--log-file",
            str(data_dir / "nx-27017.log"),
            "--pid-file",
            str(data_dir / "nx-27017.pid"),
        ],
        port,
        data_dir / "stdout.log",
    )


def moto_service(log_dir: Path, port: int | None = None) -> Service:
    port = port or free_port()
    return Service("moto", [_bin("moto_server"), "-H", "127.0.0.1", "-p", str(port)], port, log_dir / "moto.log")


def aws_env(moto_port: int) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def prepare_aws(env: dict[str, str]) -> None:
    """Create what the CDK stack would: the images bucket (with CORS for browser uploads) and the
    verified sender identity."""
    import boto3

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        s3 = boto3.client("s3")
        bucket = env["IMAGES_BUCKET"]
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={
                "CORSRules": [{"AllowedMethods": ["POST", "GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]}]
            },
        )
        # Product photos are public reads (CloudFront serves /images/* from this bucket in AWS).
        s3.put_bucket_policy(
            Bucket=bucket,
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{bucket}/products/*",
                        }
                    ],
                }
            ),
        )
        boto3.client("ses").verify_email_identity(EmailAddress=env["MAIL_FROM"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
