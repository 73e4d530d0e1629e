"""The live preview's web server: serves the last built site and never waits for a rebuild.

MkDocs' own server holds every request while a rebuild runs (half a minute at 3,000 cards).
This one serves the folder it was last given; a rebuild writes each page whole (a new file
moved into place) or builds a new folder that replaces the old one in one step, so a reader
always gets a complete page, at once.

Two things are added to each HTML page as it is served, so that no page has to be built again
for them: the problems notice, where the page has :data:`NOTICE_MARKER`, and a small script
that reloads the page when a save changed the site (it asks ``/.cardkb/changes`` and the
server answers when something changed, or after half a minute).

Engine-agnostic, and only for a preview on the author's own machine (it binds to the address
given, normally 127.0.0.1).
"""

from __future__ import annotations

import mimetypes
import posixpath
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .edit_api import EditApi

#: where a page of the preview shows the problems: replaced as the page is served
NOTICE_MARKER = "<!-- cardkb:problems -->"
CHANGES_PATH = "/.cardkb/changes"
#: how long the reload script's question may wait for an answer
POLL_SECONDS = 30.0
#: how many pages the server keeps as it last served them
SERVED_PAGES = 32
#: a page's file, its version on disk (time, size, inode) and the site's epoch
ServedKey = tuple[str, int, int, int, int]

# A page with an editor form that holds unsaved changes is not reloaded: the editor's
# ``cardkbHoldReload`` says so, and reloads the page itself once the form is saved or closed.
_RELOAD_SCRIPT = """<script>/* cardkb preview: reload when a save changed the site */
(() => {{
  let shown = {epoch};
  const changed = (epoch) => {{
    if (window.cardkbHoldReload && window.cardkbHoldReload()) {{ shown = epoch; ask(); }}
    else location.reload();
  }};
  const ask = () => fetch("{path}?after=" + shown, {{cache: "no-store"}})
    .then((answer) => answer.text())
    .then((epoch) => Number(epoch) > shown ? changed(Number(epoch)) : ask(),
          () => setTimeout(ask, 1000));
  ask();
}})();
</script>"""


class PreviewServer(ThreadingHTTPServer):
    """Serves :attr:`root`; :meth:`publish` moves it on to a newer state of the site."""

    daemon_threads = True

    def __init__(self, host: str, port: int) -> None:
        super().__init__((host, port), _Handler)
        self.root: Path | None = None
        self.notice = b""
        self.epoch = _now()
        self._changed = threading.Condition()
        # The last pages served, as served (problems and reload script in place): a page asked
        # for again and again while a save is rebuilt then costs the rebuild nothing.
        self._served: dict[ServedKey, bytes] = {}
        self._served_lock = threading.Lock()
        #: the editor's API (``edit_api``), set only while the preview listens on loopback
        self.api: EditApi | None = None

    def served(self, key: ServedKey) -> bytes | None:
        with self._served_lock:
            return self._served.get(key)

    def remember(self, key: ServedKey, content: bytes) -> None:
        with self._served_lock:
            if len(self._served) >= SERVED_PAGES:
                del self._served[next(iter(self._served))]
            self._served[key] = content

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def publish(self, root: Path, notice: str) -> None:
        """Serve ``root`` from now on, with ``notice`` in every page, and reload the
        browsers that show the preview."""
        with self._changed:
            self.root, self.notice = root, notice.encode("utf-8")
            self.epoch = max(_now(), self.epoch + 1)
            self._changed.notify_all()

    def changes_after(self, epoch: int, timeout: float = POLL_SECONDS) -> int:
        """The epoch of the site, once it is newer than ``epoch`` (or the timeout passed)."""
        with self._changed:
            self._changed.wait_for(lambda: self.epoch > epoch, timeout=timeout)
            return self.epoch


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for the problems and what each save rebuilt."""

    def do_POST(self) -> None:
        if self.server.api is not None and self.path.startswith("/.cardkb/"):
            return self._edit()
        self.close_connection = True  # its body is not read
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, "text/plain", b"405 - Not allowed", True)

    def _edit(self) -> None:
        """A request of the editor (``edit_api``): its API, or its script and style."""
        from .edit_api import API_PREFIX, MAX_BODY, SECURITY_HEADERS

        api = self.server.api
        assert api is not None
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith(API_PREFIX):
            asset = api.asset(path) if self.command in ("GET", "HEAD") else None
            if asset is None:
                self.close_connection = True
                return self._send(HTTPStatus.NOT_FOUND, "text/plain", b"404 - Not found", True)
            return self._send(HTTPStatus.OK, *asset, self.command == "GET", SECURITY_HEADERS)
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "application/json",
                              b'{"error": "the request is too large"}', True, SECURITY_HEADERS)
        body = self.rfile.read(int(length))
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = api.handle(self.command, path, headers, body)
        self._send(HTTPStatus(answer.status), "application/json", answer.body,
                   self.command != "HEAD", SECURITY_HEADERS)

    def _answer(self, body: bool) -> None:
        url = urllib.parse.urlsplit(self.path)
        if self.server.api is not None and url.path.startswith("/.cardkb/") and \
                url.path != CHANGES_PATH:
            return self._edit()
        if url.path == CHANGES_PATH:
            after = urllib.parse.parse_qs(url.query).get("after", ["0"])[0]
            epoch = self.server.changes_after(int(after) if after.isdigit() else 0)
            return self._send(HTTPStatus.OK, "text/plain", str(epoch).encode(), body)
        root, notice, epoch = self.server.root, self.server.notice, self.server.epoch
        if root is None:
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain",
                              b"The preview is being built.", body)
        path = urllib.parse.unquote(url.path)
        relative = posixpath.normpath("/" + path).lstrip("/")  # never above the site's root
        file = root / relative if relative not in ("", ".") else root
        if file.is_dir():
            if not path.endswith("/"):
                return self._redirect(url.path + "/")
            file = file / "index.html"
        status = HTTPStatus.OK
        if not file.is_file():
            status, file = HTTPStatus.NOT_FOUND, root / "404.html"
            if not file.is_file():
                return self._send(status, "text/plain", b"404 - Not found", body)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        try:
            stat = file.stat()
            key = (str(file), stat.st_mtime_ns, stat.st_size, stat.st_ino, epoch)
            content = self.server.served(key)
            if content is None:
                content = file.read_bytes()
                if kind == "text/html":
                    content = _with_preview_parts(content, notice, epoch, self.server.api)
                self.server.remember(key, content)
        except OSError:  # replaced by a rebuild between the two steps: the reader retries
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", b"Try again.", body)
        self._send(status, kind, content, body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, content: bytes, body: bool,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if headers is None and self.server.api is not None:
            # pages with the editor's Save button: never inside another site's frame
            headers = {"Content-Security-Policy": "frame-ancestors 'none'",
                       "X-Frame-Options": "DENY"}
        for name, value in (headers or {}).items():
            if name != "Cache-Control":
                self.send_header(name, value)
        charset = "; charset=utf-8" if kind.startswith("text/") or kind.endswith(
            ("javascript", "json")) else ""
        self.send_header("Content-Type", kind + charset)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-store")  # an edit must show on reload
        self.end_headers()
        if body:
            self.wfile.write(content)


def _with_preview_parts(page: bytes, notice: bytes, epoch: int,
                        api: EditApi | None = None) -> bytes:
    page = page.replace(NOTICE_MARKER.encode(), notice, 1)
    script = _RELOAD_SCRIPT.format(epoch=epoch, path=CHANGES_PATH).encode()
    if api is not None:  # the editor, only in a preview on loopback
        script += api.page_tags()
    end = page.rfind(b"</body>")
    return page + script if end < 0 else page[:end] + script + page[end:]


def _now() -> int:
    return time.time_ns() // 1_000_000
