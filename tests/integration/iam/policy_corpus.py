"""Deterministic generator of (policy, request) pairs for the differential test.

Every condition operator, with and without IfExists and the ForAnyValue /
ForAllValues qualifiers, against absent, single and multiple context values;
Allow and Deny statements (alone and combined); Action / NotAction and
Resource / NotResource wildcards; trust policies built from every GitHub
`sub` form. Same seed, same corpus.
"""

from __future__ import annotations

import random

ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/GitHubActionsECRRole"
REPO_ARN = f"arn:aws:ecr:ap-northeast-1:{ACCOUNT}:repository/ecs-express-mode-api"

# family -> (condition key, operator names, policy values, request values)
FAMILIES = {
    "string": ("aws:PrincipalTag/team",
               ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
                "StringLike", "StringNotLike"],
               ["alpha", "Alpha", "beta", "al*", "a?pha", "*", "gamma-1", "ALPHA"],
               ["alpha", "Alpha", "beta", "alphabet", "gamma-1", "ALPHA", "aXpha"]),
    "tags": ("aws:TagKeys",
             ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase"],
             ["env", "team", "Env", "cost*", "t?am"],
             ["env", "team", "Env", "costcenter", "owner"]),
    "numeric": ("aws:MultiFactorAuthAge",
                ["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                 "NumericGreaterThan", "NumericGreaterThanEquals"],
                ["10", "0", "3600", "3.5", "-5"],
                ["10", "9", "11", "3600", "3.5", "0", "7200"]),
    "date": ("aws:CurrentTime",
             ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
              "DateGreaterThanEquals"],
             ["2026-01-01T00:00:00Z", "2026-07-15T00:00:00Z", "2025-12-31T23:59:59Z"],
             ["2026-01-01T00:00:00Z", "2026-07-15T00:00:00Z", "2025-06-01T12:00:00Z", "2027-01-01T00:00:00Z"]),
    "bool": ("aws:SecureTransport", ["Bool"], ["true", "false"], ["true", "false"]),
    "ip": ("aws:SourceIp", ["IpAddress", "NotIpAddress"],
           ["10.0.0.0/8", "192.168.1.1/32", "203.0.113.0/24", "2001:db8::/32"],
           ["10.1.2.3", "192.168.1.1", "192.168.1.2", "203.0.113.9", "2001:db8::5", "11.0.0.1"]),
    "arn": ("aws:SourceArn", ["ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"],
            [f"arn:aws:iam::{ACCOUNT}:role/ci-*", "arn:aws:iam::*:role/ci-deploy",
             f"arn:aws:iam::{ACCOUNT}:role/ci-deploy", "arn:aws:s3:::bucket"],
            [f"arn:aws:iam::{ACCOUNT}:role/ci-deploy", "arn:aws:iam::999999999999:role/ci-deploy",
             f"arn:aws:iam::{ACCOUNT}:role/ci-build", "arn:aws:s3:::bucket"]),
    "null": ("aws:PrincipalTag/team", ["Null"], ["true", "false"], ["alpha"]),
    "binary": ("aws:PrincipalTag/blob", ["BinaryEquals"], ["QmluYXJ5", "YWJj", "qmluyxj5"], ["QmluYXJ5", "YWJj", "eHl6"]),
}
MULTI_VALUED = {"tags"}

ACTIONS = [("ecr:PutImage", REPO_ARN), ("ecr:BatchGetImage", REPO_ARN),
           ("ecr:DeleteRepository", REPO_ARN),
           ("ecr:GetAuthorizationToken", "*")]
ACTION_PATTERNS = ["ecr:*", "ecr:PutImage", "ecr:Put*", "ecr:put?mage", "ecr:*Image", "*", "s3:*"]
RESOURCE_PATTERNS = ["*", REPO_ARN, f"arn:aws:ecr:*:{ACCOUNT}:repository/ecs-*",
                     f"arn:aws:ecr:ap-northeast-1:{ACCOUNT}:repository/other",
                     f"arn:aws:ecr:ap-northeast-1:{ACCOUNT}:repository/ecs-express-mode-ap?"]


def _operator(rng: random.Random, family: str) -> str:
    name = rng.choice(FAMILIES[family][1])
    if name != "Null" and rng.random() < 0.3:
        name += "IfExists"
    if family in MULTI_VALUED or rng.random() < 0.15:
        qualifier = rng.choice(["", "ForAnyValue:", "ForAllValues:"])
        name = qualifier + name if name != "Null" else name
    return name


def _context_value(rng: random.Random, family: str):
    """None (key absent), a string, or a list for multivalued keys."""
    pool = FAMILIES[family][3]
    roll = rng.random()
    if roll < 0.2:
        return None
    if family in MULTI_VALUED:
        return rng.sample(pool, rng.randint(0 if roll < 0.25 else 1, 3))
    return rng.choice(pool)


def _condition_case(rng: random.Random):
    family = rng.choice(list(FAMILIES))
    key, _, values, _ = FAMILIES[family]
    operator = _operator(rng, family)
    policy_values = rng.sample(values, rng.randint(1, min(3, len(values))))
    condition = {operator: {key: policy_values if len(policy_values) > 1 else policy_values[0]}}
    context = {}
    value = _context_value(rng, family)
    if value is not None:
        context[key] = value
    return condition, context


def _identity_case(rng: random.Random) -> dict:
    action, resource = rng.choice(ACTIONS)
    statements = []
    context: dict = {}
    for _ in range(rng.choice([1, 1, 2])):
        condition, extra = _condition_case(rng)
        context.update(extra)
        statement = {"Effect": rng.choice(["Allow", "Allow", "Deny"])}
        statement["NotAction" if rng.random() < 0.1 else "Action"] = rng.choice(ACTION_PATTERNS)
        statement["NotResource" if rng.random() < 0.1 else "Resource"] = rng.choice(RESOURCE_PATTERNS)
        if rng.random() < 0.9:
            statement["Condition"] = condition
        statements.append(statement)
    if all(s["Effect"] == "Deny" for s in statements):
        statements.append({"Effect": "Allow", "Action": "*", "Resource": "*"})
    return {"policy": {"Version": "2012-10-17", "Statement": statements},
            "principal": f"arn:aws:iam::{ACCOUNT}:role/ci", "action": action, "resource": resource,
            "context": context}


SUBS = ["repo:octo/app:ref:refs/heads/main"] * 4 + ["repo:octo/app:ref:refs/heads/dev", "repo:octo/app:pull_request",
        "repo:octo/app:environment:production", "repo:octo/app:ref:refs/tags/v1.0.0",
        "repo:Octo/App:ref:refs/heads/main", "repo:evil/app:ref:refs/heads/main",
        "repo:octo@1001/app@2002:ref:refs/heads/main", "repo:octo/app-2:ref:refs/heads/main"]
SUB_PATTERNS = ["repo:octo/app:ref:refs/heads/main", "repo:octo/app:*", "repo:octo/*", "repo:octo/app:ref:refs/heads/*",
                "repo:octo/app:environment:production", "repo:octo/app:ref:refs/tags/v*",
                "repo:octo@1001/app@2002:*", "repo:octo/app?2:*", "*"]
AUDS = ["sts.amazonaws.com"] * 6 + ["https://github.com/octo", "sts.amazonaws.com.cn"]


def _trust_case(rng: random.Random) -> dict:
    sub_op = rng.choice(["StringLike", "StringEquals", "ForAnyValue:StringLike", "StringNotLike",
                         "StringLikeIfExists", "StringEqualsIgnoreCase"])
    patterns = rng.sample(SUB_PATTERNS, rng.randint(1, 2))
    condition = {sub_op: {"token.actions.githubusercontent.com:sub": patterns if len(patterns) > 1 else patterns[0]}}
    if rng.random() < 0.85:
        condition.setdefault("StringEquals", {})["token.actions.githubusercontent.com:aud"] = "sts.amazonaws.com"
    if rng.random() < 0.3:
        # Claim keys STS exposes since 2026 (DESIGN.md section 3).
        key, values = rng.choice([("repository", ["octo/app", "Octo/App", "octo/*"]),
                                  ("job_workflow_ref", ["octo/app/.github/workflows/deploy.yml@refs/heads/main",
                                                        "octo/app/.github/workflows/*@refs/heads/main"])])
        op = rng.choice(["StringEquals", "StringLike", "StringEqualsIgnoreCase"])
        condition.setdefault(op, {})["token.actions.githubusercontent.com:" + key] = rng.choice(values)
    statements = [{"Effect": "Allow", "Principal": {"Federated": rng.choice([PROVIDER] * 5 + [PROVIDER.replace(ACCOUNT, "999999999999")])},
                   "Action": rng.choice(["sts:AssumeRoleWithWebIdentity", "sts:AssumeRole*", "sts:*"]),
                   "Condition": condition}]
    if rng.random() < 0.2:
        statements.append({"Effect": "Deny", "Principal": {"Federated": PROVIDER},
                           "Action": "sts:AssumeRoleWithWebIdentity",
                           "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*:pull_request"}}})
    context = {}
    if rng.random() < 0.95:
        context["token.actions.githubusercontent.com:sub"] = rng.choice(SUBS)
    if rng.random() < 0.9:
        context["token.actions.githubusercontent.com:aud"] = rng.choice(AUDS)
    if rng.random() < 0.9:
        context["token.actions.githubusercontent.com:repository"] = rng.choice(["octo/app", "Octo/App", "evil/app"])
        context["token.actions.githubusercontent.com:job_workflow_ref"] = rng.choice(
            ["octo/app/.github/workflows/deploy.yml@refs/heads/main", "octo/app/.github/workflows/ci.yml@refs/heads/dev"])
    return {"policy": {"Version": "2012-10-17", "Statement": statements}, "principal": PROVIDER,
            "action": "sts:AssumeRoleWithWebIdentity", "resource": ROLE, "context": context}


def corpus(size: int = 5000, seed: int = 20260715) -> list[dict]:
    rng = random.Random(seed)
    return [_trust_case(rng) if i % 4 == 0 else _identity_case(rng) for i in range(size)]
