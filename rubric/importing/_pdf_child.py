"""Child process that parses one untrusted file under a memory and CPU limit.

Run as ``python -m rubric.importing._pdf_child MODE MEMORY_MB CPU_SECONDS`` with the
file's bytes on stdin; prints exactly one JSON object on stdout:

* mode ``pdf``: ``{"ok": true, "pages": [text, ...], "layout": [bool, ...],
  "page_count": n}`` (pypdf's text layer of each page, in layout mode where it works);
* mode ``rtf``: ``{"ok": true, "text": "..."}`` (striprtf, whose regular expressions can
  take minutes on crafted input, so RTF goes through the same guard);
* on failure: ``{"ok": false, "error": code, "detail": "..."}`` where code is one of
  ``encrypted``, ``encrypted-unsupported``, ``damaged``, ``memory``.

The limits are set by the child itself, first thing, before pypdf is imported: setting
them in the parent's ``preexec_fn`` is not safe when the parent has threads (the GUI
imports in a worker pool), and the effect is the same. The parent adds the wall-clock
limit and kills the child when it is exceeded.

This module imports nothing from the project, so the child starts fast (~0.1 s with
pypdf).
"""

from __future__ import annotations

import json
import sys


def _set_limits(memory_mb: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the parent's wall-clock limit applies
        return
    memory = memory_mb * 1024 * 1024
    for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_seconds)):
        try:
            soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass
    for limit in (resource.RLIMIT_FSIZE, resource.RLIMIT_CORE):  # no files, no core dumps
        try:
            resource.setrlimit(limit, (0, resource.getrlimit(limit)[1]))
        except (ValueError, OSError):
            pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    return text[:120]


def _page_text(page) -> tuple[str, bool]:
    """The page's text in pypdf's layout mode (keeps vertical gaps as blank lines and
    indentation as spaces, which help to find paragraphs), else in its plain mode."""
    from pypdf.errors import DependencyError, FileNotDecryptedError

    for mode in ("layout", "plain"):
        try:
            return page.extract_text(extraction_mode=mode) or "", mode == "layout"
        except (DependencyError, FileNotDecryptedError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - try the other mode, then give up on this page
            continue
    return "", False


def read_pdf(data: bytes) -> dict:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError:
                return {"ok": False, "error": "encrypted-unsupported", "detail": ""}
            except Exception as exc:  # noqa: BLE001 - any failure to decrypt means locked
                return {"ok": False, "error": "encrypted", "detail": _first_line(exc)}
            if not decrypted:
                return {"ok": False, "error": "encrypted", "detail": ""}
        pages: list[str] = []
        layout: list[bool] = []
        for page in reader.pages:
            try:
                text, in_layout = _page_text(page)
            except (DependencyError, FileNotDecryptedError):
                return {"ok": False, "error": "encrypted-unsupported", "detail": ""}
            pages.append(text)
            layout.append(in_layout)
        return {"ok": True, "pages": pages, "layout": layout, "page_count": len(pages)}
    except FileNotDecryptedError:
        return {"ok": False, "error": "encrypted", "detail": ""}
    except DependencyError:
        return {"ok": False, "error": "encrypted-unsupported", "detail": ""}
    except PdfReadError as exc:
        return {"ok": False, "error": "damaged", "detail": _first_line(exc)}


def read_rtf(data: bytes) -> dict:
    from striprtf.striprtf import rtf_to_text

    try:
        source = data.decode("cp1252")
    except UnicodeDecodeError:
        source = data.decode("latin-1")
    return {"ok": True, "text": rtf_to_text(source, errors="replace")}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    mode = args[0] if args else "pdf"
    memory_mb = int(args[1]) if len(args) > 1 else 300
    cpu_seconds = int(args[2]) if len(args) > 2 else 11
    _set_limits(memory_mb, cpu_seconds)
    result: dict
    try:
        data = sys.stdin.buffer.read()
        result = read_rtf(data) if mode == "rtf" else read_pdf(data)
    except MemoryError:
        data = b""
        result = {"ok": False, "error": "memory", "detail": ""}
    except RecursionError:
        result = {"ok": False, "error": "damaged", "detail": "nesting too deep"}
    except Exception as exc:  # noqa: BLE001 - report, never a traceback
        result = {"ok": False, "error": "damaged", "detail": f"{type(exc).__name__}: {_first_line(exc)}"}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
