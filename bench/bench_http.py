"""
HTTP benchmark: the GeoReport v2 server on loopback, under a bounded load.

    python bench/bench_http.py [--smoke] [--clients N] [--workers N] [--stored N ...]
                               [--store URL]

The server is ``lapor-core serve`` (``lapor_core.web`` with uvicorn) in a process of
its own, on 127.0.0.1, over a SQLite file. The clients are keep-alive sockets in
threads (``--clients``, default 4) that send a request prepared once and read the
response by its ``Content-Length``: a light load generator, so that the two cores go
to the server. Each sends its share of a fixed number of requests: a bounded load, no
more requests in flight than there are clients. Guards (``[PASS]``/``[FAIL]``; the
policy is in ``_guards.py``):

- **POST over HTTP**: ``POST requests.json`` (form-encoded, with an API key) at least 0.5x
  the rate of the same submissions through ``ComplaintService.handle`` directly (one
  thread), on a store of the same kind (its own SQLite file), with one server worker per
  processor (``--workers``). The two rates are measured in turn, in three rounds (one
  with ``--smoke``), and the guard takes the median of the rounds' ratios: the machine's
  speed drifts by a third within minutes, so a rate is compared with the one measured
  just before it. Each client reconnects every 100 POSTs (as a client does when its
  keep-alive times out): uvicorn's workers accept from one listening socket, a
  connection stays with the worker that accepted it, and of four connections opened as
  soon as the server answered, all four went to one worker in three tries of three (the
  other was still starting), and two seconds later three of the four did, twice;
- **GET requests.json** (the default 90-day window, the 1,000 cap) with a p99 under 100 ms
  at 100,000 and at 1,000,000 stored complaints, submitted over the year before now (so
  about a quarter are in the window, and the cap applies).

``--store postgresql://...`` runs the POST comparison on that store instead (both
``handle`` directly and the server); the GETs stay on SQLite files of their own, which
they fill.

Information (``[info]``): the p50 of each GET, each round's rates, and on SQLite each
round's ratio with one server worker (``lapor-core serve``'s default). ``--smoke`` posts 200
requests and stores 2,000 complaints, where a guard that does not hold is a ``[MISS]``.
A full run posts 2,000 and fills the stores through ``ComplaintService.batch``
(1,000,000 complaints take minutes to write).

Only the public API is used: the service, the store, the ``serve`` command.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

import lapor_core as lc
from _guards import Verdicts
from lapor_core.interop.open311 import submit_from_request
from lapor_core.service import ComplaintService
from lapor_core.storage import open_store
from lapor_core.web import hash_api_key

POST_RATIO = 0.5
RECONNECT_EVERY = 100  # POSTs per connection: see the module's docstring
GET_P99_MS = 100.0
KEY = "kunci-bench"
CLIENT = lc.Actor.system("bench")
FORM = {
    "api_key": KEY,
    "service_code": "infrastruktur",
    "description": "Jalan berlubang\nJalan di depan pasar berlubang besar.",
    "address_string": "Jl. Pasar, Samarinda",
    "email": "warga@example.org",
}


def _service(url: str) -> ComplaintService:
    return ComplaintService(
        open_store(url), lc.load_profile("national"), lc.load_registry("kaltim")
    )


def _sqlite(path: Path) -> str:
    return f"sqlite:///{path}"


class Server:
    """``lapor-core serve`` on a store (its settings beside *path*), on a free port."""

    def __init__(self, url: str, path: Path, workers: int = 1) -> None:
        """Start serving; :meth:`stop` ends it."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.root = f"http://127.0.0.1:{port}"
        settings = path.with_suffix(".toml")
        settings.write_text(
            f'rate_limit = ""\n[[api_keys]]\nsha256 = "{hash_api_key(KEY)}"\nactor = "bench"\n',
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "lapor_core", "serve", "--store", url]
        command += ["--config", str(settings), "--port", str(port), "--workers", str(workers)]
        self.process = subprocess.Popen(command)  # noqa: S603 - our own command
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("lapor-core serve stopped")
            try:
                httpx.get(f"{self.root}/discovery.json", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("lapor-core serve did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server process."""
        self.process.terminate()
        self.process.wait(timeout=30)


def direct_rate(url: str, count: int) -> float:
    """Submissions per second through ``ComplaintService.handle`` (one thread)."""
    service = _service(url)
    form = {k: v for k, v in FORM.items() if k != "api_key"}
    run = uuid.uuid4().hex[:12]  # a store that outlives the run (PostgreSQL) gets new ids
    commands = [
        submit_from_request(
            form, complaint_id=lc.ComplaintId(f"d{run}{i:07d}"), profile=service.profile
        )
        for i in range(count)
    ]
    start = time.perf_counter()
    for command in commands:
        service.handle(command, CLIENT)
    elapsed = time.perf_counter() - start
    service.store.close()
    return count / elapsed


class Connection:
    """One keep-alive HTTP/1.1 connection that sends prepared requests and reads answers."""

    def __init__(self, root: str) -> None:
        """Connect to the server at *root* (``http://host:port``)."""
        self.address = urllib.parse.urlsplit(root)
        self.sock = self._connect()
        self.pending = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.address.hostname, self.address.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def reconnect(self) -> None:
        """Close the socket and open a new one (the server may give it to another worker)."""
        self.sock.close()
        self.sock = self._connect()
        self.pending = b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send *request*; the status code and body of the response."""
        self.sock.sendall(request)
        data = self.pending
        while b"\r\n\r\n" not in data:
            data += self._recv()
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._recv()
        self.pending = rest[length:]
        return status, rest[:length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        return chunk

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()


def _in_threads(
    root: str, clients: int, work: Callable[[Connection, int], None], each: int
) -> float:
    """Seconds for *clients* threads to run ``work(connection, each)``, one connection each."""
    errors: list[BaseException] = []

    def run() -> None:
        connection = Connection(root)
        try:
            work(connection, each)
        except BaseException as exc:  # noqa: BLE001 - reported after the threads end
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def http_rate(url: str, path: Path, count: int, clients: int, workers: int) -> float:
    """``POST requests.json`` per second over loopback, *clients* at a time."""
    server = Server(url, path, workers)
    each = count // clients
    body = urllib.parse.urlencode(FORM).encode("ascii")
    host = urllib.parse.urlsplit(server.root).netloc
    request = (
        f"POST /requests.json HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body

    def post(connection: Connection, n: int) -> None:
        for i in range(n):
            if i and i % RECONNECT_EVERY == 0:
                connection.reconnect()
            status, text = connection.exchange(request)
            if status != 200:
                raise RuntimeError(f"POST answered {status}: {text!r}")

    try:
        elapsed = _in_threads(server.root, clients, post, each)
    finally:
        server.stop()
    return each * clients / elapsed


def fill(service: ComplaintService, complaints: int, now: datetime) -> None:
    """*complaints* submissions spread over the year before *now*, oldest first."""
    step = timedelta(days=365) / complaints
    form = {k: v for k, v in FORM.items() if k != "api_key"}
    template = submit_from_request(form, complaint_id=lc.ComplaintId("x"), profile=service.profile)
    done = 0
    while done < complaints:
        with service.batch():
            for i in range(done, min(done + 10_000, complaints)):
                command = lc.Submit(
                    complaint_id=lc.ComplaintId(f"s{i:08d}"),
                    content=template.content,
                    kind=template.kind,
                    reporter=template.reporter,
                    channel=template.channel,
                    privacy=template.privacy,
                    category=template.category,
                )
                service.handle(command, CLIENT, now=now - timedelta(days=365) + step * i)
        done = min(done + 10_000, complaints)


def get_latencies(path: Path, complaints: int, samples: int) -> tuple[float, float, int]:
    """p50 and p99 (ms) of ``GET requests.json`` at *complaints* stored, and its size."""
    service = _service(_sqlite(path))
    fill(service, complaints, datetime.now(UTC) - timedelta(minutes=1))
    service.store.close()
    server = Server(_sqlite(path), path)
    timings: list[float] = []
    size = 0
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(samples):
                start = time.perf_counter()
                response = client.get(f"{server.root}/requests.json")
                timings.append((time.perf_counter() - start) * 1000)
                size = len(response.json())
    finally:
        server.stop()
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return cuts[49], cuts[98], size


def post_comparison(verdicts: Verdicts, folder: Path, args: argparse.Namespace, posts: int) -> None:
    """``handle`` directly against ``POST requests.json``, in turn; the median round's ratio."""
    sqlite = args.store is None
    kind = "SQLite" if sqlite else args.store.partition("://")[0]
    print(
        f"POST requests.json on {kind}: {posts} submissions, {args.clients} HTTP clients, "
        f"{args.workers} server workers"
    )
    direct, over_http, default = [], [], []
    for round_ in range(1 if args.smoke else 3):

        def store(name: str, round_: int = round_) -> tuple[str, Path]:
            path = folder / f"{name}-{round_}.sqlite3"
            return args.store or _sqlite(path), path

        direct.append(direct_rate(store("direct")[0], posts))
        url, path = store("http")
        over_http.append(http_rate(url, path, posts, args.clients, args.workers))
        if sqlite:
            url, path = store("default")
            default.append(http_rate(url, path, posts, args.clients, 1))
    rates = ", ".join(f"{rate:,.0f}" for rate in direct)
    verdicts.info("ComplaintService.handle directly", f"{rates} submissions/s")
    rates = ", ".join(f"{rate:,.0f}" for rate in over_http)
    verdicts.info("POST over HTTP", f"{rates} submissions/s")
    if sqlite:
        ratios = ", ".join(f"{h / d:.2f}x" for h, d in zip(default, direct, strict=True))
        verdicts.info("POST over HTTP, one server worker, each round", ratios)
    ratio = statistics.median(h / d for h, d in zip(over_http, direct, strict=True))
    verdicts.guard(
        f"POST over HTTP >= {POST_RATIO}x handle (the median round)",
        ratio >= POST_RATIO,
        f"{ratio:.2f}x",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a guard fails in a full run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--smoke", action="store_true", help="a small, quick run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="server worker processes (default: one per processor)",
    )
    parser.add_argument(
        "--stored",
        type=int,
        action="append",
        help="stored complaints for the GET (repeatable; default 100,000 and 1,000,000)",
    )
    parser.add_argument(
        "--store",
        help="the store of the POST comparison (default: SQLite files of its own), "
        "e.g. postgresql://user@host/db",
    )
    args = parser.parse_args(argv)
    verdicts = Verdicts(smoke=args.smoke)
    posts = 200 if args.smoke else 2_000
    sizes = args.stored or ([2_000] if args.smoke else [100_000, 1_000_000])
    samples = 10 if args.smoke else 50
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        post_comparison(verdicts, folder, args, posts)
        for size in sizes:
            p50, p99, returned = get_latencies(folder / f"get-{size}.sqlite3", size, samples)
            print(f"GET requests.json at {size:,} stored complaints ({returned} returned)")
            verdicts.info("p50", f"{p50:.1f} ms")
            verdicts.guard(f"p99 < {GET_P99_MS:.0f} ms", p99 < GET_P99_MS, f"{p99:.1f} ms")
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
