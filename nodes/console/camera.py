"""What the pages that check a mark with a phone share (the inspector's patrol, the
platform's check): a photo's QR code read by the node, and the answer to a frame of the
live camera, which ``static/camera.js`` sends to the page's ``data-read`` address until
one holds a code."""

from fastapi import UploadFile
from fastapi.responses import JSONResponse

from ipfed.nodes.body_limit import max_body
from ipfed.nodes.errors import InvalidInput
from ipfed.nodes.marks.photos import MAX_PHOTO_BYTES, read_qr

MARK_TEXT = (20, 2000)  # the lengths a scan takes (ScanIn.token)
# For a route taking a photo: the photo and the form's other fields.
PHOTO_BODY = max_body(MAX_PHOTO_BYTES + (64 << 10))


def read_mark(photo: UploadFile) -> str:
    """The text of the photo's QR code: a token or a verification URL."""
    text = read_qr(photo.file.read(MAX_PHOTO_BYTES + 1))
    if not MARK_TEXT[0] <= len(text) <= MARK_TEXT[1]:
        raise InvalidInput("the QR code holds no mark", code="not_a_mark")
    return text


def frame_answer(photo: UploadFile) -> JSONResponse:
    """Whether a frame of the live camera holds a QR code (its text); nothing recorded."""
    try:
        text = read_qr(photo.file.read(MAX_PHOTO_BYTES + 1))
    except InvalidInput as exc:
        return JSONResponse({"error": exc.code, "detail": exc.message}, status_code=422)
    return JSONResponse({"text": text})
