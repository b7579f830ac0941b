"""SES mailer (boto3 honours AWS_ENDPOINT_URL, so locally the mail lands in moto's SES)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _ses():
    import boto3
    from botocore.config import Config

    return boto3.client("ses", config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3}))


class SesMailer:
    def __init__(self, sender: str, configuration_set: str | None = None):
        self.sender, self.configuration_set = sender, configuration_set

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        extra = {"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}
        result = _ses().send_email(
            Source=self.sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
            },
            **extra,
        )
        return result["MessageId"]
