"""Structured logging for every function (Powertools Logger, service name from the environment).

JSON lines; the function wrapper (`web.observability.observed`) adds the Lambda context, the cold-start
flag and the correlation id (the API Gateway request id) to every line of an invocation."""

from aws_lambda_powertools import Logger

logger = Logger(service="smartgrocer")
