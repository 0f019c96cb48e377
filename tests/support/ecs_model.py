"""The contract of the ECS stand-in: botocore's `ecs` service model.

Requests are checked twice: botocore's own ParamValidator (what boto3 runs
before sending) and a strict walk that also checks enums, which ParamValidator
does not. The request model is botocore's, widened by what the newer model of
@aws-sdk/client-ecs (npm peers, 3.1164) sends: cpuArchitecture and
taskDefinitionArn on Create/Update, and only infrastructureRoleArn required on
Create (dist-types/models/models_0.d.ts, CreateExpressGatewayServiceRequest).
Responses are checked against botocore's unmodified output shapes: members,
types, enums, required members and timestamps as epoch-seconds numbers (the
awsJson1_1 wire form), so a response only the newer model knows fails loudly.
"""

from __future__ import annotations

import copy
import functools
import json

import botocore.session
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
CONTENT_TYPE = "application/x-amz-json-1.1"
# The JS model's additions (@aws-sdk/client-ecs 3.1164, enums.d.ts ExpressCpuArchitecture).
_JS_EXTRAS = {"cpuArchitecture": {"shape": "ExpressCpuArchitecture"}, "taskDefinitionArn": {"shape": "String"}}


class ApiError(Exception):
    """An error answered in the awsJson1_1 shape: {"__type": code, "message": ...}."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message
        self.status = status if status is not None else _status_of(code)


@functools.cache
def _raw_model() -> dict:
    loader = botocore.session.get_session().get_component("data_loader")
    return loader.load_service_model("ecs", "service-2")


@functools.cache
def output_model() -> ServiceModel:
    """botocore's ecs model as shipped: the contract every response meets."""
    return ServiceModel(_raw_model(), service_name="ecs")


@functools.cache
def request_model() -> ServiceModel:
    """botocore's model widened by the JS model's Express members (see the module doc)."""
    raw = copy.deepcopy(_raw_model())
    shapes = raw["shapes"]
    shapes["ExpressCpuArchitecture"] = {"type": "string", "enum": ["ARM64", "X86_64"]}
    for name in ("CreateExpressGatewayServiceRequest", "UpdateExpressGatewayServiceRequest"):
        shapes[name]["members"].update(copy.deepcopy(_JS_EXTRAS))
    shapes["CreateExpressGatewayServiceRequest"]["required"] = ["infrastructureRoleArn"]
    return ServiceModel(raw, service_name="ecs")


def _status_of(code: str) -> int:
    """400 for a modeled exception, 500 for a fault (ServerException), 400 for the rest."""
    shapes = _raw_model()["shapes"]
    return 500 if shapes.get(code, {}).get("fault") else 400


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()


def validate_request(operation: str, params: dict) -> None:
    """Raises InvalidParameterException naming the first problems, in botocore's words."""
    shape = request_model().operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    problems = [line.strip() for line in report.generate_report().splitlines()] if report.has_errors() else []
    problems += wire_problems(params, shape, "", response=False)
    if problems:
        raise ApiError("InvalidParameterException", "; ".join(dict.fromkeys(problems)))


def validate_response(operation: str, body: dict) -> None:
    """Raises AssertionError when `body` breaks botocore's output shape for `operation`."""
    shape = output_model().operation_model(operation).output_shape
    problems = wire_problems(body, shape, "", response=True)
    if problems:
        raise AssertionError(f"{operation} response breaks botocore's output shape: " + "; ".join(problems))


_SCALARS = {
    "string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,), "double": (int, float),
    "float": (int, float), "timestamp": (int, float), "blob": (str,),
}


def wire_problems(value, shape, where: str, response: bool) -> list[str]:
    """Problems of JSON `value` against `shape`. For a response: types (timestamps
    as numbers), enums, unknown and missing members. For a request only enums:
    ParamValidator has reported the rest in its own words."""
    name = where or "input"
    kind = shape.type_name
    if kind == "structure":
        return _structure_problems(value, shape, where, response)
    if kind == "list":
        if not isinstance(value, list):
            return [f"{name} must be a list"]
        return [p for i, item in enumerate(value) for p in wire_problems(item, shape.member, f"{name}[{i}]", response)]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{name} must be an object"]
        return [p for k, v in value.items() for p in wire_problems(v, shape.value, f"{name}.{k}", response)]
    allowed = _SCALARS[kind]
    if not isinstance(value, allowed) or (bool not in allowed and isinstance(value, bool)):
        return [f"{name} must be a {kind}, not {type(value).__name__}"] if response else []
    enum = getattr(shape, "enum", None)
    if enum and value not in enum:
        return [f"Value at '{name}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(enum)}]"]
    return []


def _structure_problems(value, shape, where: str, response: bool) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where or 'input'} must be an object"] if response else []
    problems = [f"{where}.{m}".lstrip(".") + " is required" for m in shape.required_members
                if m not in value and response]
    for key, item in value.items():
        path = f"{where}.{key}" if where else key
        if key not in shape.members:
            problems += [f"{path} is not a member of {shape.name}"] if response else []
        elif item is not None:
            problems += wire_problems(item, shape.members[key], path, response)
    return problems
