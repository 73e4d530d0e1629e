"""The live preview's web server: serves the last built site and never waits for a rebuild.

MkDocs' own server holds every request while a rebuild runs (half a minute at 3,000 cards).
This one serves the folder it was last given; a rebuild writes each page whole (a new file
moved into place) or builds a new folder that replaces the old one in one step, so a reader
always gets a complete page, at once.

Two things are added to each HTML page as it is served, so that no page has to be built again
for them: the problems notice, where the page has :data:`NOTICE_MARKER`, and a small script
that reloads the page when a save changed the site (it asks ``/.cardkb/changes`` and the
server answers when something changed, or after half a minute).

The preview shows drafts and unpublished cards, so it is as careful as a public server:

- it answers only requests whose ``Host`` names the address it serves (a web page elsewhere
  cannot read it through DNS rebinding), and its change feed only to the preview's own pages;
- one event loop holds every connection (no thread each), with a deadline for each request
  and a bound on connections and waiting reloads, so idle or half-open connections cannot
  exhaust it;
- a malformed or oversized request gets a 4xx answer, never a traceback (h11 parses HTTP).

Engine-agnostic, and only for a preview on the author's own machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import mimetypes
import posixpath
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import h11

log = logging.getLogger("cardkb.preview")

#: where a page of the preview shows the problems: replaced as the page is served
NOTICE_MARKER = "<!-- cardkb:problems -->"
CHANGES_PATH = "/.cardkb/changes"
#: how long the reload script's question may wait for an answer
POLL_SECONDS = 30.0
#: how many pages the server keeps as it last served them
SERVED_PAGES = 32
#: a page's file, its version on disk (time, size, inode) and the site's epoch
ServedKey = tuple[str, int, int, int, int]
#: connections open at once; past it, the one idle longest is closed to make room
MAX_CONNECTIONS = 256
#: reload questions waiting at once (one per open tab); past it, new ones are told to retry
MAX_POLLS = 64
#: time for a request's line and headers (or a body) to arrive, and for an idle connection
REQUEST_SECONDS = 10.0
#: a request's line and headers together; a body (only for routes that take one)
MAX_HEAD_BYTES = 16 * 1024
MAX_BODY_BYTES = 1024 * 1024
#: the loopback names a browser on this machine uses for the preview
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

_EPOCH = re.compile(r"[0-9]{1,19}", re.ASCII)

# A page whose editor form is open is not reloaded: the editor's ``cardkbHoldReload`` says
# so, and reloads the page itself once the form is saved or closed.
_RELOAD_SCRIPT = """<script>/* cardkb preview: reload when a save changed the site */
(() => {{
  let shown = {epoch};
  const changed = (epoch) => {{
    if (window.cardkbHoldReload && window.cardkbHoldReload()) {{ shown = epoch; ask(); }}
    else location.reload();
  }};
  const ask = () => fetch("{path}?after=" + shown, {{cache: "no-store"}})
    .then((answer) => answer.ok ? answer.text() : Promise.reject(answer.status))
    .then((epoch) => Number(epoch) > shown ? changed(Number(epoch)) : ask(),
          () => setTimeout(ask, 2000));
  ask();
}})();
</script>"""


@dataclass(frozen=True)
class Request:
    """One request as a route sees it: names of headers in lower case, the body read whole."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


#: a route answers its requests in a worker thread (it may read and write files)
Route = Callable[[Request], Answer]


@dataclass
class _Connection:
    """What the event loop knows of one open connection, to choose which to close."""

    writer: asyncio.StreamWriter
    http: h11.Connection
    opened: float
    idle: bool = True
    polling: bool = False


class PreviewServer:
    """Serves :attr:`root`; :meth:`publish` moves it on to a newer state of the site.

    The socket is bound when the server is made (a busy port is an ``OSError`` then);
    :meth:`serve_forever` runs the event loop in the calling thread until :meth:`shutdown`.
    """

    def __init__(self, host: str, port: int, allowed_hosts: Iterable[str] = ()) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.create_server((host.strip("[]"), port), family=family)
        self.server_address: tuple[str, int] = self._socket.getsockname()[:2]
        self.allowed_hosts = _allowed_hosts(host, self.server_address[1], allowed_hosts)
        self.root: Path | None = None
        self.notice = b""
        self.epoch = _now()
        self.poll_seconds = POLL_SECONDS
        self.routes: dict[str, tuple[frozenset[str], Route]] = {}
        #: more for each page, after the reload script (the editor's, on loopback)
        self.page_parts = b""
        # The last pages served, as served (problems and reload script in place): a page asked
        # for again and again while a save is rebuilt then costs the rebuild nothing.
        self._served: dict[ServedKey, bytes] = {}
        self._served_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._stopped = threading.Event()
        self._connections: dict[int, _Connection] = {}
        self._polls = 0
        self._refused_hosts: set[str] = set()

    # -- what the preview calls -------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{_host_name(host)}:{port}/"

    @property
    def is_serving(self) -> bool:
        return self._loop is not None and not self._stopped.is_set()

    @property
    def is_loopback(self) -> bool:
        return _is_loopback(self.server_address[0])

    def add_route(self, prefix: str, methods: Iterable[str], route: Route) -> None:
        """Answer requests under ``prefix`` (a path ending in ``/``) with ``route``."""
        self.routes[prefix] = (frozenset(methods), route)

    def publish(self, root: Path, notice: str) -> None:
        """Serve ``root`` from now on, with ``notice`` in every page, and reload the
        browsers that show the preview."""
        self.root, self.notice = root, notice.encode("utf-8")
        self.epoch = max(_now(), self.epoch + 1)
        loop, changed = self._loop, self._changed
        if loop is not None and changed is not None:
            loop.call_soon_threadsafe(changed.set)

    def served(self, key: ServedKey) -> bytes | None:
        with self._served_lock:
            return self._served.get(key)

    def remember(self, key: ServedKey, content: bytes) -> None:
        with self._served_lock:
            if len(self._served) >= SERVED_PAGES:
                del self._served[next(iter(self._served))]
            self._served[key] = content

    def serve_forever(self) -> None:
        try:
            asyncio.run(self._serve())
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread) and wait until it has."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not self._stopped.is_set():
            loop.call_soon_threadsafe(stop.set)
            self._stopped.wait(10)

    def server_close(self) -> None:
        self._socket.close()

    # -- the event loop ---------------------------------------------------------------------

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(_log_one_line)
        self._changed, self._stop = asyncio.Event(), asyncio.Event()
        server = await asyncio.start_server(self._connection, sock=self._socket,
                                            limit=MAX_HEAD_BYTES)
        async with server:
            await self._stop.wait()
            for connection in list(self._connections.values()):
                connection.writer.close()

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        key = id(writer)
        self._make_room()
        http = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        self._connections[key] = connection = _Connection(writer, http, time.monotonic())
        try:
            await self._exchange(reader, connection)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the reader went away, or sent nothing in time
        except Exception as error:  # never a traceback in the author's terminal
            log.warning("cardkb: the preview could not answer a request (%s: %s)",
                        type(error).__name__, error)
        finally:
            self._connections.pop(key, None)
            writer.close()

    def _make_room(self) -> None:
        """At the bound, close the connection that has waited longest without a request."""
        if len(self._connections) < MAX_CONNECTIONS:
            return
        idle = [k for k, c in self._connections.items() if c.idle] or \
            [k for k, c in self._connections.items() if c.polling]
        if idle:
            oldest = min(idle, key=lambda k: self._connections[k].opened)
            self._connections.pop(oldest).writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, connection: _Connection) -> None:
        """Answer the requests of one connection, one after another, until it closes."""
        http = connection.http
        while True:
            connection.idle = True
            try:
                request, body = await self._read_request(http, reader)
            except h11.RemoteProtocolError as error:
                if http.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    status = error.error_status_hint
                    await self._send(http, connection.writer, _plain(status, HTTPStatus(
                        status).phrase), head_only=False)
                return
            if request is None:
                return
            connection.idle = False
            answer = await self._answer(request, body, reader, connection)
            await self._send(http, connection.writer, answer,
                             head_only=request.method == b"HEAD")
            if http.our_state is h11.MUST_CLOSE or http.their_state is not h11.DONE:
                return
            http.start_next_cycle()

    async def _read_request(self, http: h11.Connection, reader: asyncio.StreamReader
                            ) -> tuple[h11.Request | None, bytes]:
        """The next request and its body, within :data:`REQUEST_SECONDS`; None at the end."""
        async with asyncio.timeout(REQUEST_SECONDS):
            request: h11.Request | None = None
            body = bytearray()
            while True:
                event = http.next_event()
                if event is h11.NEED_DATA:
                    http.receive_data(await reader.read(65536))
                elif isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.Data):
                    body += event.data
                    if len(body) > MAX_BODY_BYTES:
                        raise h11.RemoteProtocolError("body too large", error_status_hint=413)
                elif isinstance(event, h11.EndOfMessage):
                    return request, bytes(body)
                else:  # ConnectionClosed, or PAUSED after an answer that closes
                    return None, b""

    async def _send(self, http: h11.Connection, writer: asyncio.StreamWriter, answer: Answer,
                    head_only: bool) -> None:
        kind = answer.content_type
        charset = "; charset=utf-8" if kind.startswith("text/") or kind.endswith(
            ("javascript", "json")) else ""
        headers = [("Content-Type", kind + charset), ("Content-Length", str(len(answer.body))),
                   ("Cache-Control", "no-store"),  # an edit must show on reload
                   ("X-Content-Type-Options", "nosniff"),
                   ("Content-Security-Policy", "frame-ancestors 'none'"),
                   *answer.headers]
        data = http.send(h11.Response(status_code=answer.status, headers=headers,
                                      reason=HTTPStatus(answer.status).phrase))
        if not head_only and answer.body:
            data = (data or b"") + (http.send(h11.Data(data=answer.body)) or b"")
        data = (data or b"") + (http.send(h11.EndOfMessage()) or b"")
        writer.write(data)
        async with asyncio.timeout(REQUEST_SECONDS * 3):
            await writer.drain()

    # -- one request ------------------------------------------------------------------------

    async def _answer(self, event: h11.Request, body: bytes, reader: asyncio.StreamReader,
                      connection: _Connection) -> Answer:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                   for name, value in event.headers}
        host = headers.get("host", "").lower()
        if host not in self.allowed_hosts:
            if host not in self._refused_hosts and len(self._refused_hosts) < 16:
                self._refused_hosts.add(host)
                log.warning("cardkb: refused a request for %r: the preview answers only for "
                            "its own address (see --allow-host)", host[:80])
            return _plain(HTTPStatus.MISDIRECTED_REQUEST,
                          "This preview answers only for its own address.")
        target = event.target.decode("ascii", "replace")
        if not target.startswith("/"):  # only a path: never a whole address, as to a proxy
            return _plain(HTTPStatus.BAD_REQUEST, "Bad request.")
        path, _, query = target.partition("#")[0].partition("?")
        method = event.method.decode("ascii", "replace")
        for prefix, (methods, route) in self.routes.items():
            if path.startswith(prefix):
                if method not in methods:
                    return _plain(HTTPStatus.METHOD_NOT_ALLOWED, "Method not allowed.")
                request = Request(method, path, query, headers, body)
                return await asyncio.to_thread(route, request)
        if method not in ("GET", "HEAD"):
            return _plain(HTTPStatus.METHOD_NOT_ALLOWED, "Method not allowed.")
        if path == CHANGES_PATH:
            return await self._changes(query, headers, host, reader, connection)
        return self._page(path, query)

    async def _changes(self, query: str, headers: Mapping[str, str], host: str,
                       reader: asyncio.StreamReader, connection: _Connection) -> Answer:
        """The site's epoch once it is newer than ``after``, or after :attr:`poll_seconds`."""
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none") or \
                headers.get("origin", f"http://{host}") != f"http://{host}":
            return _plain(HTTPStatus.FORBIDDEN, "Only the preview's own pages may ask this.")
        values = urllib.parse.parse_qs(query).get("after", ["0"])
        if len(values) != 1 or not _EPOCH.fullmatch(values[0]):
            return _plain(HTTPStatus.BAD_REQUEST, "after= takes the number of a version.")
        after = int(values[0])
        if self.epoch <= after:
            if self._polls >= MAX_POLLS:
                return Answer(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", b"Busy; ask again.",
                              (("Retry-After", "2"),))
            await self._wait_for_change(after, reader, connection)
        return Answer(HTTPStatus.OK, "text/plain", str(self.epoch).encode())

    async def _wait_for_change(self, after: int, reader: asyncio.StreamReader,
                               connection: _Connection) -> None:
        """Until the site changes, the time is up, or the reader has gone (a closed tab)."""
        assert self._changed is not None
        self._polls += 1
        connection.polling = True
        gone = asyncio.ensure_future(reader.read(1))
        try:
            deadline = time.monotonic() + self.poll_seconds
            while self.epoch <= after and not gone.done():
                self._changed.clear()
                changed = asyncio.ensure_future(self._changed.wait())
                await asyncio.wait({changed, gone}, timeout=max(0, deadline - time.monotonic()),
                                   return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                if time.monotonic() >= deadline:
                    break
        finally:
            self._polls -= 1
            connection.polling = False
            if not gone.done():
                # Cancelling only asks; until the watch has ended it still holds the reader,
                # and the connection's next request could not be read.
                gone.cancel()
                await asyncio.wait({gone})
            if not gone.cancelled() and gone.exception() is None:
                connection.http.receive_data(gone.result())  # the next request, or the end

    def _page(self, raw_path: str, query: str) -> Answer:
        root, notice, epoch = self.root, self.notice, self.epoch
        if root is None:
            return _plain(HTTPStatus.SERVICE_UNAVAILABLE, "The preview is being built.")
        path = urllib.parse.unquote(raw_path)
        relative = posixpath.normpath("/" + path).lstrip("/")  # never above the site's root
        if "\x00" in relative:
            return _plain(HTTPStatus.BAD_REQUEST, "Bad request.")
        try:
            file = root / relative if relative not in ("", ".") else root
            if file.is_dir():
                if not path.endswith("/"):  # from the normalised path, never the raw one
                    location = "/" + urllib.parse.quote(relative + "/").lstrip("/")
                    if query:
                        location += "?" + urllib.parse.quote(query, safe="=&+%")
                    return Answer(HTTPStatus.FOUND, "text/plain", b"",
                                  (("Location", location),))
                file = file / "index.html"
            status = HTTPStatus.OK
            if not file.is_file():
                status, file = HTTPStatus.NOT_FOUND, root / "404.html"
                if not file.is_file():
                    return _plain(status, "404 - Not found")
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            stat = file.stat()
            key = (str(file), stat.st_mtime_ns, stat.st_size, stat.st_ino, epoch)
            content = self.served(key)
            if content is None:
                content = file.read_bytes()
                if kind == "text/html":
                    content = _with_preview_parts(content, notice, epoch, self.page_parts)
                self.remember(key, content)
        except OSError as error:
            if error.errno == 36:  # ENAMETOOLONG: no such page, whatever it was meant to be
                return _plain(HTTPStatus.NOT_FOUND, "404 - Not found")
            # replaced by a rebuild between two steps: the reader retries
            return _plain(HTTPStatus.SERVICE_UNAVAILABLE, "Try again.")
        return Answer(status, kind, content)


def _plain(status: int, text: str) -> Answer:
    return Answer(status, "text/plain", text.encode("utf-8"))


def _with_preview_parts(page: bytes, notice: bytes, epoch: int, more: bytes = b"") -> bytes:
    page = page.replace(NOTICE_MARKER.encode(), notice, 1)
    script = _RELOAD_SCRIPT.format(epoch=epoch, path=CHANGES_PATH).encode() + more
    end = page.rfind(b"</body>")
    return page + script if end < 0 else page[:end] + script + page[end:]


def _allowed_hosts(host: str, port: int, extra: Iterable[str]) -> frozenset[str]:
    """Every ``Host`` value the preview answers: its own address and the loopback names, with
    its port (and without, on port 80), and the names given with ``--allow-host``."""
    names = {_host_name(host.strip("[]")).lower(), *LOOPBACK_NAMES}
    allowed: set[str] = set()
    for name in names | {n.lower() for n in extra}:
        if name.rpartition(":")[2].isdigit() and not name.endswith("]"):
            allowed.add(name)  # given with its port
            continue
        allowed.add(f"{name}:{port}")
        if port == 80:
            allowed.add(name)
    return frozenset(allowed)


def _host_name(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return address == "localhost"


def _log_one_line(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    error = context.get("exception")
    log.warning("cardkb: the preview's server: %s", context.get("message") if error is None
                else f"{type(error).__name__}: {error}")


def _now() -> int:
    return time.time_ns() // 1_000_000

