"""The ECS stand-in runs an image pushed to the ECR stand-in, named as a
deploy names it (`<account>.dkr.ecr.<region>.amazonaws.com/REPO@sha256:...`):
it pulls from the registry's plain-http upstream with the ECR password, as
the rehearsal pulls, and the service revision reports the pushed digest."""

import contextlib
import json
import os
import tempfile

import ecs_support as S
import harness
from ecr_stand_in import ecr_stand_in
from ecs_podman import Registry
from ecs_rollout import Settings
from ecs_stand_in import EcsStandIn


class EcrImage(S.unittest.TestCase):
    def test_an_image_pushed_to_ecr_is_pulled_by_digest_and_served(self):
        with contextlib.ExitStack() as stack:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="ecs-ecr-"))
            images = S.TinyImages(workdir)
            stack.callback(images.remove)
            ecr = stack.enter_context(ecr_stand_in(workdir))
            ecr.create_repository("web")
            digest_file = os.path.join(workdir, "digest")
            S.podman("push", "--quiet", "--tls-verify=false", "--creds", f"AWS:{ecr.password}", "--digestfile",
                     digest_file, images.image(S.COMMIT_A), f"docker://{ecr.upstream}/web:v1")
            with open(digest_file) as f:
                digest = f.read().strip()
            image = f"{ecr.host}/web@{digest}"
            ecs = EcsStandIn(workdir, registries=[Registry(ecr.host, ecr.upstream, "AWS", ecr.password)],
                             settings=Settings(bake_seconds=0.2), ca=(ecr.ca, os.path.join(workdir, "ca.key")))
            stack.callback(ecs.close)
            stack.callback(S.podman, "rmi", "--force", f"{ecr.upstream}/web@{digest}", check=False)
            case = S.Clients()
            case.ecs = ecs
            service = case.boto().create_express_gateway_service(**S.create_input("from-ecr", image))["service"]
            deployment = case.wait_deployment(service["currentDeployment"])
            self.assertEqual(deployment["status"], "SUCCESSFUL", deployment)
            revision = case.boto().describe_service_revisions(
                serviceRevisionArns=[deployment["targetServiceRevision"]["arn"]])["serviceRevisions"][0]
            self.assertEqual(revision["containerImages"][0]["imageDigest"], digest)
            self.assertEqual(ecs.ca, ecr.ca, "one CA file (SHIPCTL_CA_FILE) must trust both stand-ins")
            status, body = case.get("from-ecr.ecs.ap-northeast-1.on.aws")
            self.assertEqual((status, json.loads(body)["commit"]), (200, S.COMMIT_A))
            self.assertEqual(ecs.bugs, [])
        self.assertEqual(S.leftover_containers(ecs.podman.instance), [])


if __name__ == "__main__":
    harness.main()
