from aws_lambda_powertools.event_handler import Response


def no_content() -> Response:
    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"})
