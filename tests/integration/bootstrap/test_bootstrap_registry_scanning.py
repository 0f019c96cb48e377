"""`shipctl bootstrap` and the registry's scanning configuration (issue 18),
against moto_server with IAM enforcement on: the account's existing rules
survive (scanType, every rule, every filter), the plan says the change is
account-wide and writes nothing, a second run changes nothing, a registry
that already scans the repository is never written (the caller may not),
and a refused read names the permission and --skip-registry-scanning.

moto 5.2.1 keeps scanType and rules as sent and answers BASIC without rules
for an unconfigured registry, as ECR does; it checks none of ECR's limits
(2 rules, 100 filters a rule), which tests/unit/bootstrap covers.
"""

import json
import os
import subprocess
import tempfile

import boto3

import harness

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
REPO = "ecs-express-mode-api"
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ACCOUNT_WIDE = (f"      ACCOUNT-WIDE: this is the scanning configuration of the whole registry, every repository of "
                f"account {ACCOUNT} in {REGION}, not a setting of {REPO}.")
STEP = f"  ~ scan on push for ECR repository {REPO}, set in the registry's scanning configuration (account-wide)"


def rule(frequency, *filters):
    return {"scanFrequency": frequency, "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters]}


class BootstrapRegistryScanningTest(harness.MotoTestCase):
    def setUp(self):
        harness.moto_post(self.moto, "/moto-api/reset-auth", b"inf")  # enforcement off while the account is reset
        super().setUp()
        self.admin = harness.enforce_iam(self.moto, REGION)
        self.users = {}
        self.home = tempfile.TemporaryDirectory()
        self.addCleanup(self.home.cleanup)
        kw = dict(endpoint_url=self.moto, region_name=REGION, aws_access_key_id=self.admin["AWS_ACCESS_KEY_ID"],
                  aws_secret_access_key=self.admin["AWS_SECRET_ACCESS_KEY"])
        self.iam = boto3.client("iam", **kw)
        self.ecr = boto3.client("ecr", **kw)

    def user_denied(self, *actions):
        """Keys of a user allowed everything but `actions` (an explicit Deny)."""
        name = "limited-" + "-".join(a.split(":")[1] for a in actions)
        if name in self.users:
            return self.users[name]
        self.iam.create_user(UserName=name)
        policy = {"Version": "2012-10-17",
                  "Statement": [ALLOW_ALL, {"Effect": "Deny", "Action": list(actions), "Resource": "*"}]}
        self.iam.put_user_policy(UserName=name, PolicyName="AllButScanning", PolicyDocument=json.dumps(policy))
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.users[name] = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        return self.users[name]

    def bootstrap(self, *args, keys=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
        env.update(HOME=self.home.name, AWS_ENDPOINT_URL=self.moto, AWS_EC2_METADATA_DISABLED="true", **(keys or self.admin))
        return subprocess.run([harness.binary("shipctl"), "bootstrap", "--github-repo", "octo-org/app",
                               "--subject-format", "name", *args], capture_output=True, text=True, timeout=60,
                              env=env, cwd=self.home.name, stdin=subprocess.DEVNULL)

    def scanning(self):
        return self.ecr.get_registry_scanning_configuration()["scanningConfiguration"]

    def test_existing_rules_survive_and_a_second_run_changes_nothing(self):
        existing = [rule("CONTINUOUS_SCAN", "prod-*"), rule("SCAN_ON_PUSH", "team/*", "legacy")]
        self.ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=existing)
        planned = self.bootstrap("--json", keys=self.user_denied("ecr:PutRegistryScanningConfiguration"))
        self.assertEqual(planned.returncode, 0, planned.stderr)
        change = [c for c in json.loads(planned.stdout)["changes"] if c["action"] == "put-registry-scanning-configuration"]
        self.assertEqual(len(change), 1, planned.stdout)
        self.assertEqual((change[0]["account_wide"], change[0]["resource"]),
                         (True, f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"))
        self.assertEqual(change[0]["before"], {"scanType": "ENHANCED", "rules": existing})
        after = {"scanType": "ENHANCED", "rules": [existing[0], rule("SCAN_ON_PUSH", "team/*", "legacy", REPO)]}
        self.assertEqual(change[0]["after"], after)
        self.assertEqual(self.scanning(), {"scanType": "ENHANCED", "rules": existing}, "a plan writes nothing")

        applied = self.bootstrap("--apply")
        self.assertEqual(applied.returncode, 0, applied.stderr)
        lines = applied.stdout.splitlines()
        self.assertIn(STEP, lines)
        self.assertIn(ACCOUNT_WIDE, lines)
        self.assertIn(f"      It adds filter \"{REPO}\" in the existing SCAN_ON_PUSH rule; scanType ENHANCED and the "
                      "2 existing rule(s) with their 3 filter(s) stay as they are.", lines)
        self.assertIn("Applied 6 changes.", lines)
        self.assertEqual(self.scanning(), after)

        again = self.bootstrap("--apply", keys=self.user_denied("ecr:PutRegistryScanningConfiguration"))
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout.splitlines()[2:4], [
            "No changes: the OIDC provider, role, policies and repository are as desired.",
            f"Registry scanning: {REPO} is already scanned on push (SCAN_ON_PUSH rule, filter \"{REPO}\"); nothing to write."])
        self.assertEqual(self.scanning(), after)

    def test_an_unconfigured_registry_gets_one_scan_on_push_rule(self):
        self.assertEqual(self.scanning(), {"scanType": "BASIC", "rules": []})  # ECR's default
        plan = self.bootstrap()
        self.assertEqual(plan.returncode, 0, plan.stderr)
        lines = plan.stdout.splitlines()
        at = lines.index(STEP)
        self.assertEqual(lines[at + 1:at + 4], [
            ACCOUNT_WIDE,
            f"      It adds a SCAN_ON_PUSH rule with filter \"{REPO}\"; scanType BASIC stays (there are no rules yet).",
            "      A filter without '*' matches every repository whose name contains it."])
        self.assertIn("      -   \"rules\": [],", lines)
        self.assertIn(f"      +           \"filter\": \"{REPO}\",", lines)
        self.assertEqual(self.scanning(), {"scanType": "BASIC", "rules": []})
        self.assertEqual(self.bootstrap("--apply").returncode, 0)
        self.assertEqual(self.scanning(), {"scanType": "BASIC", "rules": [rule("SCAN_ON_PUSH", REPO)]})

    def test_a_registry_that_already_scans_the_repository_is_not_written(self):
        self.ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[rule("SCAN_ON_PUSH", "ecs-*")])
        r = self.bootstrap("--apply", keys=self.user_denied("ecr:PutRegistryScanningConfiguration"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Applied 5 changes.", r.stdout.splitlines())
        self.assertIn(f"Registry scanning: {REPO} is already scanned on push (SCAN_ON_PUSH rule, filter \"ecs-*\"); "
                      "nothing to write.", r.stdout.splitlines())
        self.assertEqual(self.scanning(), {"scanType": "BASIC", "rules": [rule("SCAN_ON_PUSH", "ecs-*")]})

    def test_a_refused_read_names_the_permission_and_the_way_around(self):
        keys = self.user_denied("ecr:GetRegistryScanningConfiguration", "ecr:PutRegistryScanningConfiguration")
        r = self.bootstrap(keys=keys)
        self.assertEqual(r.returncode, 77, r.stderr)
        error = r.stderr.splitlines()[-1]
        self.assertTrue(error.startswith(f"shipctl: error: reading the registry scanning configuration of {ACCOUNT}.dkr."
                                         f"ecr.{REGION}.amazonaws.com: ECR GetRegistryScanningConfiguration: "), error)
        self.assertTrue(error.endswith("; bootstrap needs ecr:GetRegistryScanningConfiguration (and "
                                       "ecr:PutRegistryScanningConfiguration to add the repository to the registry's "
                                       "scan-on-push rule), or pass --skip-registry-scanning to leave the registry's "
                                       "scanning configuration as it is"), error)
        skipped = self.bootstrap("--apply", "--skip-registry-scanning", keys=keys)
        self.assertEqual(skipped.returncode, 0, skipped.stderr)
        lines = skipped.stdout.splitlines()
        self.assertIn("Applied 5 changes.", lines)
        self.assertIn(f"Registry scanning: not read (--skip-registry-scanning); the registry's rules decide whether {REPO} "
                      "is scanned on push.", lines)
        self.assertEqual(self.scanning(), {"scanType": "BASIC", "rules": []})


if __name__ == "__main__":
    harness.main()
