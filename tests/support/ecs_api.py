"""The operations of the ECS stand-in (ecs_stand_in.EcsStandIn): request
checks in the order AWS applies them (signature, target, body, parameters,
permissions, then the operation), and the responses in botocore's output
shapes. Texts of errors are ECS's where they are known (ECS API reference and
error messages users report: "Service not found.", "Cluster not found.",
"Service was not ACTIVE.", "Creation of service was not idempotent.", "Unable
to Start a service that is still Draining.", and the infrastructure-role text
of terraform-provider-aws issue 38538 for a role IAM has not propagated yet).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import traceback

import ecs_auth
from ecs_model import TARGET_PREFIX, ApiError, error_body, validate_request, validate_response
from ecs_rollout import DONE, Deployment, Revision, Service, now

OPERATIONS = ("CreateExpressGatewayService", "UpdateExpressGatewayService", "DescribeExpressGatewayService",
              "DeleteExpressGatewayService", "ListServiceDeployments", "DescribeServiceDeployments",
              "DescribeServiceRevisions", "DescribeServices", "DescribeClusters")
_PROPAGATION = {
    "role": ("InvalidParameterException", "ECS was unable to assume the configured ECS Infrastructure Role '{role}'. "
             "Please verify that the role being passed has the proper trust relationship with Amazon ECS."),
    "credentials": ("ClientException", "Cannot assume role '{role}': AWS was unable to validate the provided "
                    "access credentials."),
}
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # CreateExpressGatewayService serviceName doc
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
# Members of a configuration an Update may change (UpdateExpressGatewayServiceRequest minus serviceArn).
# cpuArchitecture (JS model only) is accepted and not echoed: botocore's output shape lacks it.
_CONFIG_MEMBERS = ("executionRoleArn", "taskRoleArn", "cpu", "memory", "networkConfiguration", "healthCheckPath",
                   "primaryContainer", "scalingTarget")


def handle(stand_in, path: str, headers, body: bytes) -> tuple[int, bytes]:
    """One API request: (status, body)."""
    operation, params = None, None
    try:
        key, operation, params = _parse(stand_in, path, headers, body)
        answer = _dispatch(stand_in, key, operation, params)
        validate_response(operation, answer)
        status, out = 200, json.dumps(answer).encode()
    except ApiError as e:
        status, out = e.status, error_body(e.code, e.message)
    except AssertionError as e:
        stand_in.bugs.append(str(e))
        stand_in.log(f"BUG {e}")
        status, out = 500, error_body("ServerException", f"ecs stand-in bug: {e}")
    except Exception as e:  # noqa: BLE001 - a stand-in bug: loud, logged, answered 500
        stand_in.bugs.append(f"{operation}: {e!r}")
        stand_in.log(f"BUG {operation}: {traceback.format_exc()}")
        status, out = 500, error_body("ServerException", f"ecs stand-in bug: {e!r}")
    with stand_in.lock:
        stand_in.requests.append({"operation": operation, "status": status, "request": params,
                                  "response": json.loads(out)})
    stand_in.log(f"{operation} -> {status}")
    return status, out


def _parse(stand_in, path: str, headers, body: bytes) -> tuple[str, str, dict]:
    """(access key id, operation, parameters) of a well-formed, signed request."""
    target = headers.get("X-Amz-Target", "")
    key = ecs_auth.check(headers, body, headers.get("Host", ""), stand_in.region, stand_in.credentials,
                         stand_in.strict_credentials)
    if path != "/" or not target.startswith(TARGET_PREFIX) or target[len(TARGET_PREFIX):] not in OPERATIONS:
        raise ApiError("UnknownOperationException", f"Unknown operation {target or path}")
    if not (headers.get("Content-Type") or "").startswith("application/x-amz-json-1.1"):
        raise ApiError("SerializationException", "Content-Type must be application/x-amz-json-1.1")
    try:
        params = json.loads(body or b"{}")
    except (ValueError, RecursionError) as e:
        raise ApiError("SerializationException", f"Request body is not JSON: {e}") from None
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "Request body must be a JSON object")
    operation = target[len(TARGET_PREFIX):]
    validate_request(operation, params)
    return key, operation, params


def _dispatch(stand_in, key: str, operation: str, params: dict) -> dict:
    faults = stand_in.faults
    if faults.take("server_errors"):
        raise ApiError("ServerException", "Service Unavailable. Please try again later.")
    denied = faults.get("access_denied") or ()
    if denied == "*" or operation in denied:
        raise ApiError("AccessDeniedException", f"User: {stand_in.principal} is not authorized to perform: "
                       f"ecs:{operation} on resource: {_resource(stand_in, operation, params)} because no "
                       f"identity-based policy allows the ecs:{operation} action")
    if stand_in.authorize is not None:
        _authorize(stand_in, key, operation, params)
    return globals()[f"_op_{operation}"](stand_in, params)


def _authorize(stand_in, key: str, operation: str, params: dict) -> None:
    """IAM's verdict on the call (stand_in.authorize): ecs:<operation> on each
    resource it names (Service Authorization Reference, Amazon ECS: service,
    service-deployment, service-revision and cluster ARNs), then iam:PassRole on each
    role it hands to ECS; the first denial is the answer, as AWS gives it."""
    checks = [(f"ecs:{operation}", r) for r in _resources(stand_in, operation, params)]
    if operation in ("CreateExpressGatewayService", "UpdateExpressGatewayService"):
        checks += [("iam:PassRole", params[m]) for m in ("executionRoleArn", "taskRoleArn", "infrastructureRoleArn")
                   if m in params]
    for action, resource in checks:
        error = stand_in.authorize(key, action, resource)
        if error is not None:
            # PassRole denied reaches the caller as ECS's ClientException (as _check_roles' fault).
            code = "ClientException" if action == "iam:PassRole" and error[0] == "AccessDeniedException" else error[0]
            raise ApiError(code, error[1])


def _resources(stand_in, operation: str, params: dict) -> list[str]:
    if operation == "DescribeServiceDeployments":
        return list(params.get("serviceDeploymentArns") or [])
    if operation == "DescribeServiceRevisions":
        return list(params.get("serviceRevisionArns") or [])
    if operation == "DescribeServices":
        cluster = (params.get("cluster") or "default").rsplit("/", 1)[-1]
        return [s if s.startswith("arn:") else stand_in.arn("service", f"{cluster}/{s}")
                for s in params.get("services") or []]
    if operation == "DescribeClusters":
        return [stand_in.arn("cluster", ref.rsplit("/", 1)[-1]) for ref in params.get("clusters") or ["default"]]
    if operation == "ListServiceDeployments":
        cluster = (params.get("cluster") or "default").rsplit("/", 1)[-1]
        ref = params.get("service", "*")
        return [ref if ref.startswith("arn:") else stand_in.arn("service", f"{cluster}/{ref}")]
    return [_resource(stand_in, operation, params)]


def _resource(stand_in, operation: str, params: dict) -> str:
    if operation == "CreateExpressGatewayService":
        cluster = (params.get("cluster") or "default").rsplit("/", 1)[-1]
        return stand_in.arn("service", f"{cluster}/{params.get('serviceName', '*')}")
    ref = params.get("serviceArn") or params.get("service") or "*"
    return ref if ref.startswith("arn:") else stand_in.arn("service", f"default/{ref}")


def _check_roles(stand_in, params: dict) -> None:
    for member in ("infrastructureRoleArn", "executionRoleArn", "taskRoleArn"):
        value = params.get(member)
        if value is not None and not ROLE_ARN.match(value):
            raise ApiError("InvalidParameterException", f"{member} is not a valid IAM role ARN: '{value}'.")
    roles = [params[m] for m in ("executionRoleArn", "taskRoleArn", "infrastructureRoleArn") if m in params]
    if stand_in.faults.get("pass_role_denied") and roles:
        raise ApiError("ClientException", f"User: {stand_in.principal} is not authorized to perform: iam:PassRole "
                       f"on resource: {roles[0]} because no identity-based policy allows the iam:PassRole action")
    if roles and stand_in.faults.take("propagation_errors"):
        code, text = _PROPAGATION[stand_in.faults.get("propagation_kind") or "role"]
        raise ApiError(code, text.format(role=params.get("infrastructureRoleArn") or roles[0]))


def endpoint_host(name: str, region: str) -> str:
    """The service's public endpoint, a bare host (`<name>.ecs.<region>.on.aws`)."""
    return f"{name.lower().replace('_', '-')}.ecs.{region}.on.aws"


def _config(params: dict, base: dict | None) -> dict:
    """The revision's configuration: `base` (the current one) updated by `params`, defaults filled
    (the botocore model's documentation: cpu 256, memory 512, containerPort 80, /ping)."""
    config = dict(base or {})
    config.update({k: params[k] for k in _CONFIG_MEMBERS if k in params})
    if "taskDefinitionArn" in params:
        raise ApiError("InvalidParameterException", "taskDefinitionArn is not supported by the ECS stand-in: "
                       "send primaryContainer.")
    if "primaryContainer" not in config:
        raise ApiError("InvalidParameterException", "primaryContainer is required when taskDefinitionArn is "
                       "not given.")
    container = dict(config["primaryContainer"])
    container.setdefault("containerPort", 80)
    if not 1 <= container["containerPort"] <= 65535:
        raise ApiError("InvalidParameterException", "containerPort must be between 1 and 65535.")
    config["primaryContainer"] = container
    config.setdefault("cpu", "256")
    config.setdefault("memory", "512")
    config.setdefault("healthCheckPath", "/ping")
    if not config["healthCheckPath"].startswith("/"):
        raise ApiError("InvalidParameterException", "The health check path must start with a forward slash.")
    return config


def _new_deployment(stand_in, service: Service, config: dict) -> Deployment:
    with stand_in.lock:
        number = len(service.revisions) + 1
        revision = Revision(stand_in.arn("service-revision", f"{service.cluster}/{service.name}/{number}"),
                            config, now())
        deployment_id = base64.urlsafe_b64encode(secrets.token_bytes(15)).decode().rstrip("=")
        deployment = Deployment(stand_in.arn("service-deployment", f"{service.cluster}/{service.name}/"
                                                                  f"{deployment_id}"),
                                service, revision, now())
        deployment.updated_at = deployment.created_at
        deployment.history.append(("PENDING", None))
        service.revisions.append(revision)
        service.deployments.append(deployment)
        service.updated_at = deployment.created_at
        stand_in.revisions[revision.arn] = revision
        stand_in.deployments[deployment.arn] = deployment
    stand_in.rollouts.start(deployment)
    return deployment


# ---- operations ---------------------------------------------------------------
def _op_CreateExpressGatewayService(stand_in, params: dict) -> dict:  # noqa: N802 - AWS's operation names
    # "The ECS default cluster (if it does not already exist)" is among what an Express service
    # creates (ECS developer guide, "Resources created by Amazon ECS Express Mode services").
    if (params.get("cluster") or "default").rsplit("/", 1)[-1] == "default":
        with stand_in.lock:
            stand_in.clusters.add("default")
    cluster = stand_in.cluster_name(params.get("cluster"))
    name = params.get("serviceName") or f"express-{secrets.token_hex(4)}"
    if not SERVICE_NAME.match(name):
        raise ApiError("InvalidParameterException", "serviceName can contain up to 255 letters (uppercase and "
                       "lowercase), numbers, underscores, and hyphens.")
    _check_roles(stand_in, params)
    config = _config(params, None)
    arn = stand_in.arn("service", f"{cluster}/{name}")
    with stand_in.lock:
        existing = stand_in.services.get(arn)
        if existing is not None and existing.status == "DRAINING":
            raise ApiError("InvalidParameterException", "Unable to Start a service that is still Draining.")
        if existing is not None and existing.status == "ACTIVE":
            raise ApiError("InvalidParameterException", "Creation of service was not idempotent.")
        created = now()
        service = Service(name, cluster, arn, endpoint_host(name, stand_in.region), params["infrastructureRoleArn"],
                          params.get("tags", []), created, created)
        stand_in.services[arn] = service
    _new_deployment(stand_in, service, config)
    with stand_in.lock:
        return {"service": _service(stand_in, service, tags=True)}


def _op_UpdateExpressGatewayService(stand_in, params: dict) -> dict:  # noqa: N802
    service = stand_in.find_service(params["serviceArn"])
    if service.status != "ACTIVE":
        raise ApiError("ServiceNotActiveException", "Service was not ACTIVE.")
    _check_roles(stand_in, params)
    with stand_in.lock:
        latest = service.revisions[-1].config
    deployment = _new_deployment(stand_in, service, _config(params, latest))
    with stand_in.lock:
        return {"service": {
            "serviceArn": service.arn, "cluster": service.cluster, "serviceName": service.name,
            "status": {"statusCode": service.status},
            "targetConfiguration": _configuration(stand_in, service, deployment.target),
            "createdAt": service.created_at, "updatedAt": service.updated_at}}


def _op_DescribeExpressGatewayService(stand_in, params: dict) -> dict:  # noqa: N802
    # A service ARN in a cluster that does not exist: ClusterNotFoundException (in the operation's
    # error list in botocore's model), before the service is looked up.
    arn = params["serviceArn"]
    if arn.startswith("arn:") and arn.count("/") == 2:
        stand_in.cluster_name(arn.split("/")[1])
    service = stand_in.find_service(arn, missing="ResourceNotFoundException")
    with stand_in.lock:
        return {"service": _service(stand_in, service, tags="TAGS" in params.get("include", []))}


def _op_DeleteExpressGatewayService(stand_in, params: dict) -> dict:  # noqa: N802
    service = stand_in.find_service(params["serviceArn"])
    with stand_in.lock:
        if service.status != "ACTIVE":
            raise ApiError("ServiceNotActiveException", "Service was not ACTIVE.")
        service.status, service.updated_at = "DRAINING", now()
        answer = {"service": _service(stand_in, service, tags=False)}
    stand_in.rollouts.delete(service)
    return answer


def _op_ListServiceDeployments(stand_in, params: dict) -> dict:  # noqa: N802
    service = stand_in.find_service(params["service"], params.get("cluster"))
    wanted = set(params.get("status") or [])
    window = params.get("createdAt") or {}
    limit = params.get("maxResults", 20)
    if not 1 <= limit <= 100:
        raise ApiError("InvalidParameterException", "maxResults must be between 1 and 100.")
    with stand_in.lock:
        rows = [d for d in reversed(service.deployments)  # newest first, as ECS lists them
                if (not wanted or d.status in wanted) and _within(d.created_at, window)]
        token = params.get("nextToken") or "0"
        if not token.isdigit():
            raise ApiError("InvalidParameterException", "Invalid nextToken.")
        start = int(token)
        page = rows[start:start + limit]
        answer = {"serviceDeployments": [_brief(stand_in, d) for d in page]}
    if start + limit < len(rows):
        answer["nextToken"] = str(start + limit)
    return answer


def _within(created: float, window: dict) -> bool:
    after, before = _epoch(window.get("after")), _epoch(window.get("before"))
    return (after is None or created >= after) and (before is None or created <= before)


def _epoch(value) -> float | None:
    if value is None or isinstance(value, (int, float)):
        return value
    from botocore.utils import parse_to_aware_datetime  # noqa: PLC0415
    return parse_to_aware_datetime(value).timestamp()


def _op_DescribeServiceDeployments(stand_in, params: dict) -> dict:  # noqa: N802
    return _describe(stand_in, params["serviceDeploymentArns"], stand_in.deployments, _deployment,
                     "serviceDeployments")


def _op_DescribeServiceRevisions(stand_in, params: dict) -> dict:  # noqa: N802
    return _describe(stand_in, params["serviceRevisionArns"], stand_in.revisions, _revision, "serviceRevisions")


def _describe(stand_in, arns: list, known: dict, render, member: str) -> dict:
    """A batch read by ARN: the known ones rendered, the others as failures with reason MISSING."""
    with stand_in.lock:
        return {member: [render(stand_in, known[a]) for a in arns if a in known],
                "failures": [{"arn": a, "reason": "MISSING"} for a in arns if a not in known]}


def _op_DescribeServices(stand_in, params: dict) -> dict:  # noqa: N802
    cluster = stand_in.cluster_name(params.get("cluster"))
    found, failures = [], []
    for ref in params["services"]:
        try:
            service = stand_in.find_service(ref, cluster)
        except ApiError:
            failures.append({"arn": ref if ref.startswith("arn:") else stand_in.arn("service", f"{cluster}/{ref}"),
                             "reason": "MISSING"})
            continue
        with stand_in.lock:
            running = 1 if service.serving is not None and service.serving.container else 0
            found.append({"serviceArn": service.arn, "serviceName": service.name,
                          "clusterArn": stand_in.arn("cluster", service.cluster), "status": service.status,
                          "desiredCount": 1 if service.status == "ACTIVE" else 0, "runningCount": running,
                          "pendingCount": 0, "launchType": "FARGATE", "createdAt": service.created_at})
    return {"services": found, "failures": failures}


def _op_DescribeClusters(stand_in, params: dict) -> dict:  # noqa: N802
    """The stand-in's clusters (constructor `clusters=`) are ACTIVE; any other name is a failure with
    reason MISSING, as ECS answers for a cluster that does not exist. No `clusters`: the default one."""
    found, failures = [], []
    for ref in params.get("clusters") or ["default"]:
        name = ref.rsplit("/", 1)[-1]
        arn = stand_in.arn("cluster", name)
        if name not in stand_in.clusters:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        with stand_in.lock:
            services = [s for s in stand_in.services.values() if s.cluster == name]
            running = sum(1 for s in services if s.serving is not None and s.serving.container)
            found.append({"clusterArn": arn, "clusterName": name, "status": "ACTIVE",
                          "registeredContainerInstancesCount": 0, "runningTasksCount": running,
                          "pendingTasksCount": 0,
                          "activeServicesCount": sum(1 for s in services if s.status == "ACTIVE"),
                          "capacityProviders": ["FARGATE", "FARGATE_SPOT"]})
    return {"clusters": found, "failures": failures}


# ---- shapes -------------------------------------------------------------------
def _service(stand_in, service: Service, tags: bool) -> dict:
    """ECSExpressGatewayService. activeConfigurations: the revision serving traffic (during a
    first rollout, its target, so the endpoint is known at once)."""
    latest = service.deployments[-1] if service.deployments else None
    active = service.serving or (latest.target if latest is not None and latest.status not in DONE else None)
    out = {"cluster": service.cluster, "serviceName": service.name, "serviceArn": service.arn,
           "infrastructureRoleArn": service.infrastructure_role, "status": {"statusCode": service.status},
           "activeConfigurations": [_configuration(stand_in, service, active)] if active is not None else [],
           "createdAt": service.created_at, "updatedAt": service.updated_at}
    if latest is not None:
        out["currentDeployment"] = latest.arn
    if tags and service.tags:
        out["tags"] = service.tags
    return out


def _configuration(stand_in, service: Service, revision: Revision) -> dict:
    return {"serviceRevisionArn": revision.arn, **revision.config,
            "ingressPaths": [{"accessType": "PUBLIC", "endpoint": service.host}], "createdAt": revision.created_at}


def _brief(stand_in, d: Deployment) -> dict:
    out = {"serviceDeploymentArn": d.arn, "serviceArn": d.service.arn,
           "clusterArn": stand_in.arn("cluster", d.service.cluster), "createdAt": d.created_at,
           "targetServiceRevisionArn": d.target.arn, "status": d.status}
    _put(out, startedAt=d.started_at, finishedAt=d.finished_at, statusReason=d.status_reason)
    return out


def _summary(revision: Revision, serving: bool) -> dict:
    running = 1 if revision.container else 0
    return {"arn": revision.arn, "requestedTaskCount": 1 if serving else 0, "runningTaskCount": running,
            "pendingTaskCount": 0, "requestedProductionTrafficWeight": 100.0 if serving else 0.0}


def _deployment(stand_in, d: Deployment) -> dict:
    out = _brief(stand_in, d)
    del out["targetServiceRevisionArn"]
    serving = d.service.serving
    out["targetServiceRevision"] = _summary(d.target, serving is d.target)
    out["sourceServiceRevisions"] = [_summary(d.source, serving is d.source)] if d.source is not None else []
    _put(out, lifecycleStage=d.stage, updatedAt=d.updated_at, stoppedAt=d.stopped_at, rollback=d.rollback)
    out["deploymentConfiguration"] = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200,
        "minimumHealthyPercent": 100, "strategy": "CANARY", "bakeTimeInMinutes": 3,
        "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 3}}
    out["deploymentCircuitBreaker"] = {"status": d.breaker_status, "failureCount": d.failures, "threshold": 3}
    return out


def _revision(stand_in, r: Revision) -> dict:
    service = next(s for s in stand_in.services.values() if r in s.revisions)
    container = r.config["primaryContainer"]
    image = {"containerName": "Main", "image": container["image"]}
    _put(image, imageDigest=r.image_digest)
    updated = service.updated_at
    target_group = {"status": "ACTIVE", "updatedAt": updated, "healthCheckPath": r.config["healthCheckPath"],
                    "healthCheckPort": container["containerPort"], "port": container["containerPort"]}
    ingress = {"accessType": "PUBLIC", "endpoint": service.host,
               "loadBalancer": {"status": "ACTIVE", "updatedAt": updated, "scheme": "internet-facing"},
               "certificate": {"status": "ACTIVE", "updatedAt": updated, "domainName": service.host},
               "targetGroups": [target_group]}
    if r.failed_resource is not None:
        member, reason = r.failed_resource
        for resource in ingress[member] if isinstance(ingress[member], list) else [ingress[member]]:
            resource.update(status="FAILED", statusReason=reason)
    return {"serviceRevisionArn": r.arn, "serviceArn": service.arn,
            "clusterArn": stand_in.arn("cluster", service.cluster),
            "taskDefinition": stand_in.arn("task-definition", f"{service.name}:{service.revisions.index(r) + 1}"),
            "launchType": "FARGATE", "platformVersion": "1.4.0", "platformFamily": "Linux",
            "containerImages": [image], "createdAt": r.created_at,
            "ecsManagedResources": {"ingressPaths": [ingress]}}


def _put(out: dict, **members) -> None:
    out.update({k: v for k, v in members.items() if v is not None})


def state(stand_in) -> dict:
    """GET /_stand_in/state: what tests and the rehearsal look at besides the API."""
    with stand_in.lock:
        return {"services": [{
            "name": s.name, "arn": s.arn, "status": s.status, "endpoint": s.host,
            "serving": s.serving.arn if s.serving else None,
            "containers": [r.container for r in s.revisions if r.container],
            "deployments": [{"arn": d.arn, "status": d.status, "stage": d.stage, "history": d.history}
                            for d in s.deployments]} for s in stand_in.services.values()],
            "bugs": list(stand_in.bugs)}
