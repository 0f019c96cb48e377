"""`shipctl doctor` inside GitHub Actions: GITHUB_ACTIONS=true and the job's
ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN point at the real actions-oidc-issuer
(its bearer-checked token endpoint), so doctor fetches the job's token and
evaluates the trust policy against its claims. moto_server is IAM, STS, ECR.
The issuer signs with iss https://token.actions.githubusercontent.com, as
GitHub does, so the provider looked for is GitHub's.
"""

import json

import harness
from doctor_support import (ACCOUNT, HOST, MAIN, PROVIDER, PUSH_POLICY, REGISTRY, REPO, REPO_ARN, ROLE, ROLE_ARN,
                            DoctorCase, sub_line, trust_fix, trust_policy)
from issuer_support import issuer
from test_doctor_partial import moto_auth

BEARER = "job-request-token"
ID_TOKEN_FIX = ("  Fix:\n    Add to the job (or the whole workflow) in .github/workflows/deploy.yml:\n"
                "    permissions:\n      id-token: write\n      contents: read\n")


class DoctorInActions(DoctorCase):
    def job(self, *issuer_args, bearer=BEARER):
        """Starts the issuer for the run `issuer_args` describe (octo-org/app, push to main by default) and
        returns (the job's environment, the running issuer)."""
        context = issuer("--repository", "octo-org/app", "--issuer", f"https://{HOST}", *issuer_args,
                         request_token=BEARER)
        running = context.__enter__()
        self.addCleanup(context.__exit__, None, None, None)
        env = dict(self.env, GITHUB_ACTIONS="true", ACTIONS_ID_TOKEN_REQUEST_URL=f"{running.base}/token?api-version=2.0",
                   ACTIONS_ID_TOKEN_REQUEST_TOKEN=bearer)
        return env, running

    def test_healthy_run_with_the_jobs_token(self):
        self.setup_aws()
        expires = self.record_login()
        env, running = self.job()
        code, out, err = self.doctor(env=env)
        self.assertEqual(err, "")
        self.assertEqual(out,
                         f" 1. ✔ GitHub Actions OIDC token: token issued for sub \"{MAIN}\"\n"
                         f" 2. ✔ AWS identity (sts:GetCallerIdentity): arn:aws:sts::{ACCOUNT}:user/moto\n"
                         f" 3. ✔ Role ARN: {ROLE_ARN} (role {ROLE} in the caller's account)\n"
                         f" 4. ✔ OIDC provider for {HOST}: {PROVIDER} lists client id \"sts.amazonaws.com\"\n"
                         f" 5. ✔ IAM role: {ROLE_ARN}\n"
                         f" 6. ✔ Trust policy admits the token: admits sub \"{MAIN}\"\n"
                         f"       claims the job's OIDC token: sub \"{MAIN}\", aud \"sts.amazonaws.com\"\n"
                         f" 7. ✔ Role may run the workflow: every action that login, push and verify need is allowed (9 actions, on * and {REPO_ARN})\n"
                         f" 8. ✔ ECR repository: {REGISTRY}/{REPO}\n"
                         f" 9. ✔ Registry login (shipctl login): logged in to {REGISTRY} until {expires}\n"
                         "10. · Workflow subjects against the trust policy: skipped: no .github/workflows here\n"
                         "\nNo problem found.\n")
        self.assertEqual(code, 0)
        self.assertIn("actions-oidc-issuer: GET /token 200\n", running.log())

    def test_trust_policy_restricted_to_another_branch(self):
        self.setup_aws()
        env, _ = self.job("--ref", "refs/heads/dev")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        dev = "repo:octo-org/app:ref:refs/heads/dev"
        self.assertIn(f" 1. ✔ GitHub Actions OIDC token: token issued for sub \"{dev}\"\n", out)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: Trust policy admits the token: the token's sub \"{dev}\" is none of the admitted "
                         "values: the run's branch \"dev\" is not admitted\n"
                         "  Evidence:\n"
                         f"    claims the job's OIDC token: sub \"{dev}\", aud \"sts.amazonaws.com\"\n"
                         f"    StringEquals {HOST}:sub failed at $.Statement[0].Condition.StringEquals[\"{HOST}:sub\"]\n"
                         f"    expected: \"{MAIN}\"\n"
                         f"    actual:   \"{dev}\"\n" +
                         trust_fix("If this run should push, admit it as well: replace", sub_line(MAIN),
                                   sub_line([MAIN, "repo:octo-org/app:ref:refs/heads/dev"])) +
                         "\nNot checked after the root cause: push-permissions, repository, login, workflow-subjects\n")

    def test_token_requested_for_the_wrong_audience(self):
        self.setup_aws()
        env, running = self.job()
        code, out, _ = self.doctor("--audience", "sigstore", env=env)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: OIDC provider for {HOST}: the token's audience \"sigstore\" is not a client id of "
                         f"{PROVIDER}: the token was requested for the wrong audience (STS answers \"Incorrect token "
                         "audience\")\n"
                         "  Evidence:\n    client ids: \"sts.amazonaws.com\"\n"
                         "    claims the job's OIDC token: aud \"sigstore\"\n"
                         "  Fix:\n    Request the token for sts.amazonaws.com: with aws-actions/configure-aws-credentials set\n"
                         "      audience: sts.amazonaws.com\n"
                         "    or run `shipctl credentials --audience sts.amazonaws.com`.\n"
                         "\nNot checked after the root cause: role, trust-policy, push-permissions, repository, login, workflow-subjects\n")
        self.assertIn("actions-oidc-issuer: GET /token 200\n", running.log())

    def test_pull_request_run(self):
        self.setup_aws()
        env, _ = self.job("--event", "pull_request", "--ref", "refs/pull/7/merge", "--head-ref", "feature",
                          "--base-ref", "main")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertIn("\nRoot cause: Trust policy admits the token: the workflow was triggered by a pull request, so its "
                      "sub is \"repo:octo-org/app:pull_request\"; pull requests are not admitted (keep it that way unless "
                      "they must deploy)\n"
                      "  Evidence:\n"
                      "    claims the job's OIDC token: sub \"repo:octo-org/app:pull_request\", aud \"sts.amazonaws.com\"\n",
                      out)

    def test_environment_job(self):
        self.setup_aws()
        env, _ = self.job("--environment", "production")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertIn("\nRoot cause: Trust policy admits the token: the job uses a GitHub environment, so its sub is "
                      "\"repo:octo-org/app:environment:production\" instead of the branch form; admit the environment's "
                      "sub or drop the job's environment\n", out)

    def test_immutable_subject(self):
        self.setup_aws(trust=trust_policy())
        env, _ = self.job("--subject-format", "immutable", "--owner-id", "1001", "--repo-id", "2002")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertIn("\nRoot cause: Trust policy admits the token: the repository uses immutable subjects "
                      "(\"repo:octo-org@1001/app@2002:ref:refs/heads/main\"): a name-only sub never matches; use "
                      "repo:OWNER@OWNER_ID/REPO@REPO_ID:... in the condition\n", out)

    def test_refused_request_token(self):
        self.setup_aws()
        env, running = self.job(bearer="stale-token")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         "Root cause: GitHub Actions OIDC token: requesting the GitHub OIDC token: HTTP 401\n"
                         f"  Evidence:\n    ACTIONS_ID_TOKEN_REQUEST_URL: {running.base}/token?api-version=2.0\n"
                         "  Fix:\n    Do not set ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN in the "
                         "workflow's env: GitHub sets both for each job with id-token: write\n"
                         "\nNot checked after the root cause: aws-identity, role-arn, oidc-provider, role, trust-policy, "
                         "push-permissions, repository, login, workflow-subjects\n")
        self.assertIn("actions-oidc-issuer: GET /token 401\n", running.log())

    def test_job_without_id_token_permission(self):
        self.setup_aws()
        env = dict(self.env, GITHUB_ACTIONS="true")  # GitHub sets no ACTIONS_ID_TOKEN_* without id-token: write
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertEqual(out,
                         " 1. ✘ GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: the workflow "
                         "lacks `permissions: id-token: write`\n"
                         "\nRoot cause: GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: the "
                         "workflow lacks `permissions: id-token: write`\n"
                         "  Evidence:\n    GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN "
                         "only for jobs with id-token: write\n" + ID_TOKEN_FIX +
                         "\nNot checked after the root cause: aws-identity, role-arn, oidc-provider, role, "
                         "trust-policy, push-permissions, repository, login, workflow-subjects\n")

    def push_role_keys(self):
        """Credentials allowed what the workflow's role is (the push policy) and nothing else; moto enforces it."""
        self.iam.create_user(UserName="job")
        self.iam.put_user_policy(UserName="job", PolicyName="push", PolicyDocument=json.dumps(PUSH_POLICY))
        key = self.iam.create_access_key(UserName="job")["AccessKey"]
        moto_auth(self.endpoint, "0")
        self.addCleanup(moto_auth, self.endpoint, "inf")
        return dict(AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])

    def test_with_only_the_push_role_it_shows_the_claims_and_the_command_to_run_locally(self):
        # issue 15 item 5: inside the job the IAM checks cannot run; say what the job sees and what to run elsewhere
        self.setup_aws()
        env, _ = self.job("--environment", "prod env", "--subject-format", "immutable", "--owner-id", "1001",
                          "--repo-id", "2002")
        env.update(self.push_role_keys(), AWS_ROLE_ARN=ROLE_ARN)
        code, out, err = self.doctor(env=env)
        self.assertEqual((code, err), (7, ""))
        self.assertIn(" 4. – OIDC provider for token.actions.githubusercontent.com: no iam:ListOpenIDConnectProviders: "
                      "AccessDenied\n", out)
        sub = "repo:octo-org@1001/app@2002:environment:prod env"
        self.assertEqual(out[out.index("\nSeen from the job"):],
                         "\nSeen from the job (its OIDC token's claims; the token itself is not shown):\n"
                         f"  sub: {sub}\n"
                         "  ref: refs/heads/main\n"
                         "  event_name: push\n"
                         "  environment: prod env\n"
                         "  job_workflow_ref: octo-org/app/.github/workflows/deploy.yml@refs/heads/main\n"
                         "The job's role may push but not read IAM or ECR settings, so the checks marked – could not "
                         "run here.\nRun them for this run on a machine with administrator credentials:\n"
                         "  shipctl doctor --github-repo octo-org/app --ref refs/heads/main --event push --environment "
                         "'prod env' --subject-format immutable --owner-id 1001 --repo-id 2002 --role-arn "
                         f"{ROLE_ARN} --repository {REPO} --region ap-northeast-1\n")
        self.assertNotIn(".ey", out)  # no JWT (base64url "{" is "ey") anywhere
        report = json.loads(self.doctor("--json", env=env)[1])
        self.assertEqual(report["job"]["claims"]["sub"], sub)
        self.assertTrue(report["job"]["local_command"].startswith("shipctl doctor --github-repo octo-org/app "))
        # deploy.yml's diagnosis step adds the deploy checks: the command carries them on, defaults left out.
        deploy = json.loads(self.doctor("--json", "--deploy", "api", "--cluster", "prod", "--port", "9090",
                                        "--execution-role-name", "ShipctlExpressExecutionRole", env=env)[1])
        self.assertTrue(deploy["job"]["local_command"].endswith(
            f"--repository {REPO} --region ap-northeast-1 --deploy api --cluster prod --port 9090"),
            deploy["job"]["local_command"])
        # The printed command, run with administrator credentials, checks the same run.
        moto_auth(self.endpoint, "inf")
        local = self.doctor("--github-repo", "octo-org/app", "--ref", "refs/heads/main", "--event", "push",
                            "--environment", "prod env", "--subject-format", "immutable", "--owner-id", "1001",
                            "--repo-id", "2002", "--role-arn", ROLE_ARN, "--repository", REPO, "--region",
                            "ap-northeast-1")
        self.assertEqual(local[0], 6)
        self.assertIn(f"    actual:   \"{sub}\"\n", local[1])  # the job's very subject, found refused

    def test_a_healthy_job_prints_no_job_section(self):
        self.setup_aws()
        env, _ = self.job()
        code, out, _ = self.doctor("--json", env=env)
        self.assertEqual(code, 0)
        self.assertNotIn("job", json.loads(out))


if __name__ == "__main__":
    harness.main()
