"""Test-wide guards: no test may connect anywhere but this machine's loopback."""

from __future__ import annotations

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(address: object) -> None:
    """Refuse any address outside 127.0.0.0/8, ::1 and Unix sockets."""
    if not isinstance(address, tuple):
        return
    host = str(address[0])
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        if host == "localhost":
            return
        raise OSError(f"test guard: connection to non-loopback host {host!r} refused") from None
    if not ip.is_loopback:
        raise OSError(f"test guard: connection to non-loopback address {host} refused")


def _guarded_connect(self: socket.socket, address: object) -> None:
    """socket.connect, loopback only."""
    _check(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    """socket.connect_ex, loopback only."""
    _check(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection to an address outside 127.0.0.0/8 and ::1."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


def test_guard_refuses_non_loopback() -> None:
    """The guard itself: a connection to a public address is refused before any packet."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match="test guard"):
            _guarded_connect(s, ("192.0.2.1", 80))
    finally:
        s.close()
