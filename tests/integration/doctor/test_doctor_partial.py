"""`shipctl doctor` with partial access, for real: moto_server enforces IAM
policies (POST /moto-api/reset-auth, as tests/integration/audit does) and
doctor runs with the access key of a user allowed ECR and the IAM reads
except iam:GetRole. The role check says it cannot run and why, the checks
after it still run, and with nothing else wrong doctor exits 7.
"""

import json

import harness
from doctor_support import ACCOUNT, HOST, PROVIDER, REGISTRY, REPO, REPO_ARN, ROLE, ROLE_ARN, DoctorCase

ALLOWED_READS = ["sts:GetCallerIdentity", "iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider",
                 "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:GetPolicy",
                 "iam:GetPolicyVersion", "ecr:*"]


def moto_auth(endpoint, value):
    """moto's IAM enforcement: on after `value` more requests ("inf": off)."""
    harness.moto_post(endpoint, "/moto-api/reset-auth", value.encode())


class DoctorWithPartialAccess(DoctorCase):
    def user_keys(self, actions):
        """An IAM user allowed `actions` on "*", and nothing else; enforcement on until the test ends."""
        self.iam.create_user(UserName="deployer")
        self.iam.put_user_policy(UserName="deployer", PolicyName="partial", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
        key = self.iam.create_access_key(UserName="deployer")["AccessKey"]
        moto_auth(self.endpoint, "0")
        self.addCleanup(moto_auth, self.endpoint, "inf")
        return dict(self.env, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])

    def test_no_get_role_is_named_and_the_later_checks_run(self):
        self.setup_aws()
        expires = self.record_login()
        env = self.user_keys(ALLOWED_READS)
        code, out, err = self.doctor("--github-repo", "octo-org/app", "--subject-format", "name", env=env)
        self.assertEqual(err, "")
        self.assertEqual(out,
                         f" 1. ✔ AWS identity (sts:GetCallerIdentity): arn:aws:iam::{ACCOUNT}:user/deployer\n"
                         f" 2. ✔ Role ARN: {ROLE_ARN} (role {ROLE} in the caller's account)\n"
                         f" 3. ✔ OIDC provider for {HOST}: {PROVIDER} lists client id \"sts.amazonaws.com\"\n"
                         " 4. – IAM role: no iam:GetRole: AccessDenied\n"
                         " 5. – Trust policy admits the token: the role's trust policy could not be read: "
                         "no iam:GetRole: AccessDenied\n"
                         f" 6. ✔ Role may run the workflow: every action that login, push and verify need is allowed (9 actions, on * and {REPO_ARN})\n"
                         f" 7. ✔ ECR repository: {REGISTRY}/{REPO}\n"
                         f" 8. ✔ Registry login (shipctl login): logged in to {REGISTRY} until {expires}\n"
                         " 9. · Workflow subjects against the trust policy: skipped: no .github/workflows here\n"
                         "\nNo root cause found, but some checks could not run.\n")
        self.assertEqual(code, 7)

    def test_a_later_root_cause_is_still_found(self):
        self.setup_aws(repositories=("web",))
        env = self.user_keys(ALLOWED_READS)
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--json", env=env)
        self.assertEqual(code, 6)
        report = json.loads(out)
        self.assertEqual([(c["id"], c["status"]) for c in report["checks"]], [
            ("aws-identity", "pass"), ("role-arn", "pass"), ("oidc-provider", "pass"), ("role", "cannot-run"),
            ("trust-policy", "cannot-run"), ("push-permissions", "pass"), ("repository", "fail")])
        self.assertEqual(report["checks"][3]["summary"], "no iam:GetRole: AccessDenied")
        self.assertEqual(report["root_cause"], "repository")
        self.assertEqual(report["checks"][6]["summary"],
                         f"repository \"{REPO}\" does not exist in account {ACCOUNT}, region ap-northeast-1")

    def test_ecr_only_credentials(self):
        self.setup_aws()
        env = self.user_keys(["sts:GetCallerIdentity", "ecr:*"])
        code, out, _ = self.doctor("--github-repo", "octo-org/app", env=env)
        self.assertEqual(code, 7)
        self.assertEqual(out.splitlines()[2:7], [
            f" 3. – OIDC provider for {HOST}: no iam:ListOpenIDConnectProviders: AccessDenied",
            " 4. – IAM role: no iam:GetRole: AccessDenied",
            " 5. – Trust policy admits the token: the role's trust policy could not be read: "
            "no iam:GetRole: AccessDenied",
            " 6. – Role may run the workflow: no iam:ListRolePolicies: AccessDenied",
            f" 7. ✔ ECR repository: {REGISTRY}/{REPO}"])


if __name__ == "__main__":
    harness.main()
