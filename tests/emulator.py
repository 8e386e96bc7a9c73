"""Start and stop a moto server process: a real AWS API on loopback, fresh state per server."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}


@dataclass(frozen=True)
class Emulator:
    endpoint: str

    def client(self, service: str):
        config = Config(retries={"max_attempts": 2, "mode": "standard"})
        return boto3.client(service, endpoint_url=self.endpoint, config=config, **CREDENTIALS)


@contextmanager
def emulator(startup_timeout: float = 30.0):
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("emulator_server.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"moto server did not start (exit code {process.poll()})")
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield Emulator(endpoint)
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
