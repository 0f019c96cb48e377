"""Builds the libFuzzer target with clang and runs it for a bounded time.

FUZZ_SECONDS (default 30) sets the run time. A crash, leak, sanitizer
report or timeout fails the test and leaves the reproducer in the build's
fuzz directory.
"""

import os
import subprocess
import tempfile
import unittest

import harness

HERE = os.path.dirname(os.path.abspath(__file__))


class RequestFuzz(unittest.TestCase):
    def test_request_path_survives_fuzzing(self):
        harness.require_tool("clang++")
        build = os.path.join(harness.build_dir(), "fuzz")
        subprocess.run(["cmake", "-S", HERE, "-B", build, "-G", "Ninja",
                        "-DCMAKE_CXX_COMPILER=clang++"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build], check=True)
        seconds = os.environ.get("FUZZ_SECONDS", "30")
        with tempfile.TemporaryDirectory() as corpus:
            r = subprocess.run(
                [os.path.join(build, "request_fuzz"), corpus, os.path.join(HERE, "seeds"),
                 f"-max_total_time={seconds}", "-timeout=5", "-rss_limit_mb=1024",
                 f"-artifact_prefix={build}/", "-print_final_stats=1"],
                capture_output=True, text=True)
        tail = "\n".join(r.stderr.splitlines()[-25:])
        self.assertEqual(r.returncode, 0, tail)
        self.assertIn("Done", r.stderr, tail)
        runs = [l for l in r.stderr.splitlines() if l.startswith("stat::number_of_executed_units")]
        print(runs[0] if runs else tail)


if __name__ == "__main__":
    harness.main()
