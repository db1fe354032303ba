"""Shared pieces of the benchmark scripts: timing figures, a served instance, JSON output."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50/p95/mean in milliseconds of samples given in seconds."""
    return {
        "p50_ms": round(percentile(samples, 50) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2) if samples else float("nan"),
        "count": len(samples),
    }


def run_clients(clients: list[Callable[[], None]]) -> float:
    """Run each client in a thread of its own, all at once; returns the wall-clock seconds."""
    threads = [threading.Thread(target=client) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedInstance:
    """``python -m wiki serve`` on a free loopback port, as a separate process."""

    def __init__(self, instance: Path, threads: int = 8, workers: int = 1):
        self.instance = instance
        self.port = free_port()
        self.threads = threads
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "ServedInstance":
        env = {**os.environ, "TICKETWIKI_INSTANCE": str(self.instance), "PYTHONPATH": str(ROOT)}
        # the server's log goes to a file: a pipe nobody reads fills up and stalls the server
        self.log_path = self.instance / "serve.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wiki", "serve", "--port", str(self.port), "--threads", str(self.threads),
             "--workers", str(self.workers)],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its workers' CPU time can be summed
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/wiki/Main_Page", timeout=30)  # the first request warms up
                return self
            except (requests.ConnectionError, requests.Timeout):
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log_path.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"server did not start within 60 s; its log: {self.log_path}")

    def __exit__(self, *exc) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGTERM)  # the server and every worker it started
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def write_results(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return path
