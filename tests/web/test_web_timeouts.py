"""A client that sends its request body too slowly is answered 408, and nothing is stored."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from web_helpers import config, make_service, post_form, serving

from lapor_core.errors import ValidationError
from lapor_core.service import ComplaintService
from lapor_core.web import WebConfig, create_app, load_web_config

BODY_TIMEOUT = 0.5


@pytest.fixture
def served() -> Iterator[tuple[int, ComplaintService]]:
    service = make_service()
    with serving(create_app(service, config=config(body_timeout=BODY_TIMEOUT))) as port:
        yield port, service


def _head(body: bytes) -> bytes:
    return (
        b"POST /requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )


def _exchange(port: int, head: bytes, body_part: bytes) -> tuple[int, bytes, float]:
    """Send the head and part of the body, then wait: the status, the body, the time taken."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        start = time.monotonic()
        sock.sendall(head + body_part)
        received = b""
        while b"\r\n\r\n" not in received or len(received) < received.find(b"\r\n\r\n") + 4:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        head_end = received.find(b"\r\n\r\n")
        status = int(received.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in received[:head_end].split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(received) < head_end + 4 + length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return status, received[head_end + 4 :], time.monotonic() - start


def test_a_body_sent_too_slowly_is_refused_with_408(served: tuple[int, ComplaintService]) -> None:
    port, service = served
    body = urllib.parse.urlencode(post_form()).encode()
    head = _head(body)
    status, answer, took = _exchange(port, head, body[:20])
    assert 408 == status
    [error] = json.loads(answer)
    assert 408 == error["code"]
    assert "0.5 s" in error["description"]
    assert BODY_TIMEOUT <= took < BODY_TIMEOUT + 5
    assert () == service.store.read_all()


def test_a_body_sent_in_time_is_accepted(served: tuple[int, ComplaintService]) -> None:
    port, service = served
    body = urllib.parse.urlencode(post_form()).encode()
    head = _head(body)
    status, answer, _ = _exchange(port, head, body)
    assert 200 == status, answer
    assert 1 == len(service.store.read_all())


@pytest.mark.parametrize("bad", [0, -1, float("nan"), True, "10"])
def test_the_body_timeout_must_be_a_positive_number(bad: object) -> None:
    with pytest.raises(ValidationError, match="body_timeout"):
        WebConfig(body_timeout=bad)  # type: ignore[arg-type]


def test_the_body_timeout_is_read_from_the_configuration_file() -> None:
    assert 2.5 == load_web_config("body_timeout = 2.5").body_timeout
    with pytest.raises(ValidationError, match="body_timeout"):
        load_web_config("body_timeout = 0")
