"""Structured logging for every function (Powertools Logger, service name from the environment)."""

from aws_lambda_powertools import Logger

logger = Logger(service="smartgrocer")
