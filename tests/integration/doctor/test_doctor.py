"""`shipctl doctor` on a laptop against moto_server (IAM, STS, ECR): one test
per cause of a failed keyless push, set up with boto3, asserting the exact
diagnosis. The claims are predicted from --github-repo/--ref/--event/... or
read from --token. Inside Actions (the job's real token): test_doctor_actions.py;
partial access (moto's IAM enforcement): test_doctor_partial.py.
"""

import datetime
import json
import os
import shlex

import harness
from github_oidc_support import SubjectCustomization
from doctor_support import (ACCOUNT, HOST, MAIN, OLD_PUSH_POLICY, OTHER_ACCOUNT, PROVIDER, PUSH_POLICY, REGION,
                            REGISTRY, REPO, REPO_ARN, ROLE, ROLE_ARN, DoctorCase, jwt, sub_line, trust_fix, trust_policy)


class Doctor(DoctorCase):
    # --- healthy -----------------------------------------------------------

    def test_healthy_setup_passes_every_check(self):
        self.setup_aws()
        expires = self.record_login()
        code, out, err = self.doctor("--github-repo", "octo-org/app")
        # No GITHUB_TOKEN: the predicted subject's form is a guess, and doctor says so (issue 15).
        self.assertEqual(err, "shipctl: warning: the OIDC subject format of octo-org/app is a guess: name form (no "
                              "GITHUB_TOKEN to ask GitHub); check it with `gh api repos/octo-org/app/actions/oidc/"
                              "customization/sub` (its sub_claim_prefix) and pass --subject-format name, immutable or both\n")
        self.assertEqual(out,
                         " 1. ✔ AWS identity (sts:GetCallerIdentity): "
                         f"arn:aws:sts::{ACCOUNT}:user/moto\n"
                         f" 2. ✔ Role ARN: {ROLE_ARN} (role {ROLE} in the caller's account)\n"
                         f" 3. ✔ OIDC provider for {HOST}: {PROVIDER} lists client id \"sts.amazonaws.com\"\n"
                         f" 4. ✔ IAM role: {ROLE_ARN}\n"
                         f" 5. ✔ Trust policy admits the token: admits sub \"{MAIN}\"\n"
                         "       claims predicted for octo-org/app, event push, ref refs/heads/main: "
                         f"sub \"{MAIN}\", aud \"sts.amazonaws.com\"\n"
                         f" 6. ✔ Role may run the workflow: every action that login, push and verify need is allowed (9 actions, on * and {REPO_ARN})\n"
                         f" 7. ✔ ECR repository: {REGISTRY}/{REPO}\n"
                         f" 8. ✔ Registry login (shipctl login): logged in to {REGISTRY} until {expires}\n"
                         " 9. · Workflow subjects against the trust policy: skipped: no .github/workflows here\n"
                         "\nNo problem found.\n")
        self.assertEqual(code, 0)

    def test_json_lists_checks_and_a_null_root_cause(self):
        self.setup_aws()
        self.record_login()
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--json")
        doc = json.loads(out)
        self.assertEqual(code, 0)
        self.assertIsNone(doc["root_cause"])
        self.assertEqual([c["id"] for c in doc["checks"]],
                         ["aws-identity", "role-arn", "oidc-provider", "role", "trust-policy", "push-permissions",
                          "repository", "login", "workflow-subjects"])
        self.assertEqual({c["status"] for c in doc["checks"]}, {"pass", "skipped"})

    # --- AssumeRoleWithWebIdentity causes ------------------------------------

    def test_missing_provider(self):
        self.setup_aws(provider=False)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn(f" 3. ✘ OIDC provider for {HOST}: no IAM OIDC provider for {HOST} in account {ACCOUNT}\n", out)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: OIDC provider for {HOST}: no IAM OIDC provider for {HOST} in account {ACCOUNT}\n"
                         "  Evidence:\n    providers in the account: none\n"
                         "  Fix:\n    shipctl bootstrap --apply\n"
                         f"    or: aws iam create-open-id-connect-provider --url https://{HOST} "
                         "--client-id-list sts.amazonaws.com\n"
                         "\nNot checked after the root cause: role, trust-policy, push-permissions, repository, login, workflow-subjects\n")

    def test_provider_without_the_client_id(self):
        self.setup_aws(client_ids=("sigstore",))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: OIDC provider for {HOST}: provider {PROVIDER} does not list the audience "
                         "\"sts.amazonaws.com\" as a client id\n"
                         "  Evidence:\n    client ids: \"sigstore\"\n"
                         "  Fix:\n    shipctl bootstrap --apply\n"
                         "    or: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn "
                         f"{PROVIDER} --client-id sts.amazonaws.com\n"
                         "\nNot checked after the root cause: role, trust-policy, push-permissions, repository, login, workflow-subjects\n")

    def test_missing_role(self):
        self.setup_aws(role=False)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: IAM role: role {ROLE} does not exist in account {ACCOUNT}\n"
                         f"  Evidence:\n    looked up {ROLE_ARN}\n"
                         f"  Fix:\n    shipctl bootstrap --apply --role-name {ROLE}\n"
                         f"    or: aws iam create-role --role-name {ROLE} "
                         "--assume-role-policy-document file://trust-policy.json\n"
                         "\nNot checked after the root cause: trust-policy, push-permissions, repository, login, workflow-subjects\n")

    def test_wildcard_under_string_equals(self):
        policy = trust_policy("repo:octo-org/app:*")
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        cause = self.root_cause(out)
        self.assertTrue(cause.startswith(
            "Root cause: Trust policy admits the token: StringEquals treats \"*\" and \"?\" literally (the value "
            "would match under StringLike); use StringLike for wildcards\n"
            "  Evidence:\n"
            "    claims predicted for octo-org/app, event push, ref refs/heads/main: "
            f"sub \"{MAIN}\", aud \"sts.amazonaws.com\"\n"
            f"    StringEquals {HOST}:sub failed at $.Statement[0].Condition.StringEquals[\"{HOST}:sub\"]\n"
            "    expected: \"repo:octo-org/app:*\"\n"
            f"    actual:   \"{MAIN}\"\n"
            "  Fix:\n    Replace the role's trust policy (diff: - current, + corrected):\n"), cause)
        self.assertIn(f"    -           \"{HOST}:sub\": \"repo:octo-org/app:*\"\n"
                      f"    +           \"{HOST}:sub\": \"{MAIN}\"\n", cause)
        self.assertIn(trust_fix("Replace", sub_line("repo:octo-org/app:*"), sub_line(MAIN)), cause)
        self.assertOracle(policy, MAIN, "ImplicitDeny")

    def test_wrong_case_of_owner(self):
        policy = trust_policy()
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "Octo-Org/App")
        self.assertEqual(code, 6)
        self.assertIn(
            "\nRoot cause: Trust policy admits the token: case differs: condition values are compared "
            "case-sensitively, and GitHub spells the owner and repository as in the token\n", out)
        self.assertIn("    actual:   \"repo:Octo-Org/App:ref:refs/heads/main\"\n", out)
        self.assertOracle(policy, "repo:Octo-Org/App:ref:refs/heads/main", "ImplicitDeny")
        self.assertOracle(policy, MAIN, "Allow")

    def test_environment_job_from_a_token_file(self):
        self.setup_aws()
        sub = "repo:octo-org/app:environment:production"
        token = os.path.join(self.home, "id-token.jwt")
        with open(token, "w") as f:
            f.write(jwt({"iss": f"https://{HOST}", "sub": sub, "aud": "sts.amazonaws.com",
                         "repository": "octo-org/app", "environment": "production"}))
        code, out, _ = self.doctor("--token", token)
        self.assertEqual(code, 6)
        self.assertIn(
            "\nRoot cause: Trust policy admits the token: the job uses a GitHub environment, so its sub is "
            f"\"{sub}\" instead of the branch form; admit the environment's sub or drop the job's environment\n", out)
        self.assertIn(f"    claims the token in {token}: sub \"{sub}\", aud \"sts.amazonaws.com\"\n", out)
        # The correction admits the environment and keeps main.
        self.assertIn(trust_fix("If this run should push, admit it as well: replace", sub_line(MAIN),
                                sub_line([sub, MAIN])), out)

    def test_the_printed_fix_applies_as_shown(self):
        # A branch name with a quote: the printed command must survive the shell.
        self.setup_aws()
        self.record_login()
        ref = "refs/heads/it's-ready"
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--ref", ref)
        self.assertEqual(code, 6)
        command = [line.strip() for line in out.splitlines() if "aws iam update-assume-role-policy" in line]
        self.assertEqual(len(command), 1, out)
        argv = shlex.split(command[0])
        self.assertEqual(argv[:6], ["aws", "iam", "update-assume-role-policy", "--role-name", ROLE,
                                    "--policy-document"])
        self.assertEqual(len(argv), 7)
        self.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=argv[6])
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--ref", ref)
        self.assertIn(" 5. ✔ Trust policy admits the token", out)
        self.assertEqual(code, 0, out)
        # What deployed before still deploys.
        self.assertEqual(self.doctor("--github-repo", "octo-org/app")[0], 0)
        policy = json.loads(argv[6])
        self.assertOracle(policy, f"repo:octo-org/app:ref:{ref}", "Allow")
        self.assertOracle(policy, MAIN, "Allow")

    def test_pull_request_run(self):
        policy = trust_policy()
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--event", "pull_request", "--ref",
                                   "refs/pull/7/merge")
        self.assertEqual(code, 6)
        pr = "repo:octo-org/app:pull_request"
        self.assertEqual(self.root_cause(out),
                         "Root cause: Trust policy admits the token: the workflow was triggered by a pull request, so "
                         f"its sub is \"{pr}\"; pull requests are not admitted (keep it that way unless they must deploy)\n"
                         "  Evidence:\n"
                         "    claims predicted for octo-org/app, event pull_request, ref refs/pull/7/merge: "
                         f"sub \"{pr}\", aud \"sts.amazonaws.com\"\n"
                         f"    StringEquals {HOST}:sub failed at $.Statement[0].Condition.StringEquals[\"{HOST}:sub\"]\n"
                         f"    expected: \"{MAIN}\"\n"
                         f"    actual:   \"{pr}\"\n" +
                         trust_fix("If this run should push, admit it as well: replace", sub_line(MAIN),
                                   sub_line([pr, MAIN])) +
                         "\nNot checked after the root cause: push-permissions, repository, login, workflow-subjects\n")
        self.assertOracle(policy, pr, "ImplicitDeny")

    def test_wrong_audience(self):
        self.setup_aws()
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--audience", "sigstore")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: OIDC provider for {HOST}: the token's audience \"sigstore\" is not a client id of "
                         f"{PROVIDER}: the token was requested for the wrong audience (STS answers \"Incorrect token "
                         "audience\")\n"
                         "  Evidence:\n    client ids: \"sts.amazonaws.com\"\n"
                         "    claims predicted for octo-org/app, event push, ref refs/heads/main: aud \"sigstore\"\n"
                         "  Fix:\n    Request the token for sts.amazonaws.com: with aws-actions/configure-aws-credentials set\n"
                         "      audience: sts.amazonaws.com\n"
                         "    or run `shipctl credentials --audience sts.amazonaws.com`.\n"
                         "\nNot checked after the root cause: role, trust-policy, push-permissions, repository, login, workflow-subjects\n")

    def test_trust_policy_expects_another_audience(self):
        policy = trust_policy(aud="https://github.com/octo-org")
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn("\nRoot cause: Trust policy admits the token: the condition expects audience "
                      "\"https://github.com/octo-org\", but tokens for AWS carry aud \"sts.amazonaws.com\"; put "
                      "sts.amazonaws.com in the condition\n"
                      "  Evidence:\n"
                      "    claims predicted for octo-org/app, event push, ref refs/heads/main: "
                      f"sub \"{MAIN}\", aud \"sts.amazonaws.com\"\n"
                      f"    StringEquals {HOST}:aud failed at $.Statement[0].Condition.StringEquals[\"{HOST}:aud\"]\n"
                      "    expected: \"https://github.com/octo-org\"\n"
                      "    actual:   \"sts.amazonaws.com\"\n", out)
        self.assertIn("  Fix:\n    Replace the role's trust policy (diff: - current, + corrected):\n", out)
        self.assertIn(f"    -           \"{HOST}:aud\": \"https://github.com/octo-org\",\n"
                      f"    +           \"{HOST}:aud\": \"sts.amazonaws.com\",\n", out)
        self.assertOracle(policy, MAIN, "ImplicitDeny")

    def test_immutable_subject_against_a_name_policy(self):
        policy = trust_policy()
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--subject-format", "immutable", "--owner-id",
                                   "1001", "--repo-id", "2002")
        self.assertEqual(code, 6)
        sub = "repo:octo-org@1001/app@2002:ref:refs/heads/main"
        self.assertEqual(self.root_cause(out),
                         "Root cause: Trust policy admits the token: the repository uses immutable subjects "
                         f"(\"{sub}\"): a name-only sub never matches; use repo:OWNER@OWNER_ID/REPO@REPO_ID:... in the "
                         "condition\n"
                         "  Evidence:\n"
                         f"    claims predicted for octo-org/app, event push, ref refs/heads/main: sub \"{sub}\", "
                         "aud \"sts.amazonaws.com\"\n"
                         f"    StringEquals {HOST}:sub failed at $.Statement[0].Condition.StringEquals[\"{HOST}:sub\"]\n"
                         f"    expected: \"{MAIN}\"\n"
                         f"    actual:   \"{sub}\"\n" +
                         trust_fix("Replace", sub_line(MAIN), sub_line(sub)) +
                         "\nNot checked after the root cause: push-permissions, repository, login, workflow-subjects\n")
        self.assertOracle(policy, sub, "ImplicitDeny")

    def test_immutable_policy_against_a_name_subject(self):
        immutable = "repo:octo-org@1001/app@2002:ref:refs/heads/main"
        self.setup_aws(trust=trust_policy(immutable))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn("\nRoot cause: Trust policy admits the token: the condition expects the immutable subject form "
                      "repo:OWNER@OWNER_ID/REPO@REPO_ID, but the token's sub "
                      f"\"{MAIN}\" is name-only; match the subject format the repository really uses (--subject-format)\n",
                      out)
        self.assertIn(trust_fix("Replace", sub_line(immutable), sub_line(MAIN)), out)

    # --- ECR causes ------------------------------------------------------------

    def test_missing_push_permissions(self):
        self.setup_aws(push_policy=False)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn(
            "\nRoot cause: Role may run the workflow: the role's policies do not allow "
            "ecr:GetAuthorizationToken (shipctl login, shipctl push), ecr:BatchCheckLayerAvailability (shipctl push), "
            "ecr:InitiateLayerUpload (shipctl push), ecr:UploadLayerPart (shipctl push), "
            "ecr:CompleteLayerUpload (shipctl push), ecr:PutImage (shipctl push), ecr:BatchGetImage (shipctl push), "
            "ecr:DescribeRepositories (shipctl verify), ecr:DescribeImages (shipctl verify)\n"
            "  Evidence:\n    ecr:GetAuthorizationToken (shipctl login, shipctl push) is not allowed on *: ImplicitDeny\n", out)
        self.assertIn(f"    and run: aws iam put-role-policy --role-name {ROLE} --policy-name ShipctlEcrPush "
                      "--policy-document file://ecr-push.json\n", out)
        # The fix carries the table's policy, verbatim.
        fix_policy = out[out.index("save this as ecr-push.json:\n") + len("save this as ecr-push.json:\n"):
                         out.index("    and run: aws iam put-role-policy")]
        self.assertEqual(json.loads(fix_policy), PUSH_POLICY)

    def test_a_role_set_up_before_verify_existed_is_told_which_actions_verify_lacks(self):
        # issue 12: bootstrap's older policy let the push through and the Verify step was refused.
        self.setup_aws(push_policy=OLD_PUSH_POLICY)
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--json")
        self.assertEqual(code, 6)
        report = json.loads(out)
        self.assertEqual(report["root_cause"], "push-permissions")
        check = next(c for c in report["checks"] if c["id"] == "push-permissions")
        self.assertEqual(check["status"], "fail")
        self.assertEqual(check["summary"], "the role's policies do not allow ecr:DescribeRepositories "
                                           "(shipctl verify), ecr:DescribeImages (shipctl verify)")
        self.assertIn(f"ecr:DescribeImages (shipctl verify) is not allowed on {REPO_ARN}: ImplicitDeny", check["evidence"])
        self.assertIn(f"ecr:PutImage on {REPO_ARN}: Allow (inline policy ecr-push)", check["evidence"])

    def test_missing_repository_lists_the_region(self):
        self.setup_aws(repositories=("web", "worker"))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: repository \"{REPO}\" does not exist in account {ACCOUNT}, "
                         f"region {REGION}\n"
                         f"  Evidence:\n    repositories in {REGION}: web, worker\n"
                         f"    only {REGION} was checked; pass --region if the repository is elsewhere\n"
                         f"  Fix:\n    shipctl bootstrap --apply --repository {REPO} --region {REGION}\n"
                         f"    or: aws ecr create-repository --repository-name {REPO} --region {REGION}\n"
                         "\nNot checked after the root cause: login, workflow-subjects\n")

    def test_full_uri_as_repository_name(self):
        self.setup_aws()
        uri = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{REPO}:v1"
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--repository", uri)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: \"{uri}\" is a full image URI, not a repository name\n"
                         f"  Evidence:\n    registry account {ACCOUNT}, region us-east-1, repository {REPO}\n"
                         f"    the URI names region us-east-1, but the region checked is {REGION}\n"
                         f"  Fix:\n    Give the name only: --repository {REPO} (in deploy.yml: ECR_REPOSITORY: {REPO})\n"
                         "\nNot checked after the root cause: login, workflow-subjects\n")

    def test_repository_arn_as_repository_name(self):
        self.setup_aws()
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--repository", REPO_ARN)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: \"{REPO_ARN}\" is a repository ARN, not a repository name\n"
                         f"  Evidence:\n    registry account {ACCOUNT}, region {REGION}, repository {REPO}\n"
                         f"  Fix:\n    Give the name only: --repository {REPO} (in deploy.yml: ECR_REPOSITORY: {REPO})\n"
                         "\nNot checked after the root cause: login, workflow-subjects\n")

    def test_repository_uri_in_another_account(self):
        self.setup_aws(repositories=())
        uri = f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{REPO}"
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--repository", uri)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: repository \"{REPO}\" is in account {OTHER_ACCOUNT}, but the "
                         f"credentials are for account {ACCOUNT}\n"
                         f"  Evidence:\n    --repository {uri} is a full image URI: account {OTHER_ACCOUNT}, region "
                         f"{REGION}, repository {REPO}\n"
                         f"    the workflow assumes {ROLE_ARN} (account {ACCOUNT})\n"
                         f"    account {ACCOUNT} has no repository \"{REPO}\" in {REGION}\n"
                         f"  Fix:\n    Push to account {ACCOUNT}'s repository instead: --repository {REPO} (in deploy.yml: "
                         f"ECR_REPOSITORY: {REPO});\n"
                         f"    create it there first: shipctl bootstrap --apply --repository {REPO} --region {REGION}\n"
                         f"    or assume a role in account {OTHER_ACCOUNT}: gh secret set AWS_ROLE_ARN --body "
                         f"arn:aws:iam::{OTHER_ACCOUNT}:role/{ROLE}\n"
                         f"    (shipctl bootstrap --apply, run with account {OTHER_ACCOUNT}'s credentials, creates it)\n"
                         "\nNot checked after the root cause: login, workflow-subjects\n")

    def test_repository_arn_in_another_account(self):
        self.setup_aws()
        arn = f"arn:aws:ecr:us-east-1:{OTHER_ACCOUNT}:repository/{REPO}"
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--repository", arn)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: repository \"{REPO}\" is in account {OTHER_ACCOUNT}, but the "
                         f"credentials are for account {ACCOUNT}\n"
                         f"  Evidence:\n    --repository {arn} is a repository ARN: account {OTHER_ACCOUNT}, region "
                         f"us-east-1, repository {REPO}\n"
                         f"    the workflow assumes {ROLE_ARN} (account {ACCOUNT})\n"
                         f"    the ARN names region us-east-1, but the region checked is {REGION}\n"
                         f"    account {ACCOUNT} has repository \"{REPO}\" in {REGION}\n"
                         f"  Fix:\n    Push to account {ACCOUNT}'s repository instead: --repository {REPO} (in deploy.yml: "
                         f"ECR_REPOSITORY: {REPO})\n"
                         f"    or assume a role in account {OTHER_ACCOUNT}: gh secret set AWS_ROLE_ARN --body "
                         f"arn:aws:iam::{OTHER_ACCOUNT}:role/{ROLE}\n"
                         f"    (shipctl bootstrap --apply, run with account {OTHER_ACCOUNT}'s credentials, creates it)\n"
                         "\nNot checked after the root cause: login, workflow-subjects\n")

    def test_missing_login_is_fine_for_shipctl_push(self):
        self.setup_aws()
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 0, out)
        self.assertIn(f"Registry login (shipctl login): no login recorded for {REGISTRY}: not needed, shipctl push "
                      "gets an ECR token itself (docker push would need one: --push-tool docker checks for it)\n", out)

    def test_missing_login(self):
        self.setup_aws()
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--push-tool", "docker")
        self.assertEqual(code, 6)
        state = os.path.join(self.home, "state", "shipctl", "logins.json")
        self.assertEqual(self.root_cause(out),
                         f"Root cause: Registry login (shipctl login): no login recorded for {REGISTRY}: a push would "
                         "fail with \"no basic auth credentials\"\n"
                         f"  Evidence:\n    login record: {state}\n"
                         "    logins recorded for other registries: none\n"
                         f"  Fix:\n    shipctl login --region {REGION}\n"
                         "\nNot checked after the root cause: workflow-subjects\n")

    def test_expired_login(self):
        self.setup_aws()
        expired = self.record_login(expires=datetime.timedelta(hours=-1))
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--push-tool", "docker")
        self.assertEqual(code, 6)
        self.assertIn(f"\nRoot cause: Registry login (shipctl login): the login to {REGISTRY} expired at {expired} "
                      "(ECR tokens last 12 hours): \"no basic auth credentials\"\n", out)

    def test_expired_login_is_no_cause_for_shipctl_push(self):
        # shipctl push renews a refused login with the AWS credentials.
        self.setup_aws()
        expired = self.record_login(expires=datetime.timedelta(hours=-1))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 0, out)
        self.assertIn(f"Registry login (shipctl login): the login to {REGISTRY} expired at {expired}: not a problem "
                      "for shipctl push, which gets a new ECR token with the AWS credentials when the registry "
                      "refuses it (docker push would fail: --push-tool docker checks for it)\n", out)

    def test_login_for_another_region(self):
        self.setup_aws()
        other = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
        self.record_login(registry=other)
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--push-tool", "docker")
        self.assertEqual(code, 6)
        self.assertIn(f"    logins recorded for other registries: {other}\n", out)

    # --- workflow and secret causes ---------------------------------------------

    def test_role_arn_secret_in_another_account(self):
        self.setup_aws()
        env = dict(self.env, AWS_ROLE_ARN=f"arn:aws:iam::999999999999:role/{ROLE}")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertIn(f" 2. ✘ Role ARN: AWS_ROLE_ARN points at account 999999999999, but the caller's account is "
                      f"{ACCOUNT}\n", out)
        self.assertIn(f"    gh secret set AWS_ROLE_ARN --body {ROLE_ARN}\n", out)

    def test_malformed_role_arn(self):
        code, out, _ = self.doctor("--role-arn", "GitHubActionsECRRole")
        self.assertEqual(code, 6)
        self.assertIn(" 2. ✘ Role ARN: --role-arn \"GitHubActionsECRRole\" is not a role ARN "
                      "(expected arn:aws:iam::<account-id>:role/<name>)\n", out)

    def test_trust_check_cannot_run_without_claims(self):
        self.setup_aws()
        self.record_login()
        code, out, _ = self.doctor()
        self.assertEqual(code, 7)
        self.assertIn(" 5. – Trust policy admits the token: no claims to evaluate: give --github-repo OWNER/REPO "
                      "(with --ref, --event, --environment) or --token FILE\n", out)
        self.assertTrue(out.endswith("\nNo root cause found, but some checks could not run.\n"), out)

    def test_the_subject_format_is_asked_of_github(self):
        # issue 15: with GITHUB_TOKEN, the predicted sub has the form GitHub reports (sub_claim_prefix)
        self.setup_aws()
        immutable = (200, {"use_default": True, "use_immutable_subject": False,
                           "sub_claim_prefix": "repo:octo-org@1001/app@2002"})
        with SubjectCustomization(immutable) as github:
            code, out, err = self.doctor("--github-repo", "octo-org/app", env=dict(self.env, **github.env))
        self.assertEqual((code, err), (6, ""))
        self.assertIn("the repository uses immutable subjects (\"repo:octo-org@1001/app@2002:ref:refs/heads/main\")", out)
        self.assertEqual(github.seen, ["/repos/octo-org/app/actions/oidc/customization/sub"])
        code, _, err = self.doctor("--github-repo", "octo-org/app", "--subject-format", "both")
        # a run has one subject: doctor predicts one token
        self.assertEqual((code, err), (2, "shipctl: error: --subject-format: both not in {name,immutable,auto} "
                                          "(shipctl doctor --help)\n"))

    def test_bad_github_repo_is_one_line_and_exit_2(self):
        code, out, err = self.doctor("--github-repo", "octo-org")
        self.assertEqual((code, out), (2, ""))
        self.assertEqual(err, "shipctl: error: --github-repo: repository \"octo-org\" is not OWNER/REPO\n")


if __name__ == "__main__":
    harness.main()
