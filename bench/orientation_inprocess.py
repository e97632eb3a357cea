"""CPU time per request of the routes of bench/orientation.py, in one process, no HTTP.

    .venv/bin/python bench/orientation_inprocess.py DATABASE.sqlite [--requests 400]
        [--routes static,healthz,api,results,programme] [--profile DIR]

Calls the WSGI application directly (as gunicorn does, production settings, no
compression asked: the bench's client sends no Accept-Encoding) with the queries of
``bench/orientation.py`` against a database it built (``--sqlite-file``), and prints
the CPU time of this process per request for each route (the best of three passes,
every thread of the process counted: background checks and log flushes included).
CPU time rather than wall time, so that the figures hold on a busy machine; with
``--profile DIR`` it writes a cProfile file per route there instead and prints the
number of Python calls per request (a count, not a time).
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ROUTES = ("static", "healthz", "api", "results", "programme")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database", help="an SQLite file built by bench/orientation.py")
    parser.add_argument("--requests", type=int, default=400, help="per pass and route")
    parser.add_argument("--routes", default=",".join(ROUTES))
    parser.add_argument("--profile", help="a folder for one cProfile file per route")
    args = parser.parse_args(argv)

    from bench.orientation import FROZEN_NOW, _communes_for_queries, _queries

    url = f"sqlite:///{Path(args.database).resolve()}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key",
            "RATELIMIT_ENABLED": "0",
            "BASE_URL": "http://127.0.0.1:5000",
            "ETP_FROZEN_NOW": FROZEN_NOW,
        }
    )
    queries = _queries(_communes_for_queries(url), 400)

    from werkzeug.test import EnvironBuilder

    from etp_orient import create_app

    app = create_app()

    def call(path: str) -> tuple[str, bytes]:
        base, _, query = path.partition("?")
        environ = EnvironBuilder(
            path=base,
            query_string=query or None,
            base_url="http://127.0.0.1:5000",
            headers={"User-Agent": "Python-urllib/3.11"},
        ).get_environ()
        status: list[str] = []
        answer = app(environ, lambda s, h, e=None: status.append(s))
        body = b"".join(answer)
        if hasattr(answer, "close"):
            answer.close()
        return status[0], body

    codes: list[str] = []
    for q in queries[:60]:
        status, body = call(f"/api/v1/orientation?{q}")
        if status.startswith("200"):
            for item in json.loads(body)["results"][:3]:
                if item["programme"] not in codes:
                    codes.append(item["programme"])
    home = call("/")[1].decode()
    found = re.search(r'(/static/[^"?]*logo[^"]*\.svg[^"]*)"', home)
    static = found.group(1).replace("&amp;", "&") if found else "/static/img/logo.svg"
    routes = {
        "static": [static],
        "healthz": ["/healthz"],
        "api": [f"/api/v1/orientation?{q}" for q in queries],
        "results": [f"/orientation/resultats?{q}" for q in queries],
        "programme": [f"/programmes/{c}" for c in codes or ["unknown"]],
    }
    wanted = [r for r in args.routes.split(",") if r in routes]
    for name in wanted:  # warm: indexes built, dates remembered
        for path in routes[name][: args.requests]:
            call(path)
    n = args.requests
    for name in wanted:
        paths = routes[name]
        profile = cProfile.Profile() if args.profile else None
        best = None
        statuses: dict[str, int] = {}
        for _pass in range(3):
            if profile:
                profile.enable()
            started = time.process_time()
            for i in range(n):
                status = call(paths[i % len(paths)])[0][:3]
                statuses[status] = statuses.get(status, 0) + 1
            spent = (time.process_time() - started) / n * 1000
            if profile:
                profile.disable()
            best = spent if best is None else min(best, spent)
        if profile:
            target = Path(args.profile) / f"{name}.prof"
            target.parent.mkdir(parents=True, exist_ok=True)
            profile.dump_stats(target)
            calls = pstats.Stats(str(target)).total_calls / (3 * n)
            print(f"  {name:<10}{calls:>9.0f} Python calls/request  {statuses}", flush=True)
        else:
            print(f"  {name:<10}{best:>8.3f} ms CPU/request  {statuses}", flush=True)


if __name__ == "__main__":
    main()
