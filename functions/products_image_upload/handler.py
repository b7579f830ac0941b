from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import images
from smartgrocer.models.product_writes import ImageUploadRequest, ImageUploadResponse
from smartgrocer.web.app import api_function

app = api_function("products_image_upload")


@app.endpoint
def start_image_upload(id: Annotated[str, Path(max_length=64)], body: ImageUploadRequest) -> ImageUploadResponse:
    return images.start_upload(app.context["principal"], id, body.content_type, body.size)


lambda_handler = app
