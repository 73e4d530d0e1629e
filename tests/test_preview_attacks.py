"""The preview server, tried as an attacker would (issue 23).

The preview shows drafts and unpublished cards on the author's own machine. A web page the
author visits elsewhere must not be able to read it (DNS rebinding: the page's own host name is
made to point at 127.0.0.1, so the browser treats the preview as that page's origin; Chromium
tries it in tests/browser/test_preview_rebinding.py), idle or
half-open connections must not exhaust it, and a malformed request must get a 4xx, never a
traceback in the author's terminal.

The server runs in process here, on a folder standing in for a built site: it is the same code
`cardkb preview` runs (tests/test_preview.py runs the real command), and no MkDocs build is
needed to prove what a request gets.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkb.preview_server import CHANGES_PATH, MAX_CONNECTIONS, MAX_POLLS, PreviewServer

SECRET = b"draft card nobody may read"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>", "utf-8")
    (root / "sub" / "index.html").write_text("<html><body>sub</body></html>", "utf-8")
    (root / "cards.json").write_bytes(b'{"cards": "' + SECRET + b'"}')
    return root


@contextlib.contextmanager
def running(site: Path, *allowed: str, host: str = "127.0.0.1") -> Iterator[PreviewServer]:
    server = PreviewServer(host, 0, allowed)
    server.publish(site, "")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def server(site: Path) -> Iterator[PreviewServer]:
    with running(site) as server:
        yield server


def raw(server: PreviewServer, request: bytes, timeout: float = 5) -> bytes:
    """Send ``request`` as it is, close our side, and read the whole answer."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def get(server: PreviewServer, path: str, host: str | None = None, *headers: str) -> bytes:
    host = f"127.0.0.1:{server.server_address[1]}" if host is None else host
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *headers, "Connection: close", "", ""]
    return raw(server, "\r\n".join(lines).encode())


def status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer[9:12])


# -- Host: DNS rebinding ----------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "", "0.0.0.0:{port}"])
def test_a_foreign_host_gets_421_and_nothing_of_the_site(server: PreviewServer, host: str) -> None:
    answer = get(server, "/cards.json", host.format(port=server.server_address[1]))
    assert status(answer) == 421
    assert SECRET not in answer


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_the_preview_answers_its_own_names(server: PreviewServer, name: str) -> None:
    answer = get(server, "/cards.json", f"{name}:{server.server_address[1]}")
    assert status(answer) == 200 and SECRET in answer


def test_allow_host_adds_a_name(site: Path) -> None:
    with running(site, "kb.practice.example") as server:
        port = server.server_address[1]
        assert status(get(server, "/", f"kb.practice.example:{port}")) == 200
        assert status(get(server, "/", f"other.practice.example:{port}")) == 421


@pytest.mark.parametrize("header", ["Origin: http://evil.example", "Sec-Fetch-Site: cross-site",
                                    "Sec-Fetch-Site: same-site"])
def test_the_change_feed_refuses_other_sites(server: PreviewServer, header: str) -> None:
    assert status(get(server, f"{CHANGES_PATH}?after=0", None, header)) == 403


def test_the_change_feed_answers_its_own_pages(server: PreviewServer) -> None:
    port = server.server_address[1]
    answer = get(server, f"{CHANGES_PATH}?after=0", None, f"Origin: http://127.0.0.1:{port}",
                 "Sec-Fetch-Site: same-origin")
    assert status(answer) == 200 and answer.endswith(str(server.epoch).encode())


# -- idle and half-open connections ------------------------------------------------------------

def test_400_half_open_connections_hold_no_threads_and_block_nobody(server: PreviewServer) -> None:
    threads = threading.active_count()
    port = server.server_address[1]
    held: list[socket.socket] = []
    try:
        for _ in range(400):
            sock = socket.create_connection(("127.0.0.1", port), 5)
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())  # never ends
            held.append(sock)
        time.sleep(0.3)
        started = time.monotonic()
        assert status(get(server, "/")) == 200
        assert time.monotonic() - started < 1
        assert threading.active_count() <= threads + 4  # the event loop's few, not one each
        assert len(server._connections) <= MAX_CONNECTIONS
    finally:
        for sock in held:
            sock.close()


def test_a_request_that_never_ends_is_closed(server: PreviewServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cardkb.preview_server.REQUEST_SECONDS", 0.5)
    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), 5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 3


def test_reload_questions_are_bounded_and_a_closed_tab_lets_go(server: PreviewServer) -> None:
    port = server.server_address[1]
    question = (f"GET {CHANGES_PATH}?after={server.epoch} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n\r\n").encode()
    waiting: list[socket.socket] = []
    try:
        for _ in range(MAX_POLLS):
            sock = socket.create_connection(("127.0.0.1", port), 5)
            sock.sendall(question)
            waiting.append(sock)
        deadline = time.monotonic() + 5
        while server._polls < MAX_POLLS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server._polls == MAX_POLLS
        assert status(raw(server, question)) == 503  # one more is told to ask again later
        assert status(get(server, "/")) == 200  # pages are still answered
        for sock in waiting[:10]:
            sock.close()
        deadline = time.monotonic() + 5
        while server._polls > MAX_POLLS - 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server._polls == MAX_POLLS - 10
    finally:
        for sock in waiting:
            sock.close()


def test_the_reload_question_is_answered_when_the_site_changes(server: PreviewServer,
                                                               site: Path) -> None:
    port = server.server_address[1]
    epoch = server.epoch
    with socket.create_connection(("127.0.0.1", port), 5) as sock:
        sock.sendall(f"GET {CHANGES_PATH}?after={epoch} HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{port}\r\n\r\n".encode())
        time.sleep(0.2)
        server.publish(site, "")
        answer = sock.recv(4096)
    assert status(answer) == 200 and answer.endswith(str(server.epoch).encode())
    assert server.epoch > epoch


def test_the_connection_that_asked_answers_the_next_request(
        server: PreviewServer, site: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A browser reuses the connection its reload question was answered on. The question's
    watch for a closed tab must have let go of the connection by then: once it had not, the
    next request failed ("read() called while another coroutine is already waiting") and the
    author's terminal said the preview could not answer."""
    port = server.server_address[1]
    for _ in range(20):  # the leftover watch lost the race most times, not every time
        with socket.create_connection(("127.0.0.1", port), 5) as sock:
            sock.sendall(f"GET {CHANGES_PATH}?after={server.epoch} HTTP/1.1\r\n"
                         f"Host: 127.0.0.1:{port}\r\n\r\n".encode())
            deadline = time.monotonic() + 5
            while server._polls == 0 and time.monotonic() < deadline:
                time.sleep(0.005)
            server.publish(site, "")
            answer = sock.recv(4096)
            assert status(answer) == 200
            sock.sendall(f"GET /sub/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                         "Connection: close\r\n\r\n".encode())
            page = b""
            while chunk := sock.recv(65536):
                page += chunk
        assert status(page) == 200 and b">sub<" in page
    assert "could not answer" not in caplog.text


# -- malformed requests -------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "expected"), [
    (f"{CHANGES_PATH}?after=\u00b2", 400),  # a digit to str.isdigit, not to int()
    (f"{CHANGES_PATH}?after=%D9%A3", 400),  # an Arabic-Indic three
    (f"{CHANGES_PATH}?after=" + "9" * 5000, 400),
    (f"{CHANGES_PATH}?after=1&after=2", 400),
    ("/" + "a" * 300 + "/", 404),
    ("/" + "a" * 300, 404),
    ("/%00/", 400),
    ("/sub/%ff%fe/", 404),
    ("http://evil.example/", 400),
])
def test_malformed_requests_get_a_4xx_and_no_traceback(
        server: PreviewServer, path: str, expected: int, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert status(get(server, path)) == expected
    assert not [r for r in caplog.records if r.exc_info or "could not answer" in r.message]


@pytest.mark.parametrize("request_bytes", [
    b"\x00\x01\x02\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 3\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
def test_broken_http_gets_a_4xx(server: PreviewServer, request_bytes: bytes) -> None:
    host = f"127.0.0.1:{server.server_address[1]}".encode()
    answer = raw(server, request_bytes.replace(b"{host}", host))
    assert 400 <= status(answer) < 500


def test_a_redirect_is_built_from_the_normalised_path(server: PreviewServer) -> None:
    for path, location in (("//sub", b"/sub/"), ("/./sub", b"/sub/"), ("/x/../sub", b"/sub/"),
                           ("//sub?q=a%20b&x=%0d%0a", b"/sub/?q=a%20b&x=%0d%0a")):
        answer = get(server, path)
        assert status(answer) == 302
        assert b"\r\nLocation: " + location + b"\r\n" in answer, answer


_REQUEST_PART = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "G\x00T", ""]) | _REQUEST_PART,
       path=st.sampled_from(["/", CHANGES_PATH, "/sub", "/cards.json", "/.cardkb/"]),
       tail=_REQUEST_PART,
       query=st.none() | st.text(max_size=30),
       version=st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "", "HTTP/1.1 x"]),
       host=st.sampled_from(["own", "none", "evil.example"]) | _REQUEST_PART,
       headers=st.lists(st.tuples(_REQUEST_PART, _REQUEST_PART), max_size=4))
def test_fuzzed_requests_always_get_a_well_formed_answer(
        fuzz_server: PreviewServer, method: str, path: str, tail: str, query: str | None,
        version: str, host: str, headers: list[tuple[str, str]]) -> None:
    port = fuzz_server.server_address[1]
    target = path + tail + ("" if query is None else "?after=" + query)
    lines = [f"{method} {target} {version}".rstrip()]
    if host != "none":
        lines.append(f"Host: {f'127.0.0.1:{port}' if host == 'own' else host}")
    lines += [f"{name}: {value}" for name, value in headers]
    answer = raw(fuzz_server, ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
    assert answer[:9] == b"HTTP/1.1 " and answer[9:12].isdigit() and answer[12:13] == b" "
    assert status(answer) in (200, 302, 400, 403, 404, 405, 411, 413, 421, 431, 501, 503, 505)
    assert fuzz_server.is_serving


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    root = tmp_path_factory.mktemp("fuzz-site")
    (root / "sub").mkdir()
    (root / "index.html").write_text("<html><body>home</body></html>", "utf-8")
    (root / "sub" / "index.html").write_text("<html><body>sub</body></html>", "utf-8")
    recorder = _Recorder()
    logger = logging.getLogger("cardkb.preview")
    logger.addHandler(recorder)
    try:
        with running(root) as server:
            server.poll_seconds = 0.05
            yield server
    finally:
        logger.removeHandler(recorder)
    problems = [r.getMessage() for r in recorder.records
                if r.exc_info or "could not answer" in r.getMessage()]
    assert not problems
    refused = [r for r in recorder.records if "refused a request" in r.getMessage()]
    assert len(refused) <= 16  # at most one line per foreign name, and few of those

