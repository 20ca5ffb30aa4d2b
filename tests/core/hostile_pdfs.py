"""PDF bytes that a reader must not be trusted with (made in memory, for the sandbox tests
of the core and of the GUI)."""

from __future__ import annotations

import zlib


def pdf_with_content(content: bytes | None = None, *, inflated_mb: int = 0) -> bytes:
    """A one-page PDF whose page content is ``content``, or a deflated stream that inflates
    to ``inflated_mb`` megabytes (a compression bomb of a few megabytes)."""
    if inflated_mb:
        packer = zlib.compressobj(1)
        chunk = b"0 0 m " * (1 << 17)   # 768 KiB of drawing operators
        parts = [packer.compress(chunk) for _ in range(inflated_mb * 4 // 3)]
        data = b"".join(parts) + packer.flush()
        stream = b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
    else:
        data = content or b""
        stream = b"<< /Length %d >>\nstream\n" % len(data)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << >> >>",
        stream + data + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


GARBAGE = b"%PDF-1.7\n" + bytes(range(256)) * 40
