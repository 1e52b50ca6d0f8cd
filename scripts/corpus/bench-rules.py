#!/usr/bin/env python3
"""Runs `loupe bench rules` on every corpus scenario, as `loupe corpus verify` replays it (the
scenario's loupe.yaml and profiles/), and sums the figures up for the whole corpus.

    scripts/corpus/bench-rules.py [--loupe PATH] [--runs N] [--json] [CORPUS_DIR]

Per scenario: records, alerts, median replay records/s. For the corpus: records and alerts in
all, and records/s as total records over total replay time (each capture's time is its records
over its median rate). Per rule: evaluations in all, mean ns weighted by evaluations, the largest
per-capture p99 and the smallest min. Percentiles of different captures cannot be merged, so no
corpus-wide p50 is given. Use a release build; each figure includes one clock read (reported).
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=os.path.join(ROOT, "corpus"))
    parser.add_argument("--loupe", default=os.path.join(ROOT, ".build-corpus", "release", "loupe"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    args = parser.parse_args()

    scenarios = sorted(
        name
        for name in os.listdir(args.corpus)
        if os.path.isdir(os.path.join(args.corpus, name, "capture"))
    )
    if not scenarios:
        sys.exit(f"no scenarios under {args.corpus}")
    results = []
    for name in scenarios:
        directory = os.path.join(args.corpus, name)
        command = [args.loupe, "bench", "rules", os.path.join(directory, "capture"), "--runs", str(args.runs), "--json"]
        config = os.path.join(directory, "loupe.yaml")
        if os.path.isfile(config):
            command += ["--config", config]
        profiles = os.path.join(directory, "profiles")
        if os.path.isdir(profiles):
            command += ["--profiles", profiles]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output)
        result["scenario"] = name
        results.append(result)

    records = sum(r["records"] for r in results)
    alerts = sum(r["alerts"] for r in results)
    seconds = sum(r["records"] / r["replayRecordsPerSecond"]["median"] for r in results)
    rules = {}
    for r in results:
        for rule in r["rules"]:
            entry = rules.setdefault(rule["id"], {"evaluations": 0, "ns": 0.0, "p99": 0, "min": None})
            entry["evaluations"] += rule["evaluations"]
            entry["ns"] += rule["meanNs"] * rule["evaluations"]
            entry["p99"] = max(entry["p99"], rule["p99Ns"])
            entry["min"] = rule["minNs"] if entry["min"] is None else min(entry["min"], rule["minNs"])
    total_ns = sum(e["ns"] for e in rules.values())
    summary = {
        "scenarios": len(results),
        "records": records,
        "alerts": alerts,
        "replayRecordsPerSecond": round(records / seconds),
        "slowestScenario": min(results, key=lambda r: r["replayRecordsPerSecond"]["median"])["scenario"],
        "fastestScenario": max(results, key=lambda r: r["replayRecordsPerSecond"]["median"])["scenario"],
        "clockReadNanoseconds": max(r["clockReadNanoseconds"] for r in results),
        "rules": [
            {
                "id": rule,
                "evaluations": e["evaluations"],
                "meanNs": round(e["ns"] / e["evaluations"], 1),
                "maxP99Ns": e["p99"],
                "minNs": e["min"],
                "share": round(e["ns"] / total_ns, 4),
            }
            for rule, e in sorted(rules.items(), key=lambda item: -item[1]["ns"])
        ],
        "perScenario": [
            {
                "scenario": r["scenario"],
                "records": r["records"],
                "alerts": r["alerts"],
                "replayRecordsPerSecond": r["replayRecordsPerSecond"]["median"],
            }
            for r in results
        ],
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    print(f"{len(results)} scenarios, {records} records, {alerts} alerts, {args.runs} runs each after 1 warm-up")
    print(f"replay (all scenarios, median runs)  {summary['replayRecordsPerSecond'] / 1e6:.2f} M records/s")
    slow = min(results, key=lambda r: r["replayRecordsPerSecond"]["median"])
    fast = max(results, key=lambda r: r["replayRecordsPerSecond"]["median"])
    print(
        f"per scenario: {slow['replayRecordsPerSecond']['median'] / 1e6:.2f} ({slow['scenario']}) to "
        f"{fast['replayRecordsPerSecond']['median'] / 1e6:.2f} ({fast['scenario']}) M records/s"
    )
    print(f"clock read {summary['clockReadNanoseconds']} ns, included in each figure below")
    print(f"{'rule':<8} {'evaluations':>11} {'min':>7} {'mean':>8} {'max p99':>8} {'share':>7}")
    for rule in summary["rules"]:
        print(
            f"{rule['id']:<8} {rule['evaluations']:>11} {rule['minNs']:>7} {rule['meanNs']:>8.1f} "
            f"{rule['maxP99Ns']:>8} {rule['share'] * 100:>6.1f}%"
        )
    print("(ns per evaluation)")


if __name__ == "__main__":
    main()
