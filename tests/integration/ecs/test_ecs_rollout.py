"""Rollouts of the ECS stand-in with real containers (the tiny test image):
a create serves its commit over TLS at `<service>.ecs.<region>.on.aws`; a
rolling update switches keep-alive clients to the new container without a
failed request; an image that never becomes healthy is rolled back while the
old container keeps serving; the rollout fault switches (unhealthy, stall,
wrong commit); a newer update stops the one in progress; delete stops every
container; the standalone mode prints its env and cleans up on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import ecs_support as S
import harness
from ecs_podman import Podman
from ecs_rollout import BREAKER, PULL_DENIED, STAGES, Settings

HOST = "{}.ecs.ap-northeast-1.on.aws"


class Rollout(S.StandInCase):
    settings = Settings(bake_seconds=0.5, health_timeout=3.0)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.image_a = cls.images.image(S.COMMIT_A)
        cls.image_b = cls.images.image(S.COMMIT_B)
        cls.image_sick = cls.images.image("c" * 40, ping_status=503)

    def create(self, name: str, image: str, wait: str = "SUCCESSFUL") -> dict:
        service = self.boto().create_express_gateway_service(**S.create_input(name, image))["service"]
        deployment = self.wait_deployment(service["currentDeployment"])
        self.assertEqual(deployment["status"], wait, deployment)
        return service

    def update(self, arn: str, image: str) -> str:
        """Starts an update; returns its deployment ARN (the newest in the list)."""
        self.boto().update_express_gateway_service(
            serviceArn=arn, primaryContainer={"image": image, "containerPort": 8080}, cpu="256", memory="512",
            healthCheckPath="/ping")
        return self.boto().list_service_deployments(service=arn, maxResults=1)["serviceDeployments"][0][
            "serviceDeploymentArn"]

    def commit_served(self, name: str) -> str:
        status, body = self.get(HOST.format(name))
        self.assertEqual(status, 200, body)
        return json.loads(body)["commit"]

    def containers(self, name: str) -> list[str]:
        return next(s["containers"] for s in self.state()["services"] if s["name"] == name)

    def test_a_create_goes_through_every_stage_and_serves_its_commit(self):
        service = self.create("first", self.image_a)
        deployment = self.boto().list_service_deployments(service=service["serviceArn"])["serviceDeployments"][0]
        self.assertEqual(self.history(deployment["serviceDeploymentArn"]),
                         [("PENDING", None)] + [("IN_PROGRESS", s) for s in STAGES] + [("SUCCESSFUL", "CLEAN_UP")])
        self.assertEqual(self.commit_served("first"), S.COMMIT_A)
        revision = self.boto().describe_service_revisions(
            serviceRevisionArns=[deployment["targetServiceRevisionArn"]])["serviceRevisions"][0]
        digest = S.podman("image", "inspect", "--format", "{{.Digest}}", self.image_a)
        self.assertEqual(revision["containerImages"], [{"containerName": "Main", "image": self.image_a,
                                                        "imageDigest": digest}])
        self.assertEqual(len(self.containers("first")), 1)

    def test_a_rolling_update_under_keepalive_load_fails_no_request(self):
        service = self.create("rolling", self.image_a)
        load = KeepAliveLoad(HOST.format("rolling"), self.ecs.proxy.port, self.ecs.ca, clients=4)
        load.start()
        try:
            deployment = self.wait_deployment(self.update(service["serviceArn"], self.image_b))
            time.sleep(0.3)  # requests after the switch and the old container's stop
        finally:
            load.stop()
        self.assertEqual(deployment["status"], "SUCCESSFUL")
        self.assertEqual(load.failures, [], f"{len(load.failures)} of {load.count} requests failed")
        for seen in load.commits:
            self.assertEqual(seen[0], S.COMMIT_A)
            self.assertEqual(seen[-1], S.COMMIT_B)
            self.assertEqual(seen, sorted(seen), "a client saw the old commit after the new one")
        self.assertEqual(load.connections, 4, "the proxy closed client keep-alive connections")
        self.assertEqual(len(self.containers("rolling")), 1, "the old container was not stopped")

    def test_an_image_that_never_becomes_healthy_is_rolled_back(self):
        service = self.create("sick", self.image_a)
        first = service["activeConfigurations"][0]["serviceRevisionArn"]
        deployment = self.wait_deployment(self.update(service["serviceArn"], self.image_sick))
        self.assertEqual(deployment["status"], "ROLLBACK_SUCCESSFUL")
        self.assertEqual(deployment["statusReason"], BREAKER)
        self.assertEqual(deployment["rollback"]["serviceRevisionArn"], first)
        self.assertRegex(deployment["rollback"]["reason"], r"^Task failed ELB health checks in \(target-group "
                                                           r"arn:aws:elasticloadbalancing:.*\): GET /ping answered 503")
        self.assertEqual(deployment["deploymentCircuitBreaker"]["status"], "TRIGGERED")
        self.assertIn(("ROLLBACK_IN_PROGRESS", "POST_SCALE_UP"), self.history(deployment["serviceDeploymentArn"]))
        self.assertEqual(self.commit_served("sick"), S.COMMIT_A)
        described = self.boto().describe_express_gateway_service(serviceArn=service["serviceArn"])["service"]
        self.assertEqual([c["serviceRevisionArn"] for c in described["activeConfigurations"]], [first])
        self.assertEqual(len(self.containers("sick")), 1)

    def test_a_first_deployment_that_never_becomes_healthy_fails(self):
        self.create("sick-first", self.image_sick, wait="ROLLBACK_FAILED")
        self.assertEqual(self.get(HOST.format("sick-first"))[0], 503)
        self.assertEqual(self.containers("sick-first"), [])

    def test_the_unhealthy_switch_rolls_back_a_healthy_image(self):
        service = self.create("switch-sick", self.image_a)
        self.ecs.set_faults(unhealthy=True)
        deployment = self.wait_deployment(self.update(service["serviceArn"], self.image_b))
        self.assertEqual(deployment["status"], "ROLLBACK_SUCCESSFUL")
        self.assertIn("unhealthy switch", deployment["rollback"]["reason"])
        self.assertEqual(self.commit_served("switch-sick"), S.COMMIT_A)

    def test_a_stalled_rollout_stays_in_progress_until_released(self):
        service = self.create("stalled", self.image_a)
        self.ecs.set_faults(stall="SCALE_UP")
        arn = self.update(service["serviceArn"], self.image_b)
        for _ in range(5):
            d = self.boto().describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
            self.assertEqual((d["status"], d.get("lifecycleStage")), ("IN_PROGRESS", "SCALE_UP"))
            self.assertEqual(self.commit_served("stalled"), S.COMMIT_A)
            time.sleep(0.2)
        self.ecs.set_faults(stall=None)
        self.assertEqual(self.wait_deployment(arn)["status"], "SUCCESSFUL")
        self.assertEqual(self.commit_served("stalled"), S.COMMIT_B)

    def test_a_newer_update_stops_the_one_in_progress(self):
        service = self.create("superseded", self.image_a)
        self.ecs.set_faults(stall="SCALE_UP")
        older = self.update(service["serviceArn"], self.image_sick)
        newer = self.update(service["serviceArn"], self.image_b)
        stopped = self.wait_deployment(older)
        self.assertEqual(stopped["status"], "STOPPED")
        self.assertEqual(stopped["statusReason"], "Service deployment stopped: a newer deployment replaced it.")
        self.ecs.set_faults(stall=None)
        self.assertEqual(self.wait_deployment(newer)["status"], "SUCCESSFUL")
        self.assertEqual(self.commit_served("superseded"), S.COMMIT_B)

    def test_an_image_that_cannot_be_pulled_fails_with_the_ecs_reason(self):
        service = self.create("unpullable", self.image_a)
        deployment = self.wait_deployment(self.update(service["serviceArn"], "localhost/ecs-stand-in-test:missing"))
        self.assertEqual(deployment["status"], "ROLLBACK_SUCCESSFUL")
        self.assertRegex(deployment["rollback"]["reason"], r"^CannotPullContainerError: pull image manifest has been "
                                                           r"retried 1 time\(s\): podman image: ")
        self.ecs.set_faults(pull_denied=True)
        deployment = self.wait_deployment(self.update(service["serviceArn"], self.image_b))
        self.assertEqual(deployment["status"], "ROLLBACK_SUCCESSFUL")
        self.assertEqual(deployment["rollback"]["reason"], PULL_DENIED.format(account=S.ACCOUNT,
                                                                              role="ecsTaskExecutionRole"))
        self.assertEqual(self.commit_served("unpullable"), S.COMMIT_A)

    def test_a_deployment_stopped_after_its_switch_stops_the_container_it_replaced(self):
        service = self.create("late-stop", self.image_a)
        self.ecs.set_faults(stall="BAKE_TIME")
        older = self.update(service["serviceArn"], self.image_b)
        self.wait_stage(older, "BAKE_TIME")
        self.assertEqual(self.commit_served("late-stop"), S.COMMIT_B)
        newer = self.update(service["serviceArn"], self.image_b)
        self.assertEqual(self.wait_deployment(older)["status"], "STOPPED")
        self.ecs.set_faults(stall=None)
        self.assertEqual(self.wait_deployment(newer)["status"], "SUCCESSFUL")
        self.assertEqual(len(self.containers("late-stop")), 1)
        self.assertEqual(len(S.leftover_containers(self.ecs.podman.instance)),
                         sum(len(s["containers"]) for s in self.state()["services"]), "a container outside the state")

    def wait_stage(self, arn: str, stage: str) -> None:
        deadline = time.monotonic() + 30
        while self.ecs.deployments[arn].stage != stage:
            self.assertLess(time.monotonic(), deadline, f"{arn} never reached {stage}")
            time.sleep(0.05)

    def state(self) -> dict:
        with urllib.request.urlopen(self.ecs.url + "/_stand_in/state", timeout=5) as r:
            return json.loads(r.read())

    def test_the_wrong_commit_switch_changes_only_version(self):
        self.create("liar", self.image_a)
        self.ecs.set_faults(wrong_commit={"service": "liar", "commit": "f" * 40})
        self.assertEqual(self.commit_served("liar"), "f" * 40)
        self.assertEqual(self.get(HOST.format("liar"), "/ping"), (200, "pong\n"))
        self.ecs.set_faults(wrong_commit=None)
        self.assertEqual(self.commit_served("liar"), S.COMMIT_A)

    def test_the_proxy_survives_hostile_clients(self):
        self.create("sturdy", self.image_a)
        with socket.create_connection(("127.0.0.1", self.ecs.proxy.port)) as plain:
            plain.sendall(b"GET /version HTTP/1.1\r\nHost: sturdy.ecs.ap-northeast-1.on.aws\r\n\r\n")
            plain.settimeout(15)
            try:
                answer = plain.recv(100)
            except ConnectionResetError:
                answer = b""
            self.assertIn(answer[:1], (b"", b"\x15"), "plain HTTP on the TLS port: a TLS alert or a close")
        conn = S.EndpointConnection("unknown.ecs.ap-northeast-1.on.aws", self.ecs.proxy.port, self.ecs.ca)
        conn.request("GET", "/version")
        self.assertEqual(conn.getresponse().status, 503)
        conn.close()
        conn = S.EndpointConnection("sturdy.ecs.ap-northeast-1.on.aws", self.ecs.proxy.port, self.ecs.ca)
        conn.putrequest("POST", "/version")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        self.assertEqual(conn.getresponse().status, 411)
        conn.close()
        self.assertEqual(self.commit_served("sturdy"), S.COMMIT_A)

    def test_delete_drains_and_stops_every_container(self):
        service = self.create("doomed", self.image_a)
        client = self.boto()
        deleted = client.delete_express_gateway_service(serviceArn=service["serviceArn"])["service"]
        self.assertEqual(deleted["status"]["statusCode"], "DRAINING")
        deadline = time.monotonic() + 30
        while client.describe_express_gateway_service(serviceArn=service["serviceArn"])["service"]["status"][
                "statusCode"] != "INACTIVE":
            self.assertLess(time.monotonic(), deadline, "the service never became INACTIVE")
            time.sleep(0.1)
        self.assertEqual(self.containers("doomed"), [])
        self.assertEqual(self.get(HOST.format("doomed"))[0], 503)
        with self.assertRaises(client.exceptions.ServiceNotActiveException):
            client.update_express_gateway_service(serviceArn=service["serviceArn"],
                                                  primaryContainer={"image": self.image_b})
        self.create("doomed", self.image_b)  # an INACTIVE name can be used again
        self.assertEqual(self.commit_served("doomed"), S.COMMIT_B)

    def test_a_name_still_draining_cannot_be_created_again(self):
        service = self.create("draining", self.image_a)
        self.ecs.set_faults(stall="DRAINING")
        client = self.boto()
        client.delete_express_gateway_service(serviceArn=service["serviceArn"])
        with self.assertRaises(client.exceptions.InvalidParameterException) as e:
            client.create_express_gateway_service(**S.create_input("draining", self.image_a))
        self.assertEqual(e.exception.response["Error"]["Message"], "Unable to Start a service that is still Draining.")
        deployment = client.list_service_deployments(service=service["serviceArn"])["serviceDeployments"][0]
        self.assertEqual(deployment["status"], "SUCCESSFUL")
        self.ecs.set_faults(stall=None)


class KeepAliveLoad:
    """`clients` threads, each sending GET /version on one keep-alive connection until stopped."""

    def __init__(self, host: str, port: int, ca: str, clients: int):
        self.host, self.port, self.ca = host, port, ca
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.failures, self.count, self.connections = [], 0, 0
        self.commits = [[] for _ in range(clients)]
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)

    def _client(self, index: int):
        conn = S.EndpointConnection(self.host, self.port, self.ca)
        conn.connect()
        with self.lock:
            self.connections += 1
        while not self.stopping.is_set():
            try:
                conn.request("GET", "/version")
                r = conn.getresponse()
                body = r.read()
                if r.status != 200:
                    raise AssertionError(f"HTTP {r.status}: {body[:80]!r}")
                if r.getheader("Connection", "").lower() == "close" or conn.sock is None:
                    raise AssertionError("the proxy closed the keep-alive connection")
                self.commits[index].append(json.loads(body)["commit"])
            except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                with self.lock:
                    self.failures.append(repr(e))
                conn.close()
                conn = S.EndpointConnection(self.host, self.port, self.ca)
            with self.lock:
                self.count += 1
        conn.close()


class Standalone(S.unittest.TestCase):
    def test_standalone_prints_its_env_serves_and_cleans_up_on_sigterm(self):
        images = S.TinyImages(self.workdir())
        self.addCleanup(images.remove)
        image = images.image(S.COMMIT_A)
        script = os.path.join(harness.REPO, "tests", "support", "ecs_stand_in.py")
        with harness.Process(["python3", script, os.path.join(self.workdir(), "ecs"), "--bake-seconds", "0.2",
                              "--service-name", "solo"], stdout=subprocess.PIPE, stderr=None) as p:
            env = json.loads(p.proc.stdout.readline())
            self.assertEqual(env["SHIPCTL_CONNECT_TO"], f"solo.ecs.ap-northeast-1.on.aws:443:127.0.0.1:"
                                                        f"{env['ECS_PROXY_PORT']}")
            import boto3
            client = boto3.client("ecs", endpoint_url=env["AWS_ENDPOINT_URL_ECS"], region_name=env["AWS_REGION"],
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
            service = client.create_express_gateway_service(**S.create_input("solo", image))["service"]
            deadline = time.monotonic() + 30
            while client.describe_service_deployments(serviceDeploymentArns=[service["currentDeployment"]])[
                    "serviceDeployments"][0]["status"] != "SUCCESSFUL":
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.1)
            with urllib.request.urlopen(env["ECS_CONTROL_URL"] + "/_stand_in/state", timeout=5) as r:
                containers = json.loads(r.read())["services"][0]["containers"]
            self.assertEqual(len(containers), 1)
            self.assertEqual(p.stop(signal.SIGTERM, timeout=60), 0)
        self.assertFalse(self.exists(containers[0]), f"{containers[0]} outlived the standalone stand-in")

    def test_a_new_stand_in_removes_the_containers_of_a_killed_one(self):
        images = S.TinyImages(self.workdir())
        self.addCleanup(images.remove)
        image = images.image(S.COMMIT_A)
        script = os.path.join(harness.REPO, "tests", "support", "ecs_stand_in.py")
        with harness.Process(["python3", script, os.path.join(self.workdir(), "killed")], stdout=subprocess.PIPE,
                             stderr=None) as p:
            env = json.loads(p.proc.stdout.readline())
            import boto3
            client = boto3.client("ecs", endpoint_url=env["AWS_ENDPOINT_URL_ECS"], region_name=env["AWS_REGION"],
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
            client.create_express_gateway_service(**S.create_input("killed", image))
            deadline = time.monotonic() + 30
            while not (containers := self.containers(env["ECS_CONTROL_URL"])):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.1)
            p.stop(signal.SIGKILL)
        self.assertTrue(self.exists(containers[0]), "SIGKILL left no container: the test proves nothing")
        Podman("sweeper", self.workdir())
        self.assertFalse(self.exists(containers[0]), f"{containers[0]} survived the next stand-in's start")

    @staticmethod
    def containers(control_url: str) -> list[str]:
        with urllib.request.urlopen(control_url + "/_stand_in/state", timeout=5) as r:
            services = json.loads(r.read())["services"]
        return services[0]["containers"] if services else []

    @staticmethod
    def exists(container: str) -> bool:
        return subprocess.run(["podman", "container", "exists", container], env=dict(os.environ, CONTAINERS_CONF=S.CONF),
                              capture_output=True, check=False).returncode == 0

    def workdir(self) -> str:
        if not hasattr(self, "_workdir"):
            self._tmp = S.tempfile.TemporaryDirectory(prefix="ecs-standalone-")
            self.addCleanup(self._tmp.cleanup)
            self._workdir = self._tmp.name
        return self._workdir


if __name__ == "__main__":
    harness.main()
