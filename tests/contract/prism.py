"""Prism serving Codat's official spec: starting it, and reading what it says about each request.

Prism checks every request against the spec and reports what it dislikes in the `sl-violations`
response header (a JSON list), including problems with its own example responses.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[2]
PRISM = REPO / "node_modules" / ".bin" / "prism"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class SpecOperation:
    operation_id: str
    method: str
    path: str
    pattern: re.Pattern[str]


def load_spec_operations(path: Path) -> tuple[SpecOperation, ...]:
    """Every operation in the spec with a regex matching its (raw, percent-encoded) path."""
    spec = yaml.safe_load(path.read_text())
    operations = []
    for template, item in spec["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        for method in HTTP_METHODS:
            if method in item:
                operations.append(
                    SpecOperation(item[method]["operationId"], method.upper(), template, pattern)
                )
    return tuple(operations)


@dataclass
class Exchange:
    """One request the client sent to Prism and what Prism made of it."""

    step: str
    operation_id: str | None
    method: str
    raw_path: str
    status: int
    idempotency_key: str | None
    violations: list[dict[str, Any]]


@dataclass
class PrismLog:
    """Collects every response from Prism, through the client's httpx event hooks."""

    operations: tuple[SpecOperation, ...]
    exchanges: list[Exchange] = field(default_factory=list)
    step: str = "-"
    prefer: str | None = None

    def operation_for(self, method: str, raw_path: str) -> str | None:
        for operation in self.operations:
            if operation.method == method and operation.pattern.match(raw_path):
                return operation.operation_id
        return None

    def on_request(self, request: httpx.Request) -> None:
        # Prism's `Prefer` header picks a named example or forces a documented status code.
        if self.prefer:
            request.headers["Prefer"] = self.prefer

    def on_response(self, response: httpx.Response) -> None:
        request = response.request
        raw_path = request.url.raw_path.decode().split("?", 1)[0]
        header = response.headers.get("sl-violations")
        self.exchanges.append(
            Exchange(
                step=self.step,
                operation_id=self.operation_for(request.method, raw_path),
                method=request.method,
                raw_path=raw_path,
                status=response.status_code,
                idempotency_key=request.headers.get("Idempotency-Key"),
                violations=json.loads(header) if header else [],
            )
        )

    def calls_by_operation(self) -> Counter[str]:
        return Counter(exchange.operation_id or "(no operation)" for exchange in self.exchanges)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    # Prism runs in its own process group (start_new_session), so this reaches only what we started.
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> str | None:
    """None once Prism answers HTTP, else why it never did."""
    deadline = time.monotonic() + STARTUP_SECONDS
    auth = {"Authorization": "Basic " + base64.b64encode(b"ready-check").decode()}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"exited with {process.returncode}: {log.read_text()[-2000:]}"
        try:
            httpx.get(f"{url}/companies", headers=auth, timeout=1.0)
        except httpx.TransportError:
            time.sleep(0.2)
        else:
            return None
    return f"did not answer within {STARTUP_SECONDS} s: {log.read_text()[-2000:]}"
