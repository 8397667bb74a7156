"""Citizens of many cities against two web hosts (the load of tests/reliability/test_multihost.py).

Run inside the lab's `client` host (standard library only):

    python tests/reliability/multihost_load.py CONFIG.json RESULT.json

CONFIG: {"targets": ["10.91.0.14:8000", ...], "cities": [{"host", "marker", "display_name"}],
"paths": [...], "seconds": S, "concurrency": C}. C threads, each a citizen going round the cities
and pages, send GETs to the web hosts in turn, as a load balancer would: a connection refused
(nothing was sent: the host is down) goes to the next host at once and the dead host is left out
from then on; any other failure (a reset, a timeout, a 5xx, a 429) is an error of that request.

An answer is cross-city when it carries another city's marker (`MARK<nnn>X`), or when the city's
own page lacks its marker (`/servicos/`) or its name (`/`).

RESULT: every request's start and end (time.monotonic(), one clock for every process of the
machine), web host, outcome; the failures in full; counts and latencies. The test decides which
failures were in flight when it killed a host.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import sys
import threading
import time
from html import unescape
from pathlib import Path
from typing import Any

MARKER = re.compile(r"MARK\d{3}X")
WARM_SECONDS = 180


def warm(
    targets: list[str], cities: list[dict[str, str]], paths: list[str], concurrency: int, fetch: Any
) -> None:
    """Before the clock starts: every web host answers, and every page of every city has been
    asked once of each host (gunicorn's workers have loaded the app, the first renders are done)."""
    deadline = time.monotonic() + WARM_SECONDS
    for target in targets:
        while True:
            with contextlib.suppress(OSError):  # refused while gunicorn starts: ask again
                if fetch(target, {"host": "localhost"}, "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                sys.exit(f"{target} did not answer in {WARM_SECONDS} s")
            time.sleep(0.2)
    work = [(target, city, path) for target in targets for city in cities for path in paths]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not work:
                    return
                target, city, path = work.pop()
            fetch(target, city, path)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main(config_path: Path, result_path: Path) -> None:
    config = json.loads(config_path.read_text())
    targets: list[str] = list(config["targets"])
    cities: list[dict[str, str]] = config["cities"]
    paths: list[str] = config["paths"]
    seconds: float = config["seconds"]
    down: set[str] = set()
    lock = threading.Lock()
    requests: list[tuple[float, float, str, str]] = []  # start, end, target, outcome ("ok" or why)
    failures: list[dict[str, Any]] = []
    crossed: list[dict[str, Any]] = []
    failovers = [0]
    turn = [0]

    def next_target(avoid: str | None) -> str | None:
        with lock:
            alive = [target for target in targets if target not in down and target != avoid]
            if not alive:
                return None
            turn[0] += 1
            return alive[turn[0] % len(alive)]

    def check(city: dict[str, str], path: str, body: str) -> str:
        found = set(MARKER.findall(body))
        if found - {city["marker"]}:
            return f"other city's marker {sorted(found - {city['marker']})}"
        if path.startswith("/servicos") and city["marker"] not in found:
            return "own marker missing"
        if path == "/" and city["display_name"] not in unescape(body):
            return "own name missing"
        return ""

    def fetch(target: str, city: dict[str, str], path: str) -> tuple[int, str]:
        host, port = target.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.request("GET", path, headers={"Host": city["host"], "Connection": "close"})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def citizen(index: int) -> None:
        step = index
        while time.monotonic() < stop:
            city = cities[step % len(cities)]
            path = paths[(step // len(cities)) % len(paths)]
            step += 1
            target = next_target(None)
            if target is None:
                return
            started = time.monotonic()
            outcome = "ok"
            while True:
                try:
                    status, body = fetch(target, city, path)
                except ConnectionRefusedError:
                    # nothing was sent: what a load balancer retries on the next host
                    with lock:
                        down.add(target)
                        failovers[0] += 1
                    target = next_target(target)
                    if target is None:
                        outcome = "no web host left"
                        break
                    continue
                except (OSError, http.client.HTTPException) as error:
                    outcome = f"{type(error).__name__}: {error}"
                    break
                if status >= 500 or status == 429:
                    outcome = f"HTTP {status}"
                elif status == 200:
                    wrong = check(city, path, body)
                    if wrong:
                        with lock:
                            crossed.append(
                                {"host": city["host"], "path": path, "target": target, "why": wrong}
                            )
                break
            ended = time.monotonic()
            with lock:
                requests.append((started, ended, target or "", outcome))
                if outcome != "ok":
                    failures.append(
                        {
                            "start": started,
                            "end": ended,
                            "target": target,
                            "host": city["host"],
                            "why": outcome,
                        }
                    )

    warm(targets, cities, paths, config["concurrency"], fetch)
    began = time.monotonic()
    stop = began + seconds
    print(f"started {began}", flush=True)
    threads = [threading.Thread(target=citizen, args=(index,)) for index in range(config["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = time.monotonic()
    result_path.write_text(
        json.dumps(
            {
                "began": began,
                "ended": ended,
                "requests": requests,
                "failures": failures,
                "crossed": crossed,
                "failovers": failovers[0],
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
