"""The nginx configuration in deploy/nginx/, exercised against the real server.

The distribution's nginx runs as a foreground process on a free loopback port, with a temporary
prefix, the shipped ``cardkb-http.conf`` and ``cardkb-site.conf`` (only the site folder and the
password file swapped for temporary ones) and the normal build under ``/kb/``. The checks: the
login (401 without credentials, 200 with them), the security headers, gzip and caching, and, in
Chromium, that every page and the finder work under the Content-Security-Policy with no violation.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import http.client
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser_kit import (
    FIXTURE_SIGN_QUERY,
    PRINT_PATTERN,
    REPO,
    SUB_PATH,
    free_port,
    html_pages,
    is_redirect,
    search,
    visit,
    watching,
)

DEPLOY = REPO / "deploy" / "nginx"
USER, PASSWORD = "supervisor", "correct horse battery staple"
#: the browser sends the login with every request, as it does once a reader has logged in
CREDENTIALS = {"username": USER, "password": PASSWORD, "send": "always"}
#: the lines of cardkb-site.conf a practice changes, and what the test puts there
SITE_PLACEHOLDER = "alias /srv/cardkb/site/;"
PASSWORDS_PLACEHOLDER = "auth_basic_user_file /etc/nginx/cardkb.htpasswd;"


def ssha(password: str) -> str:
    """A salted SHA-1 entry for nginx's password file (RFC 2307 ``{SSHA}``), made without tools."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def configure(prefix: Path, site: Path, port: int, snippet: str = "cardkb-site.conf") -> Path:
    """nginx.conf for a throw-away server around the shipped files (``snippet``, the site's part,
    is cardkb-site.conf or the Zensical build's variant); returns its path."""
    site_conf = (DEPLOY / snippet).read_text("utf-8")
    for placeholder in (SITE_PLACEHOLDER, PASSWORDS_PLACEHOLDER):
        assert site_conf.count(placeholder) == 1, f"cardkb-site.conf lost its line {placeholder!r}"
    passwords = prefix / "cardkb.htpasswd"
    passwords.write_text(f"{USER}:{ssha(PASSWORD)}\n", "utf-8")
    site_conf = site_conf.replace(SITE_PLACEHOLDER, f"alias {site}/;")
    site_conf = site_conf.replace(PASSWORDS_PLACEHOLDER, f"auth_basic_user_file {passwords};")
    (prefix / "cardkb-site.conf").write_text(site_conf, "utf-8")
    shutil.copy(DEPLOY / "cardkb-http.conf", prefix / "cardkb-http.conf")

    mime_types = Path("/etc/nginx/mime.types")
    types = (f"include {mime_types};" if mime_types.is_file() else
             "types { text/html html; text/css css; application/javascript js; "
             "application/json json; image/png png; image/svg+xml svg; text/xml xml; }")
    temp = prefix / "temp"
    temp.mkdir()
    # as root, nginx's workers would otherwise run as nobody, who cannot read pytest's folders
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(f"""
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/cardkb-http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        include {prefix}/cardkb-site.conf;
    }}
}}
""", "utf-8")
    return conf


@dataclass
class Server:
    port: int
    prefix: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{SUB_PATH}"

    @property
    def logged_in_base(self) -> str:
        """The base with the login in it (``http://user:password@host/kb/``): Chromium then
        answers the server's challenge for every request of the site, Lighthouse's own too."""
        login = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"
        return self.base.replace("://", f"://{login}@", 1)

    def get(self, path: str, *, auth: tuple[str, str] | None = (USER, PASSWORD),
            method: str = "GET", headers: dict[str, str] | None = None,
            ) -> tuple[int, dict[str, str], bytes]:
        """One request, nothing followed or decoded: status, headers (lower-case), raw body."""
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=sent)
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start listening in 15 seconds")


@contextlib.contextmanager
def running_nginx(executable: str, site: Path, new_prefix: Callable[[], Path],
                  snippet: str = "cardkb-site.conf") -> Iterator[Server]:
    """The real nginx serving ``site`` at /kb/ behind basic auth, in a fresh folder from
    ``new_prefix`` (a port taken in between: another folder and port); stopped on leaving.
    Used by the tests' fixture below and by ``make bench`` (tools/bench/lighthouse.py)."""
    for _attempt in range(3):
        prefix = new_prefix()
        port = free_port()
        conf = configure(prefix, site, port, snippet)
        command = [executable, "-p", f"{prefix}/", "-c", str(conf), "-e", f"{prefix}/error.log"]
        checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True,
                                 check=False)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
        process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            _wait_for_port(port, process, prefix / "error.log")
        except RuntimeError:
            process.kill()
            process.wait(timeout=10)
            continue  # the port was taken in between: try another
        try:
            yield Server(port, prefix)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return
    raise RuntimeError(f"nginx would not start: {(prefix / 'error.log').read_text()}")


@pytest.fixture(scope="module")
def site_snippet() -> str:
    """The shipped configuration of the site's part (a module for the Zensical build sets its
    own, with its own ``web_site``)."""
    return "cardkb-site.conf"


@pytest.fixture(scope="module")
def nginx(nginx_executable: str, web_site: Path, site_snippet: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real nginx serving the normal build at /kb/ behind basic auth."""
    with running_nginx(nginx_executable, web_site, lambda: tmp_path_factory.mktemp("nginx"),
                       site_snippet) as server:
        yield server


# -- the login -----------------------------------------------------------------------------------


def test_without_the_login_nothing_is_served(nginx: Server) -> None:
    for path in (SUB_PATH, f"{SUB_PATH}signs/", f"{SUB_PATH}find/index.js",
                 f"{SUB_PATH}assets/cardkb.css"):
        status, headers, _ = nginx.get(path, auth=None)
        assert status == 401, f"{path} answered {status} without credentials"
        assert headers.get("www-authenticate", "").startswith("Basic realm=")
        # the security headers are sent with the refusal too
        assert "content-security-policy" in headers
        assert headers.get("x-content-type-options") == "nosniff"
    status, _, _ = nginx.get(SUB_PATH, auth=(USER, "wrong password"))
    assert status == 401


def test_with_the_login_the_site_is_served(nginx: Server) -> None:
    status, headers, body = nginx.get(SUB_PATH)
    assert status == 200, status
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"<title>" in body
    for path in ("signs/", "patterns/stuck-client/", "assets/cardkb.js", "find/",
                 "find/index.js", "find/more.js", "find/model/vocab.js", "find/model/0.js",
                 "find/vectors.js"):
        status, _, _ = nginx.get(SUB_PATH + path)
        assert status == 200, f"{path}: {status}"
    # the sub-path without its slash is sent on, relatively
    status, headers, _ = nginx.get(SUB_PATH.rstrip("/"))
    assert (status, headers.get("location")) == (301, SUB_PATH)
    # a static site: nothing but reading
    status, _, _ = nginx.get(SUB_PATH, method="POST")
    assert status == 403


# -- headers -------------------------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_security_headers(nginx: Server) -> None:
    for path in ("", "patterns/stuck-client/", "assets/cardkb.js", "find/",
                 "find/index.js", "find/model/vocab.js"):
        status, headers, _ = nginx.get(SUB_PATH + path)
        assert status == 200, path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "no-referrer", path
        assert headers.get("x-frame-options") == "DENY", path
        csp = csp_directives(headers["content-security-policy"])
        assert csp["default-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        # the site's own path on this host, never 'self' (the whole intranet host)
        site = f"127.0.0.1:{nginx.port}{SUB_PATH}"
        for directive, sources in csp.items():
            assert "'unsafe-inline'" not in sources, f"{directive} allows inline code"
            assert "'unsafe-eval'" not in sources, f"{directive} allows eval"
            assert "'self'" not in sources, f"{directive} allows the whole host"
            # the host's robots.txt may be read from a page (Lighthouse's SEO audit does)
            extra = {f"127.0.0.1:{nginx.port}/robots.txt"} if directive == "connect-src" else set()
            outside = [s for s in sources
                       if not s.startswith("'") and s not in ("data:", site, *extra)]
            assert not outside, f"{directive} allows sources beyond the site: {outside}"
        assert all(s == site or s.startswith("'sha256-") for s in csp["script-src"])
        # HSTS, so that a first visit over plain HTTP cannot be stripped before the login
        assert headers.get("strict-transport-security") == "max-age=31536000", path
        # no page starts a Web Worker (Material's search, which needed one, is gone)
        assert "worker-src" not in csp, "worker-src allows Web Workers no page uses"


def test_gzip(nginx: Server, web_site: Path) -> None:
    bundle = next((web_site / "assets" / "javascripts").glob("bundle.*.min.js"))
    style = next((web_site / "assets" / "stylesheets").glob("main.*.min.css"))
    for path, file in [("", web_site / "index.html"),
                       ("patterns/stuck-client/", web_site / "patterns/stuck-client/index.html"),
                       (bundle.relative_to(web_site).as_posix(), bundle),
                       (style.relative_to(web_site).as_posix(), style),
                       ("assets/cardkb.js", web_site / "assets/cardkb.js"),
                       ("find/index.js", web_site / "find/index.js"),
                       ("find/more.js", web_site / "find/more.js"),
                       ("find/model/vocab.js", web_site / "find/model/vocab.js"),
                       ("find/model/0.js", web_site / "find/model/0.js"),
                       ("find/vectors.js", web_site / "find/vectors.js")]:
        status, headers, body = nginx.get(SUB_PATH + path, headers={"Accept-Encoding": "gzip"})
        assert status == 200, path
        assert headers.get("content-encoding") == "gzip", f"{path} was not compressed"
        assert "Accept-Encoding" in headers.get("vary", ""), path
        assert gzip.decompress(body) == file.read_bytes(), path
    # a client that cannot take gzip gets the plain file
    status, headers, body = nginx.get(SUB_PATH)
    assert "content-encoding" not in headers
    assert body == (web_site / "index.html").read_bytes()


def test_caching(nginx: Server, web_site: Path) -> None:
    bundle = next((web_site / "assets" / "javascripts").glob("bundle.*.min.js"))
    style = next((web_site / "assets" / "stylesheets").glob("main.*.min.css"))
    for file in (bundle, style):
        _, headers, _ = nginx.get(SUB_PATH + file.relative_to(web_site).as_posix())
        assert headers["cache-control"] == "private, max-age=31536000, immutable", file.name
    # the finder's data change with every build of the cards: revalidated like the pages
    for path in ("", "signs/", "find/", "find/index.js", "find/more.js", "find/model/vocab.js",
                 "find/model/0.js", "find/vectors.js",
                 "assets/cardkb.css", "assets/cardkb.js", "assets/cardkb-finder.js",
                 "assets/vendor/minisearch/minisearch.js", "assets/images/favicon.png"):
        status, headers, _ = nginx.get(SUB_PATH + path)
        assert status == 200, path
        assert headers["cache-control"] == "private, no-cache", path
        assert "last-modified" in headers or "etag" in headers, path
    # revalidation is cheap
    _, headers, _ = nginx.get(SUB_PATH)
    status, _, body = nginx.get(SUB_PATH, headers={"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")


# -- the CSP against the built site ---------------------------------------------------------------


def _csp_tool() -> Any:
    spec = importlib.util.spec_from_file_location("csp_hashes", REPO / "deploy" / "csp_hashes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_csp_allows_exactly_the_inline_scripts_of_the_site(web_site: Path,
                                                           offline_site: Path) -> None:
    """Fails after a Material upgrade that changes its inline scripts: refresh the hashes with
    deploy/csp_hashes.py, as deploy/README.md says."""
    header = re.search(r'add_header Content-Security-Policy "([^"]+)"',
                       (DEPLOY / "cardkb-site.conf").read_text("utf-8"))
    assert header
    script_src = csp_directives(header[1])["script-src"]
    allowed = {s for s in script_src if s.startswith("'sha256-")}
    tool = _csp_tool()
    in_site = tool.inline_script_hashes(web_site)
    missing = {h: page for h, page in in_site.items() if h not in allowed}
    assert not missing, (
        "inline scripts the CSP in deploy/nginx/cardkb-site.conf would block (first page with "
        f"each): {missing}; see 'Upgrading Material' in deploy/README.md")
    assert allowed <= set(in_site), f"hashes no page uses any more: {allowed - set(in_site)}"
    # the offline copy has the same inline scripts (it is served by no one, but stays in step)
    assert set(tool.inline_script_hashes(offline_site)) == set(in_site)
    # and the tool prints exactly the directive the configuration carries
    result = subprocess.run([sys.executable, str(REPO / "deploy" / "csp_hashes.py"),
                             str(web_site)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "script-src " + " ".join(script_src)


def _record_csp_violations(context: Any) -> None:
    context.add_init_script("""
        window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
            window.__cspViolations.push(
                `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                + ` at ${event.sourceFile}:${event.lineNumber}`);
        });
    """)


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def pages_to_check_under_the_csp(site: Path) -> list[Path]:
    """Every hand-written page (its Markdown may hold raw HTML), and a few of each generated kind.

    Pattern and card pages come from one template each, and their text is rendered with raw HTML
    switched off, so a few of each show what all of them do (test_external_requests.py reads
    every page of both builds for anything they would load from outside).
    """
    chosen = []
    for kind in ("patterns", "cards"):
        chosen += sorted((site / kind).glob("*/index.html"))[:3]
    chosen += [page for page in html_pages(site)
               if page.relative_to(site).parts[0] not in {"patterns", "cards", "404.html"}]
    chosen += [page for page in (site / "cards").glob("*/index.html") if is_redirect(page)][:1]
    return chosen


def test_every_kind_of_page_and_the_finder_work_under_the_csp(nginx: Server, web_site: Path,
                                                           browser: Any) -> None:
    with watching(browser, http_credentials=CREDENTIALS) as watch:
        _record_csp_violations(watch.context)
        page = watch.page
        checked = pages_to_check_under_the_csp(web_site)
        assert len(checked) >= 10
        for file in checked:
            relative = file.relative_to(web_site).as_posix()
            visit(page, nginx.base + relative.removesuffix("index.html"), file)
            assert not _violations(page), f"{relative}: {_violations(page)}"
        watch.assert_clean("the site behind nginx")

        # the header box hands its words to the finder, which loads its index, its libraries
        # and its meaning model as scripts of the site, and ranks with no eval
        page.goto(nginx.base)
        results = search(page, FIXTURE_SIGN_QUERY)
        assert f"{nginx.base}patterns/{PRINT_PATTERN}/" in results[:3], results
        assert page.url.startswith(f"{nginx.base}find/?q=")
        assert not _violations(page), _violations(page)
        # cardkb's own script, the sign finder's filter, runs too
        page.goto(nginx.base + "signs/")
        page.fill("#cardkb-filter-input", FIXTURE_SIGN_QUERY)
        assert page.locator(".cardkb-sign-list li:visible").count() == 1
        assert not _violations(page), _violations(page)
        watch.assert_clean("the finder and the sign finder behind nginx")


def test_the_csp_blocks_inline_scripts(nginx: Server, browser: Any) -> None:
    """The negative control: an injected inline script is refused, and the refusal is seen."""
    with watching(browser, http_credentials=CREDENTIALS) as watch:
        _record_csp_violations(watch.context)
        page = watch.page
        page.goto(nginx.base)
        page.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
        }""")
        assert page.evaluate("window.__injected") is None
        assert any(v.startswith("script-src") for v in _violations(page)), _violations(page)
        assert watch.csp_violations, "Chromium reported no CSP violation on the console"


# -- the example server block ---------------------------------------------------------------------


def test_the_example_server_block_is_valid(nginx_executable: str, tmp_path: Path) -> None:
    """example-server.conf, with a throw-away certificate, passes ``nginx -t``."""
    executable = nginx_executable
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a throw-away certificate for nginx -t")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=intranet.example", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    configure(tmp_path, tmp_path, free_port())  # the snippets, with temporary paths
    server = (DEPLOY / "example-server.conf").read_text("utf-8")
    for old, new in [("/etc/ssl/certs/intranet.example.pem", str(cert)),
                     ("/etc/ssl/private/intranet.example.key", str(key)),
                     ("/etc/nginx/snippets/cardkb-site.conf", str(tmp_path / "cardkb-site.conf"))]:
        assert server.count(old) == 1, old
        server = server.replace(old, new)
    (tmp_path / "example-server.conf").write_text(server, "utf-8")
    conf = (tmp_path / "nginx.conf").read_text("utf-8")
    conf = re.sub(r"server \{.*\n    \}\n", f"include {tmp_path}/example-server.conf;\n", conf,
                  flags=re.S)
    (tmp_path / "nginx.conf").write_text(conf, "utf-8")
    checked = subprocess.run([executable, "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf"),
                              "-e", f"{tmp_path}/error.log", "-t", "-q"],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
