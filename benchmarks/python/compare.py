"""Runs the same workloads on Futures (.NET) and CPython's concurrent.futures, prints one
table with ratios, and draws benchmarks/throughput.svg (throughput against worker count).

    python3 benchmarks/python/compare.py [tasks=100000]

Python is needed only by this script. The .NET side is benchmarks/Futures.Benchmarks --compare.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HIGHER_IS_BETTER = {"tasks/s", "items/s", "MB/s"}


def run(cmd):
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            rows[(r["name"], r["workers"])] = r
    return rows


def table(dotnet, python):
    keys = sorted(set(dotnet) | set(python))
    lines = ["| workload | workers | Futures (.NET) | CPython | Futures vs CPython |", "|---|---:|---:|---:|---:|"]
    for key in keys:
        d, p = dotnet.get(key), python.get(key)
        unit = (d or p)["unit"]
        dv = f"{d['value']:,.1f} {unit}" if d else "—"
        pv = f"{p['value']:,.1f} {unit}" if p else "—"
        if d and p and d["value"] and p["value"]:
            ratio = d["value"] / p["value"] if unit in HIGHER_IS_BETTER else p["value"] / d["value"]
            rv = f"{ratio:,.1f}× {'faster' if ratio >= 1 else 'slower'}"
        else:
            rv = "—"
        lines.append(f"| {key[0]} | {key[1]} | {dv} | {pv} | {rv} |")
    return "\n".join(lines)


def svg(series, path, title):
    """A small line chart, log-scaled throughput against worker count, with no plotting library."""
    import math
    w, h, left, right, top, bottom = 720, 420, 80, 200, 40, 50
    xs = sorted({x for pts in series.values() for x, _ in pts})
    ys = [y for pts in series.values() for _, y in pts if y > 0]
    if not xs or not ys:
        return
    lo, hi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    hi = max(hi, lo + 1)

    def px(x):
        i = xs.index(x)
        return left + (w - left - right) * (i / max(1, len(xs) - 1))

    def py(y):
        return top + (h - top - bottom) * (1 - (math.log10(y) - lo) / (hi - lo))

    colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2 - 100}" y="22" font-size="15">{title}</text>']
    for e in range(lo, hi + 1):
        y = py(10 ** e)
        parts.append(f'<line x1="{left}" y1="{y}" x2="{w - right}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{10 ** e:,.0f}</text>')
    for x in xs:
        parts.append(f'<text x="{px(x)}" y="{h - bottom + 18}" text-anchor="middle">{x}</text>')
    parts.append(f'<text x="{(left + w - right) / 2}" y="{h - 12}" text-anchor="middle">workers</text>')
    parts.append(f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" text-anchor="middle">tasks per second (log)</text>')
    for i, (name, pts) in enumerate(series.items()):
        c = colors[i % len(colors)]
        pts = sorted(p for p in pts if p[1] > 0)
        path_d = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(pts))
        parts.append(f'<path d="{path_d}" fill="none" stroke="{c}" stroke-width="2.5"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{c}"/>')
        ly = top + 20 + 22 * i
        parts.append(f'<line x1="{w - right + 15}" y1="{ly - 4}" x2="{w - right + 40}" y2="{ly - 4}" stroke="{c}" stroke-width="2.5"/>')
        parts.append(f'<text x="{w - right + 46}" y="{ly}">{name}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    tasks = sys.argv[1] if len(sys.argv) > 1 else "100000"
    dotnet = run(["dotnet", "run", "-c", "Release", "--project", "benchmarks/Futures.Benchmarks", "--", "--compare", tasks])
    python = run([sys.executable, "benchmarks/python/workloads.py", str(int(tasks) // 5)])
    print(table(dotnet, python))

    def points(rows, name):
        return [(k[1], r["value"]) for k, r in rows.items() if k[0] == name]

    series = {
        "Futures ThreadPoolExecutor": points(dotnet, "thread.throughput"),
        "CPython ThreadPoolExecutor": points(python, "thread.throughput"),
        "Futures ProcessPoolExecutor": points(dotnet, "process.throughput"),
        "CPython ProcessPoolExecutor": points(python, "process.throughput"),
    }
    taskrun = [r["value"] for k, r in dotnet.items() if k[0] == "taskrun.throughput"]
    if taskrun:
        xs = sorted({x for pts in series.values() for x, _ in pts})
        series[".NET Task.Run (its own pool)"] = [(x, taskrun[0]) for x in xs]
    series = {k: v for k, v in series.items() if v}
    svg(series, os.path.join(ROOT, "benchmarks", "throughput.svg"), "No-op task throughput, 2-core machine")


if __name__ == "__main__":
    main()
