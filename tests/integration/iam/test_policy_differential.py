"""Differential test of our IAM evaluator against @cloud-copilot/iam-simulate.

One generated corpus (policy_corpus.py), one node process for the reference
and one iam_batch_eval process for us. Every disagreement must be listed in
KNOWN with the reason we are right (docs/policy-differential.md).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import policy_corpus  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_MODULES = os.path.join(harness.REPO, "node_modules")



def _statements(case):
    statements = case["policy"]["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _wildcard_only_action(case) -> bool:
    # D1: the unsafe entry point builds the request without its
    # wildcard-only-action flag, so "*" reads as "all resources" there.
    specific = any(st.get("Resource", "*") != "*" or "NotResource" in st for st in _statements(case))
    return case["action"] == "ecr:GetAuthorizationToken" and specific


def _for_any_value_if_exists_absent(case) -> bool:
    # D2: IfExists makes a condition on an absent key true ("Condition
    # operators: ...IfExists"); iam-simulate keeps ForAnyValue false.
    context = {k.lower() for k in case["context"]}
    return any(op.startswith("ForAnyValue:") and op.endswith("IfExists") and key.lower() not in context
               for st in _statements(case) for op, keys in st.get("Condition", {}).items() for key in keys)


# Documented disagreements (docs/policy-differential.md): name -> predicate.
KNOWN = {"D1 wildcard-only action": _wildcard_only_action,
         "D2 ForAnyValue...IfExists on an absent key": _for_any_value_if_exists_absent}


def batch_eval() -> str:
    path = os.path.join(harness.build_dir(), "tests", "integration", "iam", "iam_batch_eval")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is not built")
    return path


class PolicyDifferential(unittest.TestCase):
    def test_agrees_with_iam_simulate(self):
        node = harness.require_tool("node")
        if not os.path.isdir(os.path.join(NODE_MODULES, "@cloud-copilot", "iam-simulate")):
            message = f"npm @cloud-copilot/iam-simulate is not installed in {NODE_MODULES} (run npm ci)"
            if os.environ.get("CI") == "true":
                raise AssertionError(message)
            raise unittest.SkipTest(message)
        cases = policy_corpus.corpus()
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write("\n".join(json.dumps(c) for c in cases) + "\n")
            corpus_path = f.name
        try:
            env = dict(os.environ, NODE_PATH=NODE_MODULES)
            ref = subprocess.run([node, os.path.join(HERE, "iam_oracle.js"), corpus_path], env=env,
                                 capture_output=True, text=True, check=True, timeout=240).stdout.splitlines()
            with open(corpus_path) as stdin:
                ours = subprocess.run([batch_eval()], stdin=stdin, capture_output=True, text=True,
                                      check=True, timeout=240).stdout.splitlines()
        finally:
            os.unlink(corpus_path)
        self.assertEqual(len(ref), len(cases))
        self.assertEqual(len(ours), len(cases))
        errors = [i for i, r in enumerate(ref) if r.startswith("Error")]
        self.assertEqual(errors, [], f"reference failed on {len(errors)} cases, first: {ref[errors[0]] if errors else ''}")
        counts = {name: 0 for name in KNOWN}
        disagreements = []
        for i in (i for i in range(len(cases)) if ref[i] != ours[i]):
            name = next((n for n, known in KNOWN.items() if known(cases[i])), None)
            if name is None:
                disagreements.append(i)
            else:
                counts[name] += 1
        report = "\n".join(f"#{i}: iam-simulate={ref[i]} ours={ours[i]} case={json.dumps(cases[i])}"
                           for i in disagreements[:10])
        self.assertEqual(disagreements, [], f"{len(disagreements)} disagreements of {len(cases)}:\n{report}")
        print(f"differential: {len(cases)} cases; documented disagreements: {counts}")


if __name__ == "__main__":
    harness.main()
