"""The ECS stand-in speaks the real protocol: @aws-sdk/client-ecs and awscli v1
parse the same objects from it, both equal to what went over the wire;
requests are refused in the awsJson1_1 error shape when botocore's model or
SigV4 says so; each API fault switch answers as the real service does."""

import datetime
import json
import socket
import unittest.mock
import urllib.error
import urllib.request

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import ecs_model
import ecs_support as S
import harness
from ecs_rollout import Settings

TARGET = "AmazonEC2ContainerServiceV20141113."


class Protocol(S.StandInCase):
    settings = Settings(bake_seconds=0.2)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.image_a = cls.images.image(S.COMMIT_A)
        cls.image_b = cls.images.image(S.COMMIT_B)

    def wire(self, operation: str, index: int = -1) -> dict:
        """The body the stand-in sent for the `index`th call of `operation`."""
        return [r["response"] for r in self.ecs.requests if r["operation"] == operation][index]

    def raw(self, target: str, body: bytes, secret: str = "testing", service: str = "ecs",
            content_type: str = "application/x-amz-json-1.1", sign: bool = True, key: str = "testing",
            headers: dict | None = None, sent_body: bytes | None = None) -> tuple[int, dict]:
        """POSTs `body` signed by botocore (`headers` added before signing), then sends `sent_body` if given."""
        request = AWSRequest(method="POST", url=self.ecs.url + "/", data=body,
                             headers={"X-Amz-Target": TARGET + target, "Content-Type": content_type, **(headers or {})})
        if sign:
            SigV4Auth(Credentials(key, secret), service, "ap-northeast-1").add_auth(request)
        body = body if sent_body is None else sent_body
        prepared = urllib.request.Request(self.ecs.url + "/", data=body, headers=dict(request.headers.items()),
                                          method="POST")
        try:
            with urllib.request.urlopen(prepared, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            self.assertEqual(e.headers["Content-Type"], "application/x-amz-json-1.1")
            body = json.loads(e.read())
            self.assertEqual(e.headers["x-amzn-ErrorType"], body["__type"] + ":")
            return e.code, body

    # ---- the same parsed objects -----------------------------------------
    def test_js_sdk_and_awscli_parse_the_same_objects_as_the_wire(self):
        js_create, = self.js([{"op": "CreateExpressGatewayService", "input": S.create_input("by-js", self.image_a)}])
        self.assertEqual(js_create, {"output": self.wire("CreateExpressGatewayService")})
        code, cli_create = self.awscli("create-express-gateway-service", S.create_input("by-cli", self.image_a))
        self.assertEqual(code, 0, cli_create)
        self.assertEqual(S.normalize("CreateExpressGatewayService", cli_create),
                         self.wire("CreateExpressGatewayService"))
        arn = js_create["output"]["service"]["serviceArn"]
        first = js_create["output"]["service"]["currentDeployment"]
        self.wait_deployment(first)

        update = {"serviceArn": arn, "primaryContainer": {"image": self.image_b, "containerPort": 8080},
                  "cpu": "512", "memory": "1024", "healthCheckPath": "/ping"}
        code, cli_update = self.awscli("update-express-gateway-service", update)
        self.assertEqual(code, 0, cli_update)
        self.assertEqual(S.normalize("UpdateExpressGatewayService", cli_update),
                         self.wire("UpdateExpressGatewayService"))
        self.assertEqual(cli_update["service"]["targetConfiguration"]["cpu"], "512")
        deployments = self.boto().list_service_deployments(service=arn)["serviceDeployments"]
        self.assertEqual(len(deployments), 2)
        self.wait_deployment(deployments[0]["serviceDeploymentArn"])
        revisions = [deployments[0]["targetServiceRevisionArn"], deployments[1]["targetServiceRevisionArn"]]
        reads = [
            ("DescribeExpressGatewayService", "describe-express-gateway-service", {"serviceArn": arn, "include": ["TAGS"]}),
            ("ListServiceDeployments", "list-service-deployments", {"service": arn}),
            ("DescribeServiceDeployments", "describe-service-deployments",
             {"serviceDeploymentArns": [d["serviceDeploymentArn"] for d in deployments]}),
            ("DescribeServiceRevisions", "describe-service-revisions", {"serviceRevisionArns": revisions}),
        ]
        js = self.js([{"op": op, "input": params} for op, _, params in reads])
        for (op, command, params), js_result in zip(reads, js):
            with self.subTest(op):
                code, cli = self.awscli(command, params)
                self.assertEqual(code, 0, cli)
                self.assertIn("output", js_result, js_result)
                self.assertEqual(js_result["output"], S.normalize(op, cli))
                self.assertEqual(js_result["output"], self.wire(op))

    def test_the_js_model_members_are_accepted_without_executionRoleArn(self):
        params = S.create_input("js-only", self.image_a, cpuArchitecture="X86_64")
        del params["executionRoleArn"]
        result, = self.js([{"op": "CreateExpressGatewayService", "input": params}])
        self.assertIn("output", result, result)
        self.assertEqual(result["output"]["service"]["activeConfigurations"][0]["ingressPaths"],
                         [{"accessType": "PUBLIC", "endpoint": "js-only.ecs.ap-northeast-1.on.aws"}])
        self.wait_deployment(result["output"]["service"]["currentDeployment"])

    # ---- refused requests --------------------------------------------------
    def test_missing_infrastructure_role_is_refused_with_the_real_error_shape(self):
        params = S.create_input("no-infra", self.image_a)
        del params["infrastructureRoleArn"]
        result, = self.js([{"op": "CreateExpressGatewayService", "input": params}])
        self.assertEqual(result["error"], {"name": "InvalidParameterException", "status": 400,
                                           "message": 'Missing required parameter in input: "infrastructureRoleArn"'})
        status, body = self.raw("CreateExpressGatewayService", json.dumps(params).encode())
        self.assertEqual((status, body), (400, {"__type": "InvalidParameterException",
                                                "message": 'Missing required parameter in input: '
                                                           '"infrastructureRoleArn"'}))
        self.assertNotIn("no-infra", json.dumps(harness_state(self)))

    def test_a_bad_enum_and_a_bad_type_are_refused(self):
        params = S.create_input("bad-enum", self.image_a, scalingTarget={"autoScalingMetric": "LATENCY"})
        result, = self.js([{"op": "CreateExpressGatewayService", "input": params}])
        self.assertEqual(result["error"]["name"], "InvalidParameterException")
        self.assertEqual(result["error"]["message"],
                         "Value at 'scalingTarget.autoScalingMetric' failed to satisfy constraint: Member must "
                         "satisfy enum value set: [AVERAGE_CPU, AVERAGE_MEMORY, REQUEST_COUNT_PER_TARGET]")
        params = S.create_input("bad-type", self.image_a)
        params["primaryContainer"]["containerPort"] = "8080"
        status, body = self.raw("CreateExpressGatewayService", json.dumps(params).encode())
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "InvalidParameterException")
        self.assertIn("Invalid type for parameter primaryContainer.containerPort", body["message"])

    def test_protocol_errors_name_what_is_wrong(self):
        cases = [
            (dict(target="ListClusters", body=b"{}"), 400, "UnknownOperationException"),
            (dict(target="DescribeServices", body=b"not json"), 400, "SerializationException"),
            (dict(target="DescribeServices", body=b"{}", content_type="application/json"), 400,
             "SerializationException"),
            (dict(target="DescribeServices", body=b'{"services": []}', sign=False), 400,
             "MissingAuthenticationTokenException"),
            (dict(target="DescribeServices", body=b'{"services": []}', service="ecr"), 400,
             "InvalidSignatureException"),
            (dict(target="DescribeServices", body=b'{"services": []}', secret="wrong"), 400,
             "InvalidSignatureException"),
        ]
        for kwargs, status, code in cases:
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                got_status, body = self.raw(**kwargs)
                self.assertEqual((got_status, body["__type"]), (status, code), body)
                self.assertEqual(sorted(body), ["__type", "message"])
        _, body = self.raw("DescribeServices", b'{"services": []}', secret="wrong")
        self.assertTrue(body["message"].startswith("The request signature we calculated does not match"))
        self.assertEqual(self.raw("DescribeServices", b'{"services": []}'), (200, {"services": [], "failures": []}))

    def test_signatures_are_checked_against_the_body_and_the_clock(self):
        signed_wrong, = self.js([{"op": "DescribeServices", "input": {"services": []}}], secret="not-testing")
        self.assertEqual((signed_wrong["error"]["name"], signed_wrong["error"]["status"]),
                         ("InvalidSignatureException", 400))
        describe = b'{"services": []}'
        tampered = b'{"services": ["x"]}'
        status, body = self.raw("DescribeServices", describe, sent_body=tampered)
        self.assertEqual((status, body["__type"]), (400, "InvalidSignatureException"))
        import hashlib
        status, body = self.raw("DescribeServices", describe, sent_body=tampered,
                                headers={"X-Amz-Content-SHA256": hashlib.sha256(describe).hexdigest()})
        self.assertEqual((status, body["message"]), (400, "The provided 'x-amz-content-sha256' header does not "
                                                          "match what was computed."))
        old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
        with unittest.mock.patch.object(botocore.auth, "get_current_datetime", lambda: old.replace(tzinfo=None)):
            status, body = self.raw("DescribeServices", describe)
        self.assertEqual(status, 400)
        self.assertRegex(body["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                                          r"\(\d{8}T\d{6}Z - 5 min\.\)$")

    def test_unknown_access_keys_pass_on_scope_unless_strict(self):
        describe = b'{"services": []}'
        self.assertEqual(self.raw("DescribeServices", describe, key="ASIAMOTOISSUED", secret="unknown")[0], 200)
        self.ecs.strict_credentials = True
        try:
            status, body = self.raw("DescribeServices", describe, key="ASIAMOTOISSUED", secret="unknown")
        finally:
            self.ecs.strict_credentials = False
        self.assertEqual((status, body), (400, {"__type": "UnrecognizedClientException",
                                                "message": "The security token included in the request is invalid."}))

    def test_responses_are_checked_against_botocores_output_shapes(self):
        good = {"serviceDeployments": [{"status": "SUCCESSFUL", "createdAt": 1.5}]}
        ecs_model.validate_response("ListServiceDeployments", good)
        bad = {"serviceDeployments": [{"status": "FAILED", "createdAt": "2026-01-01T00:00:00Z", "cpuArchitecture": 1}]}
        with self.assertRaises(AssertionError) as e:
            ecs_model.validate_response("ListServiceDeployments", bad)
        self.assertEqual(str(e.exception), "ListServiceDeployments response breaks botocore's output shape: Value at "
                         "'serviceDeployments[0].status' failed to satisfy constraint: Member must satisfy enum value "
                         "set: [PENDING, SUCCESSFUL, STOPPED, STOP_REQUESTED, IN_PROGRESS, ROLLBACK_REQUESTED, "
                         "ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED]; serviceDeployments[0].createdAt "
                         "must be a timestamp, not str; serviceDeployments[0].cpuArchitecture is not a member of "
                         "ServiceDeploymentBrief")
        with self.assertRaises(AssertionError):
            ecs_model.validate_response("DescribeServiceRevisions", {"serviceRevisions": [
                {"ecsManagedResources": {"ingressPaths": [{"accessType": "PUBLIC"}]}}]})

    def test_a_response_that_breaks_the_shape_is_a_loud_500(self):
        with unittest.mock.patch("ecs_api._op_DescribeServices", lambda *_: {"services": [{"status": 7}]}):
            status, body = self.raw("DescribeServices", b'{"services": []}')
        self.assertEqual((status, body["__type"]), (500, "ServerException"))
        self.assertEqual(body["message"], "ecs stand-in bug: DescribeServices response breaks botocore's output "
                                          "shape: services[0].status must be a string, not int")
        self.assertEqual(self.ecs.bugs.pop(), body["message"][len("ecs stand-in bug: "):])

    def test_hostile_bodies_are_refused_without_a_bug(self):
        status, body = self.raw("DescribeServices", b"[" * 100_000)
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))
        status, body = self.raw("DescribeServices", b'{"services": {"not": "a list"}}')
        self.assertEqual((status, body["__type"]), (400, "InvalidParameterException"))
        for length in ("abc", "-1", str(2 << 20)):
            with self.subTest(content_length=length), socket.create_connection(("127.0.0.1", self.ecs.port)) as sock:
                sock.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
                answer = sock.makefile("rb").read().decode()
                self.assertRegex(answer, r"^HTTP/1.1 4(00|13) ")
                self.assertIn('"__type": "SerializationException"', answer)
        self.assertEqual(self.ecs.bugs, [])

    def test_list_service_deployments_pages_newest_first_and_filters(self):
        client = self.boto()
        created = client.create_express_gateway_service(**S.create_input("paged", self.image_a))["service"]
        first = self.wait_deployment(created["currentDeployment"])
        client.update_express_gateway_service(serviceArn=created["serviceArn"],
                                              primaryContainer={"image": self.image_b, "containerPort": 8080})
        page = client.list_service_deployments(service="paged", maxResults=1)
        self.assertEqual(page["nextToken"], "1")
        newest = page["serviceDeployments"][0]["serviceDeploymentArn"]
        self.assertNotEqual(newest, first["serviceDeploymentArn"])
        rest = client.list_service_deployments(service="paged", maxResults=1, nextToken=page["nextToken"])
        self.assertEqual([d["serviceDeploymentArn"] for d in rest["serviceDeployments"]], [first["serviceDeploymentArn"]])
        self.assertNotIn("nextToken", rest)
        # botocore sends whole epoch seconds, so the window is wide on purpose.
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(client.list_service_deployments(service="paged", createdAt={"after": later})[
            "serviceDeployments"], [])
        before = client.list_service_deployments(service="paged", createdAt={"before": later})["serviceDeployments"]
        self.assertEqual(len(before), 2)
        self.assertEqual(client.list_service_deployments(service="paged", status=["ROLLBACK_FAILED"])[
            "serviceDeployments"], [])
        with self.assertRaises(client.exceptions.InvalidParameterException) as e:
            client.list_service_deployments(service="paged", nextToken="garbage")
        self.assertEqual(e.exception.response["Error"]["Message"], "Invalid nextToken.")
        self.wait_deployment(newest)

    def test_unknown_names_answer_not_found_and_missing(self):
        client = self.boto()
        ghost = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/ghost"
        with self.assertRaises(client.exceptions.ResourceNotFoundException):
            client.describe_express_gateway_service(serviceArn=ghost)
        with self.assertRaises(client.exceptions.ServiceNotFoundException) as e:
            client.update_express_gateway_service(serviceArn=ghost, primaryContainer={"image": self.image_a})
        self.assertEqual(e.exception.response["Error"]["Message"], "Service not found.")
        with self.assertRaises(client.exceptions.ClusterNotFoundException):
            client.list_service_deployments(service="ghost", cluster="prod")
        missing = ghost.replace(":service/", ":service-deployment/") + "/x"
        self.assertEqual(client.describe_service_deployments(serviceDeploymentArns=[missing])["failures"],
                         [{"arn": missing, "reason": "MISSING"}])

    def test_describe_clusters_parses_alike_and_a_missing_cluster_is_a_failure(self):
        calls = [{"op": "DescribeClusters", "input": {"clusters": ["default", "prod"]}}]
        js, = self.js(calls)
        self.assertEqual(js, {"output": self.wire("DescribeClusters")})
        code, cli = self.awscli("describe-clusters", calls[0]["input"])
        self.assertEqual(code, 0, cli)
        self.assertEqual(S.normalize("DescribeClusters", cli), self.wire("DescribeClusters"))
        self.assertEqual([(c["clusterName"], c["status"]) for c in cli["clusters"]], [("default", "ACTIVE")])
        self.assertEqual(cli["failures"],
                         [{"arn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod", "reason": "MISSING"}])
        self.assertEqual(self.boto().describe_clusters()["clusters"][0]["clusterName"], "default")

    # ---- fault switches ------------------------------------------------------
    def test_access_denied_names_the_action_and_resource(self):
        self.ecs.set_faults(access_denied=["CreateExpressGatewayService"])
        code, err = self.awscli("create-express-gateway-service", S.create_input("denied", self.image_a))
        self.assertEqual(code, 255)  # awscli v1: a service error
        self.assertEqual(err, "An error occurred (AccessDeniedException) when calling the CreateExpressGatewayService "
                              "operation: User: arn:aws:sts::123456789012:assumed-role/github-actions-deploy/shipctl "
                              "is not authorized to perform: ecs:CreateExpressGatewayService on resource: "
                              "arn:aws:ecs:ap-northeast-1:123456789012:service/default/denied because no "
                              "identity-based policy allows the ecs:CreateExpressGatewayService action")
        code, out = self.awscli("describe-services", {"services": ["denied"]})
        self.assertEqual((code, out["failures"][0]["reason"]), (0, "MISSING"))

    def test_pass_role_denied_is_a_client_exception(self):
        self.ecs.set_faults(pass_role_denied=True)
        result, = self.js([{"op": "CreateExpressGatewayService", "input": S.create_input("norole", self.image_a)}])
        self.assertEqual(result["error"]["name"], "ClientException")
        self.assertIn(f"is not authorized to perform: iam:PassRole on resource: {S.EXECUTION_ROLE}",
                      result["error"]["message"])

    def test_propagation_errors_fail_the_first_n_calls_then_pass(self):
        self.ecs.set_faults(propagation_errors=2)
        client = self.boto(max_attempts=1)
        for _ in range(2):
            with self.assertRaises(client.exceptions.InvalidParameterException) as e:
                client.create_express_gateway_service(**S.create_input("fresh-roles", self.image_a))
            self.assertEqual(e.exception.response["Error"]["Message"],
                             f"ECS was unable to assume the configured ECS Infrastructure Role "
                             f"'{S.INFRASTRUCTURE_ROLE}'. Please verify that the role being passed has the proper "
                             "trust relationship with Amazon ECS.")
        self.ecs.set_faults(propagation_errors=1, propagation_kind="credentials")
        with self.assertRaises(client.exceptions.ClientException) as e:
            client.create_express_gateway_service(**S.create_input("fresh-roles", self.image_a))
        self.assertIn("unable to validate the provided access credentials", e.exception.response["Error"]["Message"])
        created = client.create_express_gateway_service(**S.create_input("fresh-roles", self.image_a))
        self.wait_deployment(created["service"]["currentDeployment"])

    def test_faults_are_switched_over_http_and_typos_are_refused(self):
        def post(doc: dict) -> tuple[int, bytes]:
            request = urllib.request.Request(self.ecs.url + "/_stand_in/faults", data=json.dumps(doc).encode(),
                                             method="POST")
            try:
                with urllib.request.urlopen(request, timeout=5) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
        self.assertEqual(post({"access_denied": "*"}), (204, b""))
        status, body = self.raw("DescribeServices", b'{"services": []}')
        self.assertEqual((status, body["__type"]), (400, "AccessDeniedException"))
        self.assertEqual(post({"access_denied": None}), (204, b""))
        self.assertEqual(self.raw("DescribeServices", b'{"services": []}')[0], 200)
        status, body = post({"server_error": 1})
        self.assertEqual(status, 400)
        self.assertEqual(post({"failed_resource": {"resource": "dns"}})[0], 400)
        self.assertEqual(json.loads(body)["error"], "unknown fault switch server_error (known: access_denied, "
                         "failed_resource, pass_role_denied, propagation_errors, propagation_kind, pull_denied, server_errors, stall, "
                         "unhealthy, wrong_commit)")

    def test_server_errors_are_500_and_sdks_retry_them(self):
        self.ecs.set_faults(server_errors=1)
        client = self.boto(max_attempts=1)
        with self.assertRaises(client.exceptions.ServerException) as e:
            client.describe_services(services=["x"])
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.ecs.set_faults(server_errors=2)
        before = len(self.ecs.requests)
        result, = self.js([{"op": "DescribeServices", "input": {"services": ["x"]}}], max_attempts=3)
        self.assertEqual(result["output"]["failures"][0]["reason"], "MISSING")
        self.assertEqual([r["status"] for r in self.ecs.requests[before:]], [500, 500, 200])


def harness_state(case) -> dict:
    with urllib.request.urlopen(case.ecs.url + "/_stand_in/state", timeout=5) as r:
        return json.loads(r.read())


if __name__ == "__main__":
    harness.main()
