#!/usr/bin/env python3
"""Push benchmark (not a test): shipctl push against skopeo copy.

Generates an OCI image of four layers, about 500 MB uncompressed (two of
random bytes, two compressible), once (cached in --work), then for each tool
starts a fresh docker-registry on loopback and pushes the image twice: cold
(registry empty) and warm (every blob present). Reports wall time, throughput
over the compressed bytes sent and peak RSS (/usr/bin/time -v), for both tools
in the same run.

    bench/push/bench_push.py --shipctl build/release/apps/shipctl [--work DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
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
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system) of argv,
    via /usr/bin/time -v. CPU time is the robust number on a busy machine."""
    start = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", *argv], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {r.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([0-9.]+)", r.stderr).group(1)) for kind in ("User", "System"))
    return wall, rss, cpu


def commands(tool: str, shipctl: str, layout: str, port: int) -> list[str]:
    if tool == "shipctl":
        return [shipctl, "push", f"oci:{layout}:t", f"127.0.0.1:{port}/bench/app:t", "--insecure", "--progress", "none"]
    return ["skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:t", f"docker://127.0.0.1:{port}/bench/app:t"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shipctl", required=True)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "eem-bench-push"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    layout = make_image(args.work)
    total = blob_bytes(layout)
    results = {}
    for run_index in range(args.runs):
        for tool in ("skopeo", "shipctl"):
            with Registry(args.work) as reg:
                argv = commands(tool, args.shipctl, layout, reg.port)
                cold = timed(argv)
                warm = timed(argv)
            results.setdefault(tool, []).append({"cold": cold, "warm": warm})
    print(f"image: 4 layers, {4 * LAYER_MB} MiB uncompressed, {total / 1e6:.1f} MB of blobs; {args.runs} runs, best shown")
    print(f"{'tool':8} {'cold s':>8} {'MB/s':>8} {'cold CPU':>9} {'cold RSS':>9} {'warm s':>8} {'warm CPU':>9} {'warm RSS':>9}")
    summary = {}
    for tool, runs in results.items():
        cold = min(r["cold"][0] for r in runs)
        warm = min(r["warm"][0] for r in runs)
        cold_rss = max(r["cold"][1] for r in runs)
        warm_rss = max(r["warm"][1] for r in runs)
        cold_cpu = min(r["cold"][2] for r in runs)
        warm_cpu = min(r["warm"][2] for r in runs)
        summary[tool] = {"cold_s": cold, "cold_mb_s": total / 1e6 / cold, "warm_s": warm,
                         "cold_peak_rss_kib": cold_rss, "warm_peak_rss_kib": warm_rss,
                         "cold_cpu_s": cold_cpu, "warm_cpu_s": warm_cpu,
                         "all_runs": runs}
        print(f"{tool:8} {cold:8.3f} {total / 1e6 / cold:8.1f} {cold_cpu:8.3f}s {cold_rss / 1024:7.1f}Mi "
              f"{warm:8.3f} {warm_cpu:8.3f}s {warm_rss / 1024:7.1f}Mi")
    s, k = summary["shipctl"], summary["skopeo"]
    print(f"cold throughput ratio shipctl/skopeo: {s['cold_mb_s'] / k['cold_mb_s']:.2f}x; "
          f"warm time ratio shipctl/skopeo: {s['warm_s'] / k['warm_s']:.2f} (CPU {s['warm_cpu_s'] / k['warm_cpu_s']:.2f})")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"blob_bytes": total, "tools": summary}, f, indent=2)


if __name__ == "__main__":
    main()
