#!/usr/bin/env python3
"""Push benchmark (not a test): shipctl push against skopeo copy.

Generates an OCI image of four layers, about 500 MB uncompressed (two of
random bytes, two compressible), once (cached in --work). By default every
registry is a docker-registry with TLS (a throwaway CA made in --work, its
certificate verified by both tools) and htpasswd basic auth, the way ECR is
reached (HTTPS only, with credentials); --plain-http drops TLS and keeps auth.

Each round, for each tool: a cold push into a fresh, empty registry, then
--repeats warm pushes (every blob and the tag present: a re-run), each into a
fresh registry process serving the data the cold push left; warm pushes
alternate between the tools so both see the same load. Every push is started
with posix_spawn and reaped with wait4; reported per push: wall time, the
client's user and system CPU and peak RSS (its rusage), and the registry's
CPU (utime + stime of /proc/PID/stat around the push, 10 ms ticks).
--strace adds one cold push per tool under `strace -c -f` and prints its
syscall counts separately (strace slows the push several times).

Without --shipctl it builds shipctl with the release preset (optimised, no
sanitizers; cmake --preset release) and measures build/release/apps/shipctl.
A binary built with AddressSanitizer (the dev preset) is refused: its
allocator and checks would be measured instead of the push.

    bench/push/bench_push.py [--shipctl PATH] [--work DIR] [--rounds N] [--repeats N] [--plain-http] [--strace]
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

LAYER_MB = 125
USER = "bench"
PASSWORD = "bench-password-not-secret"
TOOLS = ("skopeo", "shipctl")
TICK = os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


def release_shipctl() -> str:
    """shipctl as the release preset builds it (-j2: the machine may be shared)."""
    subprocess.run(["cmake", "--preset", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "--preset", "release", "--target", "shipctl", "-j2"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, "build", "release", "apps", "shipctl")


def check_not_sanitized(binary: str) -> None:
    with open(binary, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if m.find(b"__asan_init") >= 0:
            sys.exit(f"bench: {binary} is built with AddressSanitizer (the dev preset); measure the release "
                     "build: cmake --preset release && cmake --build --preset release --target shipctl")


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


def make_secrets(work: str) -> dict:
    """A throwaway CA, a server certificate for 127.0.0.1 and an htpasswd file,
    made once per --work."""
    d = os.path.join(work, "tls")
    files = {n: os.path.join(d, n) for n in ("ca.crt", "ca.key", "server.crt", "server.key", "htpasswd", "password")}
    files["certs"] = os.path.join(d, "certs")  # skopeo's --dest-cert-dir reads *.crt there
    if os.path.exists(files["password"]):
        return files
    os.makedirs(files["certs"], exist_ok=True)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=bench-ca",
         "-keyout", files["ca.key"], "-out", files["ca.crt"]])
    csr, ext = os.path.join(d, "server.csr"), os.path.join(d, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", files["server.key"],
         "-out", csr])
    run(["openssl", "x509", "-req", "-in", csr, "-CA", files["ca.crt"], "-CAkey", files["ca.key"], "-CAcreateserial",
         "-days", "3650", "-extfile", ext, "-out", files["server.crt"]])
    shutil.copy(files["ca.crt"], os.path.join(files["certs"], "ca.crt"))
    with open(files["htpasswd"], "w") as f:
        f.write(run(["htpasswd", "-Bbn", USER, PASSWORD]).stdout)
    with open(files["password"], "w") as f:
        f.write(PASSWORD + "\n")
    return files


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


class Registry:
    """One docker-registry process over `data` (kept between processes)."""

    def __init__(self, work: str, data: str, secrets: dict, tls: bool):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.root = tempfile.mkdtemp(dir=work, prefix="registry-")
        config = os.path.join(self.root, "config.yml")
        lines = ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", f"    rootdirectory: {data}",
                 "http:", f"  addr: 127.0.0.1:{self.port}",
                 "auth:", "  htpasswd:", "    realm: basic-realm", f"    path: {secrets['htpasswd']}"]
        if tls:
            lines[8:8] = ["  tls:", f"    certificate: {secrets['server.crt']}", f"    key: {secrets['server.key']}"]
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.025)
        raise RuntimeError("registry did not start")

    def cpu(self) -> float:
        return cpu_ticks(self.proc.pid) / TICK

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def timed(argv, stdin_path: str, registry: Registry) -> dict:
    """One push: wall seconds from the parent, the child's rusage (user, sys,
    peak RSS) from wait4, the registry's CPU from /proc around it."""
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as out, open(stdin_path, "rb") as inp:
        actions = [(os.POSIX_SPAWN_DUP2, inp.fileno(), 0), (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        reg_before = registry.cpu()
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        reg = registry.cpu() - reg_before
        if status != 0:
            err.seek(0)
            raise RuntimeError(f"{argv[0]} failed: {err.read()[-2000:].decode(errors='replace')}")
    return {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime, "rss_kib": usage.ru_maxrss, "registry": reg}


def commands(tool: str, args, secrets: dict, port: int) -> list[str]:
    dest = f"127.0.0.1:{port}/bench/app:t"
    layout = args.layout
    if tool == "shipctl":
        argv = [args.shipctl, "push", f"oci:{layout}:t", dest, "--username", USER, "--password-stdin",
                "--progress", "none"]
        return argv + (["--insecure"] if args.plain_http else ["--ca-file", secrets["ca.crt"]])
    argv = ["skopeo", "copy", "--quiet", "--dest-creds", f"{USER}:{PASSWORD}"]
    argv += ["--dest-tls-verify=false"] if args.plain_http else ["--dest-cert-dir", secrets["certs"]]
    return argv + [f"oci:{layout}:t", f"docker://{dest}"]


def push(tool: str, args, secrets: dict, data: str, prefix=()) -> dict:
    with Registry(args.work, data, secrets, not args.plain_http) as reg:
        return timed(list(prefix) + commands(tool, args, secrets, reg.port), secrets["password"], reg)


def strace_counts(tool: str, args, secrets: dict) -> dict:
    """Syscall counts of one cold push under strace -c -f (slowed: counts only)."""
    data = tempfile.mkdtemp(dir=args.work, prefix="data-")
    out = os.path.join(args.work, f"strace-{tool}.txt")
    try:
        push(tool, args, secrets, data, ["strace", "-c", "-f", "-o", out])
    finally:
        shutil.rmtree(data, ignore_errors=True)
    counts = {}
    with open(out) as f:
        for line in f:
            m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)?\s*(\w+)$", line)
            if m:
                counts[m.group(3)] = (int(m.group(1)), int(m.group(2) or 0))
    return counts


def print_strace(counts: dict) -> None:
    names = ("sendto", "write", "sendmsg", "recvfrom", "read", "poll", "ppoll", "epoll_wait", "epoll_pwait",
             "futex", "nanosleep", "total")
    print("\nsyscalls of one cold push under strace -c -f (calls, errors in parentheses):")
    print(f"{'tool':8} " + " ".join(f"{n:>13}" for n in names))
    for tool in TOOLS:
        c = counts[tool]
        cells = [f"{c[n][0]}({c[n][1]})" if n in c else "-" for n in names]
        print(f"{tool:8} " + " ".join(f"{x:>13}" for x in cells))


def summarize(samples: list[dict]) -> dict:
    walls = sorted(s["wall"] for s in samples)
    return {"best_s": walls[0], "median_s": statistics.median(walls), "worst_s": walls[-1],
            "user_s": statistics.median(s["user"] for s in samples),
            "sys_s": statistics.median(s["sys"] for s in samples),
            "registry_s": statistics.median(s["registry"] for s in samples),
            "peak_rss_kib": max(s["rss_kib"] for s in samples)}


def report(samples: dict, total: int, args) -> dict:
    print(f"image: 4 layers, {4 * LAYER_MB} MiB uncompressed, {total / 1e6:.1f} MB of blobs; "
          f"{'plain http' if args.plain_http else 'TLS (verified, throwaway CA)'} + basic auth; "
          f"{args.rounds} rounds, fresh registry per push; wall: best/median/worst, CPU: median")
    print(f"{'tool':8} {'kind':5} {'n':>3} {'best s':>7} {'median':>7} {'worst':>7} {'MB/s':>7} {'user s':>7} "
          f"{'sys s':>7} {'cpu s':>7} {'reg cpu':>7} {'peak RSS':>9}")
    summary = {}
    for tool in TOOLS:
        summary[tool] = {}
        for kind in ("cold", "warm"):
            st = summarize(samples[tool][kind])
            summary[tool][kind] = {**st, "all": samples[tool][kind]}
            mb_s = f"{total / 1e6 / st['median_s']:7.1f}" if kind == "cold" else f"{'':7}"
            print(f"{tool:8} {kind:5} {len(samples[tool][kind]):3} {st['best_s']:7.3f} {st['median_s']:7.3f} "
                  f"{st['worst_s']:7.3f} {mb_s} {st['user_s']:7.3f} {st['sys_s']:7.3f} "
                  f"{st['user_s'] + st['sys_s']:7.3f} {st['registry_s']:7.2f} {st['peak_rss_kib'] / 1024:7.1f}Mi")
    s, k = summary["shipctl"], summary["skopeo"]

    def cpu(x):
        return x["user_s"] + x["sys_s"]

    print(f"shipctl/skopeo, medians: cold throughput {k['cold']['median_s'] / s['cold']['median_s']:.2f}x "
          f"(worst round {k['cold']['worst_s'] / s['cold']['worst_s']:.2f}x), cold client CPU "
          f"{cpu(s['cold']) / cpu(k['cold']):.2f}, warm time {s['warm']['median_s'] / k['warm']['median_s']:.2f}, "
          f"warm client CPU {cpu(s['warm']) / cpu(k['warm']):.2f}")
    print("cold rounds (wall s, user+sys s, registry s): " + "; ".join(
        f"{tool} " + ", ".join(f"{r['wall']:.2f}/{r['user']:.2f}+{r['sys']:.2f}/{r['registry']:.2f}"
                               for r in samples[tool]["cold"]) for tool in TOOLS))
    print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return summary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shipctl", help="binary to measure (default: build the release preset's)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "eem-bench-push"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5, help="warm pushes per round and tool")
    ap.add_argument("--plain-http", action="store_true", help="no TLS (basic auth over plain http)")
    ap.add_argument("--strace", action="store_true", help="also count syscalls of one cold push per tool")
    args = ap.parse_args()
    args.shipctl = os.path.abspath(args.shipctl) if args.shipctl else release_shipctl()
    check_not_sanitized(args.shipctl)
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    args.layout = make_image(args.work)
    secrets = make_secrets(args.work)
    total = blob_bytes(args.layout)
    samples = {tool: {"cold": [], "warm": []} for tool in TOOLS}
    for _ in range(args.rounds):
        data = {tool: tempfile.mkdtemp(dir=args.work, prefix="data-") for tool in TOOLS}
        try:
            for tool in TOOLS:
                samples[tool]["cold"].append(push(tool, args, secrets, data[tool]))
            for _ in range(args.repeats):
                for tool in TOOLS:
                    samples[tool]["warm"].append(push(tool, args, secrets, data[tool]))
        finally:
            for d in data.values():
                shutil.rmtree(d, ignore_errors=True)
    summary = report(samples, total, args)
    if args.strace:
        counts = {tool: strace_counts(tool, args, secrets) for tool in TOOLS}
        print_strace(counts)
        summary["strace"] = counts
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"blob_bytes": total, "plain_http": args.plain_http, "tools": summary}, f, indent=2)


if __name__ == "__main__":
    main()
