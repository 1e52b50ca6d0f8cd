#!/usr/bin/env python3
"""Times the CEL benchmark expressions of `loupe cel bench` through cel-python (celpy) and
cel-expr-python (Google's cel-cpp binding), in the same run as Loupe, and prints the ratios.

    pip install cel-python cel-expr-python
    python3 scripts/bench/cel-python-compare.py [LOUPE_BINARY] [ITERATIONS]

The Python figures include Python's own call overhead (building the activation, crossing into
the library), which Loupe's in-process figures do not; the ratios say how a rule author's
Python tooling compares, not how the libraries' cores do.
"""
import json
import subprocess
import sys
import time

loupe = sys.argv[1] if len(sys.argv) > 1 else ".build/release/loupe"
iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 20000

# The same event and expressions as Sources/LoupeCEL/Benchmark/CELBenchmark.swift.
names = [f"process-name-{i}" for i in range(120)]
list_literal = "[" + ", ".join(f'"{n}"' for n in names) + "]"
matching = {"comm": "nc", "args": ["nc", "-l", "-p", "-e"], "name": names[119]}
other = {"comm": "ls", "args": ["ls", "-l", "/tmp", "-a"], "name": "bash"}
exists = 'event.comm == "nc" && event.args.exists(a, a.startsWith("-e"))'
cases = [
    ("exists: comm matches", exists, matching),
    ("exists: comm differs", exists, other),
    ("in 120 constants: hit", f"event.name in {list_literal}", matching),
    ("in 120 constants: miss", f"event.name in {list_literal}", other),
]


def timed(function, count):
    function()  # warm-up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter_ns()
        for _ in range(count):
            function()
        best = min(best, (time.perf_counter_ns() - start) / count)
    return best


def celpy_times():
    import celpy
    env = celpy.Environment()
    results = {}
    for label, expression, event in cases:
        program = env.program(env.compile(expression))
        activation = {"event": celpy.json_to_cel(event)}
        assert bool(program.evaluate(activation)) == label.endswith(("matches", "hit"))
        results[label] = timed(lambda: program.evaluate(activation), max(1, iterations // 20))
    return results


def cel_expr_times():
    from cel_expr_python import cel
    env = cel.NewEnv(variables={"event": cel.Type.DYN})
    results = {}
    for label, expression, event in cases:
        compiled = env.compile(expression)
        activation = env.Activation({"event": event})
        assert bool(compiled.eval(activation).value()) == label.endswith(("matches", "hit"))
        results[label] = timed(lambda: compiled.eval(activation), iterations)
    return results


def loupe_times():
    output = subprocess.run(
        [loupe, "cel", "bench", "--json", "--runs", "5"], check=True, capture_output=True, text=True
    ).stdout
    results = {}
    for line in output.splitlines():
        record = json.loads(line)
        results[record["name"]] = record["median_ns"]
    return results


loupe_ns = loupe_times()
celpy_ns = celpy_times()
cel_expr_ns = cel_expr_times()
print(f"{'expression':26} {'loupe':>10} {'cel-expr-python':>16} {'ratio':>7} {'cel-python':>12} {'ratio':>8}")
for label, _, _ in cases:
    ours = loupe_ns.get(label)
    if ours is None:
        print(f"{label:26} (not in loupe cel bench output)")
        continue
    print(
        f"{label:26} {ours:8.1f}ns {cel_expr_ns[label]:14.1f}ns {cel_expr_ns[label] / ours:6.1f}x "
        f"{celpy_ns[label]:10.0f}ns {celpy_ns[label] / ours:7.0f}x"
    )
