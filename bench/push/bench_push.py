#!/usr/bin/env python3
"""Push benchmark (not a test): shipctl push against skopeo copy.

Generates an OCI image of four layers, about 500 MB uncompressed (two of
random bytes, two compressible), once (cached in --work), then for each tool
starts a fresh docker-registry on loopback and pushes the image: once cold
(registry empty), then --repeats times warm (every blob and the tag present:
a re-run) and retag (every blob present, a new tag each time: the manifest
must be written), alternating between the tools. Reports
wall time, throughput over the compressed bytes sent and peak RSS
(the rusage of wait4), for both tools in the same run.

    bench/push/bench_push.py --shipctl build/release/apps/shipctl [--work DIR] [--runs N] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

LAYER_MB = 125


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


def make_image(work: str) -> str:
    layout = os.path.join(work, "image")
    if os.path.exists(os.path.join(layout, "index.json")):
        return layout
    shutil.rmtree(layout, ignore_errors=True)
    run(["umoci", "init", "--layout", layout])
    run(["umoci", "new", "--image", f"{layout}:t"])
    words = b"".join(f"line {i} of a compressible log file with some words\n".encode() for i in range(4096))
    for i in range(4):
        src = os.path.join(work, f"layer{i}")
        os.makedirs(src, exist_ok=True)
        with open(os.path.join(src, "data.bin"), "wb") as f:
            left = LAYER_MB << 20
            while left > 0:
                chunk = os.urandom(min(left, 4 << 20)) if i % 2 == 0 else words[: min(left, len(words))]
                f.write(chunk)
                left -= len(chunk)
        run(["umoci", "insert", "--image", f"{layout}:t", src, f"/layer{i}"])
        shutil.rmtree(src)
    return layout


def blob_bytes(layout: str) -> int:
    blobs = os.path.join(layout, "blobs", "sha256")
    return sum(os.path.getsize(os.path.join(blobs, n)) for n in os.listdir(blobs))


class Registry:
    def __init__(self, work: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.root = tempfile.mkdtemp(dir=work, prefix="registry-")
        config = os.path.join(self.root, "config.yml")
        with open(config, "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {self.root}/data\n"
                    f"http:\n  addr: 127.0.0.1:{self.port}\n")
        self.proc = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("registry did not start")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def timed(argv) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system) of argv.
    posix_spawn and wait4 add little of their own (/usr/bin/time and
    subprocess added milliseconds to both tools, which pulled short ratios
    towards 1); rusage gives CPU time in microseconds."""
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as out:
        actions = [(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            err.seek(0)
            raise RuntimeError(f"{argv[0]} failed: {err.read()[-2000:].decode(errors='replace')}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def commands(tool: str, shipctl: str, layout: str, port: int, tag: str = "t") -> list[str]:
    dest = f"127.0.0.1:{port}/bench/app:{tag}"
    if tool == "shipctl":
        return [shipctl, "push", f"oci:{layout}:t", dest, "--insecure", "--progress", "none"]
    return ["skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:t", f"docker://{dest}"]


TOOLS = ("skopeo", "shipctl")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shipctl", required=True)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "eem-bench-push"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10, help="warm and retag pushes per run and tool")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    layout = make_image(args.work)
    total = blob_bytes(layout)
    samples = {tool: {"cold": [], "warm": [], "retag": []} for tool in TOOLS}
    for run_index in range(args.runs):
        # One fresh registry per tool; the short pushes alternate between the
        # tools so that both see the same load on a shared machine.
        with Registry(args.work) as reg_k, Registry(args.work) as reg_s:
            port = {"skopeo": reg_k.port, "shipctl": reg_s.port}
            for tool in TOOLS:
                samples[tool]["cold"].append(timed(commands(tool, args.shipctl, layout, port[tool])))
            for _ in range(args.repeats):
                for tool in TOOLS:
                    samples[tool]["warm"].append(timed(commands(tool, args.shipctl, layout, port[tool])))
            for j in range(args.repeats):
                for tool in TOOLS:
                    tag = f"r{run_index}-{j}"
                    samples[tool]["retag"].append(timed(commands(tool, args.shipctl, layout, port[tool], tag)))
    print(f"image: 4 layers, {4 * LAYER_MB} MiB uncompressed, {total / 1e6:.1f} MB of blobs; {args.runs} runs, "
          f"cold: best of {args.runs}; warm, retag: best and median of {args.runs * args.repeats}")
    print(f"{'tool':8} {'cold s':>8} {'MB/s':>8} {'cold CPU':>9} {'cold RSS':>9} {'warm s':>8} {'median':>8} "
          f"{'warm CPU':>9} {'warm RSS':>9} {'retag s':>8} {'median':>8} {'retag CPU':>9}")
    summary = {}
    for tool in TOOLS:
        stats = {}
        for kind, runs in samples[tool].items():
            walls = sorted(r[0] for r in runs)
            stats[kind] = {"best_s": walls[0], "median_s": statistics.median(walls),
                           "cpu_s": min(r[2] for r in runs), "peak_rss_kib": max(r[1] for r in runs)}
        stats["cold"]["mb_s"] = total / 1e6 / stats["cold"]["best_s"]
        summary[tool] = {**stats, "all_runs": samples[tool]}
        c, w, r = stats["cold"], stats["warm"], stats["retag"]
        print(f"{tool:8} {c['best_s']:8.3f} {c['mb_s']:8.1f} {c['cpu_s']:8.3f}s {c['peak_rss_kib'] / 1024:7.1f}Mi "
              f"{w['best_s']:8.3f} {w['median_s']:8.3f} {w['cpu_s']:8.3f}s {w['peak_rss_kib'] / 1024:7.1f}Mi "
              f"{r['best_s']:8.3f} {r['median_s']:8.3f} {r['cpu_s']:8.3f}s")
    s, k = summary["shipctl"], summary["skopeo"]

    def ratio(kind, stat):
        return s[kind][stat] / k[kind][stat]

    print(f"cold throughput ratio shipctl/skopeo: {s['cold']['mb_s'] / k['cold']['mb_s']:.2f}x; "
          f"time ratio shipctl/skopeo, best (median): warm {ratio('warm', 'best_s'):.2f} ({ratio('warm', 'median_s'):.2f}), "
          f"retag {ratio('retag', 'best_s'):.2f} ({ratio('retag', 'median_s'):.2f}); "
          f"warm CPU {ratio('warm', 'cpu_s'):.2f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"blob_bytes": total, "tools": summary}, f, indent=2)


if __name__ == "__main__":
    main()
