"""The CPython side of compare.py: the same workloads as the .NET Comparison mode, with
concurrent.futures, printed as JSON lines {"name", "workers", "value", "unit"}."""
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor


def emit(name, workers, value, unit):
    print(json.dumps({"name": name, "workers": workers, "value": value, "unit": unit}), flush=True)


def noop():
    return 1


def best(measure):
    return max(measure() for _ in range(3))


def submit_throughput(executor, n):
    start = time.perf_counter()
    futures = [executor.submit(noop) for _ in range(n)]
    for f in futures:
        f.result()
    return n / (time.perf_counter() - start)


def round_trip_p50(executor, n):
    micros = []
    for _ in range(n):
        start = time.perf_counter()
        executor.submit(noop).result()
        micros.append((time.perf_counter() - start) * 1e6)
    return statistics.median(micros)


def square_slowly(i):
    time.sleep(0.1)
    return i * i


def basel_pi(n):
    # The tutorial's process example: pi from the Basel series, sum 1/k^2 = pi^2/6.
    s = 0.0
    for k in range(1, n + 1):
        s += 1.0 / (k * k)
    return (6 * s) ** 0.5


def main():
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for workers in (1, 2, 4, 8):
        with ThreadPoolExecutor(max_workers=workers) as ex:
            emit("thread.throughput", workers, best(lambda: submit_throughput(ex, tasks)), "tasks/s")
    with ThreadPoolExecutor(max_workers=2) as ex:
        emit("thread.roundtrip_p50", 2, round_trip_p50(ex, 5_000), "us")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as ex:
        sum(ex.map(square_slowly, range(10)))
    emit("thread.tutorial_10x100ms", 2, time.perf_counter() - start, "s")

    for workers in (1, 2, 4):
        with ProcessPoolExecutor(max_workers=workers) as ex:
            ex.submit(noop).result()  # workers started
            emit("process.throughput", workers, best(lambda: submit_throughput(ex, tasks // 4)), "tasks/s")
    with ProcessPoolExecutor(max_workers=2) as ex:
        ex.submit(noop).result()
        emit("process.roundtrip_p50", 2, round_trip_p50(ex, 2_000), "us")
        start = time.perf_counter()
        n = sum(1 for _ in ex.map(noop_arg, range(200_000), chunksize=1000))
        emit("process.map_chunk1000", 2, n / (time.perf_counter() - start), "items/s")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as ex:
        ex.submit(noop).result()
    emit("process.first_result", 2, (time.perf_counter() - start) * 1000, "ms")
    for workers in (1, 2):
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as ex:
            list(ex.map(basel_pi, [2_000_000, 2_001_000, 2_002_000, 2_003_000]))
        emit("process.tutorial_pi", workers, time.perf_counter() - start, "s")


def noop_arg(x):
    return x


if __name__ == "__main__":
    main()
