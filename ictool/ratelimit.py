"""Rate limits: a join token or a bearer token cannot be guessed by brute force, and one
client cannot flood the API.

Two token buckets per client address, kept in this process's memory:
- failures: a /join link or a bearer token that matched nobody (and a socket that connected
  with a bad token) costs one; with none left every failed sign-in attempt from that
  address gets 429 with Retry-After until the bucket refills (RATE_LIMIT_FAILURES per
  minute). A valid token is never refused: phones behind one NAT share an address with
  whoever is guessing, and a pause must get through.
- api: every /api request costs one (RATE_LIMIT_API per minute, bursts up to that many),
  counted per signed-in person, else per address (phones behind one NAT stay apart).
  Safety actions (NEVER_LIMITED: a pause or concern, a consent withdrawal, an AD handling
  an alert) cost nothing and are never refused.

In-process on purpose: no extra service on a set, and behind nginx with `ip_hash` one
address always reaches the same process, so its buckets are all in one place. Behind a
proxy set PROXY_HOPS so `remote_addr` is the phone's address, not nginx's.
"""

import math
import threading
import time

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from ictool import people
from ictool.auth import bearer_token, current_person
from ictool.db import get_db

MAX_KEYS = 10_000  # buckets kept per kind; full ones are forgotten first
# Safety actions are never refused for being one request too many (retries are idempotent
# by client_id): a pause or concern, a consent withdrawal, the AD or IC handling an alert.
NEVER_LIMITED = {
    "alerts_api.raise_alert",
    "alerts_api.acknowledge",
    "alerts_api.acknowledge_sender",
    "alerts_api.resolve",
    "scenes_api.consent_withdraw",
}


class Bucket:
    """A token bucket: `capacity` tokens, refilled at `capacity` per `period` seconds."""

    __slots__ = ("tokens", "stamp")

    def __init__(self, capacity: float, stamp: float) -> None:
        self.tokens, self.stamp = capacity, stamp


class Limiter:
    """Token buckets by key, safe across threads and greenlets."""

    def __init__(self, capacity: int, period: float = 60.0) -> None:
        self.capacity, self.rate = float(capacity), capacity / period
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_full(now)
            bucket = self._buckets[key] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        return bucket

    def _forget_full(self, now: float) -> None:
        for key, b in list(self._buckets.items()):
            if b.tokens + (now - b.stamp) * self.rate >= self.capacity:
                del self._buckets[key]
        if len(self._buckets) >= MAX_KEYS:  # all busy: drop the oldest half
            for key in sorted(self._buckets, key=lambda k: self._buckets[k].stamp)[: MAX_KEYS // 2]:
                del self._buckets[key]

    def retry_after(self, key: str) -> int:
        """Seconds until `key` has a token again; 0 when it has one now."""
        with self._lock:
            bucket = self._bucket(key, time.monotonic())
            return 0 if bucket.tokens >= 1 else max(1, math.ceil((1 - bucket.tokens) / self.rate))

    def hit(self, key: str) -> int:
        """Spend one token of `key`; returns 0, or the seconds to wait when none was left."""
        with self._lock:
            bucket = self._bucket(key, time.monotonic())
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return max(1, math.ceil((1 - bucket.tokens) / self.rate))


def client_address() -> str:
    """The address limits are counted against (the phone's, once PROXY_HOPS is set)."""
    return request.remote_addr or "unknown"


def _limiters() -> tuple[Limiter, Limiter]:
    return current_app.extensions["ictool.ratelimit"]


def _too_many(seconds: int, message: str) -> TooManyRequests:
    return TooManyRequests(description=message, retry_after=seconds)  # sets Retry-After


def _is_sign_in_attempt() -> bool:
    return request.endpoint == "join.join" or bearer_token() is not None


def _valid_sign_in() -> bool:
    """Does this sign-in attempt carry a live token (then no limiter may refuse it)?"""
    if request.endpoint == "join.join":
        token = (request.view_args or {}).get("token")
        return isinstance(token, str) and people.by_token(get_db(), token) is not None
    return current_person() is not None


def _before() -> None:
    if not current_app.config["RATE_LIMITS"]:
        return
    failures, api = _limiters()
    key = client_address()
    if _is_sign_in_attempt():
        wait = failures.retry_after(key)
        if wait and not _valid_sign_in():  # only failures are counted, only guesses refused
            raise _too_many(wait, "Too many sign-in attempts. Wait a minute and try again.")
    if request.path.startswith("/api/") and request.endpoint not in NEVER_LIMITED:
        person = current_person()  # looked up once per request; the view reuses it
        wait = api.hit(f"person:{person['id']}" if person else key)
        if wait:
            raise _too_many(wait, "Too many requests. Wait a moment and try again.")


def _after(response):
    if current_app.config["RATE_LIMITS"]:
        join_failed = request.endpoint == "join.join" and response.status_code == 403
        bearer_failed = bearer_token() is not None and response.status_code == 401
        if join_failed or bearer_failed:
            record_failure()
    return response


def sign_in_blocked(key: str | None = None) -> bool:
    """Whether sign-ins from this address are refused for now (a setup link)."""
    if not current_app.config["RATE_LIMITS"]:
        return False
    return _limiters()[0].retry_after(key or client_address()) > 0


def record_failure(key: str | None = None) -> None:
    """Count one failed sign-in (an unknown join link or token) against an address."""
    if current_app.config["RATE_LIMITS"]:
        _limiters()[0].hit(key or client_address())


def init_app(app: Flask) -> None:
    """Make the buckets, trust PROXY_HOPS proxies, and check every request."""
    app.extensions["ictool.ratelimit"] = (
        Limiter(int(app.config["RATE_LIMIT_FAILURES"])),
        Limiter(int(app.config["RATE_LIMIT_API"])),
    )
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(_before)
    app.after_request(_after)
