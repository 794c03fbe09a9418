"""`python -m bench <scenario> [--shipments N]`: run one benchmark scenario (or `all`).

Each scenario prints one JSON object (a single line) and a readable table of target vs measured.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.report import Result, log

#: Tiny sizes for `--smoke` (the test suite) and the defaults of the issue's targets.
SMOKE = {
    "quota": 80,
    "throughput": 200,
    "ingest": 2_000,
    "evaluate": 200,
    "memory": 200,
    "responsiveness": 200,
    "push": 5,
}


def main(argv: list[str] | None = None) -> int:
    from bench.scenarios import SCENARIOS

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all", "_memory_child"])
    parser.add_argument(
        "--shipments",
        type=int,
        help="size (for ingest: number of events); default: the issue's size",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, to check the harness works (seconds)"
    )
    parser.add_argument(
        "--cold", action="store_true", help="quota: numbers not registered yet (register + read)"
    )
    parser.add_argument("--cycles", type=int, default=1_000, help="memory: daemon cycles to run")
    parser.add_argument(
        "--tick", type=float, default=30.0, help="memory: simulated seconds between cycles"
    )
    parser.add_argument("--curve", help="evaluate: comma-separated sizes for the cost curve")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON objects")
    args = parser.parse_args(argv)

    if args.scenario == "_memory_child":
        from bench.scenarios import memory_child

        print(json.dumps(memory_child(args.shipments, args.cycles, args.tick)))
        return 0

    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results: list[Result] = []
    for name in names:
        kwargs: dict[str, object] = {}
        size = SMOKE[name] if args.smoke else args.shipments
        if size is not None:
            kwargs["events" if name == "ingest" else "shipments"] = size
        if name == "quota" and args.cold:
            kwargs["cold"] = True
        if name == "memory":
            kwargs["cycles"] = 20 if args.smoke else args.cycles
            kwargs["tick"] = args.tick
        if name == "evaluate":
            if args.curve:
                kwargs["curve"] = tuple(int(x) for x in args.curve.split(","))
            elif args.smoke:
                kwargs["curve"] = (100,)
        if name == "responsiveness" and args.smoke:
            kwargs["runs"] = 1
        log(f"running {name} {kwargs}")
        result = SCENARIOS[name](**kwargs)
        results.append(result)
        if args.json_only:
            print(json.dumps(result.as_json(), default=str), flush=True)
        else:
            result.print()
    if len(results) > 1 and not args.json_only:
        print("== summary ==")
        for result in results:
            for target in result.targets:
                print(
                    f"{result.scenario:<15} {target.name:<45} {target.target:<18} {target.measured:<30} {'met' if target.met else 'MISSED'}"
                )
    return 0 if all(t.met for r in results for t in r.targets) else 1


if __name__ == "__main__":
    sys.exit(main())
