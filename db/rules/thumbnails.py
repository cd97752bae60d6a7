"""Image thumbnails (Pillow), bounded against decompression bombs."""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

THUMBNAIL_SIZE = (320, 320)
# 40 megapixels: a 50 MP phone photo is refused a thumbnail (it stays attached), a crafted
# 30,000 x 30,000 PNG of a few KB is never decoded.
MAX_PIXELS = 40_000_000


def make_thumbnail(data: bytes) -> bytes | None:
    """A JPEG thumbnail, or None when the image cannot (or should not) be decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.seek(0)
                oriented = ImageOps.exif_transpose(image) or image
                oriented.thumbnail(THUMBNAIL_SIZE)
                out = io.BytesIO()
                oriented.convert("RGB").save(out, format="JPEG", quality=80)
                return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning, SyntaxError):
        return None
