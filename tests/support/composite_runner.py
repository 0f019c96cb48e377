"""A strict emulator of how the GitHub Actions runner runs a composite action
(action.yml with `runs.using: composite`), for the tests of this project's
actions. What it does is what the runner documents and does:

- inputs: the caller's `with:` values, else each input's `default:`; composite
  steps see them only through the `inputs` context (no INPUT_* variables);
- `shell: bash` steps: the script is written to a file and run as
  `bash --noprofile --norc -eo pipefail FILE` (docs.github.com, workflow
  syntax, jobs.<job_id>.steps[*].shell), in GITHUB_WORKSPACE, with the job's
  environment, the step's `env:` over it, and GITHUB_ACTION_PATH set to the
  action's directory;
- environment files (docs.github.com, "Workflow commands for GitHub Actions";
  the runner's FileCommandManager.cs): fresh GITHUB_OUTPUT, GITHUB_ENV,
  GITHUB_PATH and GITHUB_STEP_SUMMARY files per step, read after it:
  NAME=VALUE lines and NAME<<DELIMITER blocks (an unparseable line or a
  missing delimiter, which fail the step on the runner, raise ActionError here); GITHUB_ENV joins the
  environment of every later step, of this action and of the job; GITHUB_PATH
  lines are prepended to PATH, the latest first;
- `::add-mask::VALUE` lines register a secret and are not part of the log;
  other commands (`::error::`...) show their message; `::set-env` and
  `::add-path` are refused (the runner disabled them), and so are the
  deprecated `::set-output` and `::save-state`;
- the first failing step stops the action (no `if:` in these actions);
- `outputs:` are evaluated from the steps' outputs once every step passed.

Stricter than the runner, so that a mistake in an action fails a test instead
of becoming an empty string: only the `${{ }}` expressions these actions use
are understood (context references `inputs.NAME`,
`steps.ID.outputs.NAME`, `github.NAME`, string literals and `||`), and only
in `env:` values and `outputs:` (an expression in `run:` would reach the
shell unquoted, and github.action_repository is empty there: actions/runner
issue 2473); anything else, an undeclared input, a step output that was
never written, a missing required input, an input the action does not
declare, an unknown key in action.yml, is refused with ActionError.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import uuid

import yaml

ACTION_KEYS = {"name", "description", "author", "branding", "inputs", "outputs", "runs"}
INPUT_KEYS = {"description", "required", "default", "deprecationMessage"}
OUTPUT_KEYS = {"description", "value"}
STEP_KEYS = {"name", "id", "shell", "run", "env"}
# The shell keyword's command line (docs.github.com, jobs.<job_id>.steps[*].shell).
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(r"\s*(?:(?P<or>\|\|)|'(?P<string>(?:[^']|'')*)'|(?P<ref>[A-Za-z_][A-Za-z0-9_-]*"
                   r"(?:\.[A-Za-z_][A-Za-z0-9_-]*)*))\s*")
COMMAND = re.compile(r"^::([A-Za-z-]+)(?: [^:]*)?::(.*)$")
DISABLED_COMMANDS = {"set-env", "add-path", "set-output", "save-state"}


class ActionError(Exception):
    """The action, or the way it is used, is wrong or outside what the runner (or this emulator) accepts."""


def parse_file_command(text: str, what: str) -> dict:
    """The NAME=VALUE lines and NAME<<DELIMITER blocks of an environment
    file, as the runner reads them: empty lines skipped, the later value
    wins, anything else an ActionError naming `what` (GITHUB_ENV...)."""
    out: dict = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line.split("=", 1)
        elif heredoc >= 0:
            name, delimiter = line.split("<<", 1)
            if not delimiter:
                raise ActionError(f"{what}: invalid format '{line}': the delimiter must not be empty")
            try:
                end = lines.index(delimiter, i)
            except ValueError:
                raise ActionError(f"{what}: matching delimiter not found '{delimiter}'") from None
            value, i = "\n".join(lines[i:end]), end + 1
        else:
            raise ActionError(f"{what}: invalid format '{line}'")
        if not name:
            raise ActionError(f"{what}: invalid format '{line}': the name must not be empty")
        out[name] = value
    return out


def evaluate(text: str, resolve) -> str:
    """`text` with each ${{ EXPRESSION }} replaced by its value; `resolve`
    maps a context reference (inputs.x, steps.a.outputs.b, github.x) to a
    string or raises ActionError."""
    return EXPRESSION.sub(lambda m: _expression(m.group(1), resolve), text)


def _expression(source: str, resolve) -> str:
    """OPERAND (|| OPERAND)*: the first non-empty operand, else the last one
    (the runner's || returns an operand, truthiness of a string is non-empty)."""
    operands, expect_operand, pos = [], True, 0
    while pos < len(source):
        m = TOKEN.match(source, pos)
        if not m or m.end() == pos or (m["or"] is not None) == expect_operand:
            raise ActionError(f"unsupported expression '${{{{{source}}}}}' (understood: context references, "
                              "'string' literals and ||)")
        if m["string"] is not None:
            operands.append(m["string"].replace("''", "'"))
        elif m["ref"] is not None:
            operands.append(resolve(m["ref"]))
        expect_operand, pos = m["or"] is not None, m.end()
    if expect_operand:
        raise ActionError(f"unsupported expression '${{{{{source}}}}}'")
    return next((value for value in operands if value), operands[-1])


def _check_keys(what: str, mapping, allowed: set) -> None:
    if not isinstance(mapping, dict):
        raise ActionError(f"{what} must be a mapping")
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ActionError(f"{what}: unsupported key(s) {', '.join(unknown)}")


def load_action(directory: str) -> dict:
    """action.yml of `directory`, checked against what the emulator runs."""
    path = os.path.join(directory, "action.yml")
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    _check_keys(path, action, ACTION_KEYS)
    for name, spec in (action.get("inputs") or {}).items():
        _check_keys(f"{path}: input {name}", spec, INPUT_KEYS)
        if not isinstance(spec.get("default", ""), str):
            raise ActionError(f"{path}: input {name}: the default must be a string")
    for name, spec in (action.get("outputs") or {}).items():
        _check_keys(f"{path}: output {name}", spec, OUTPUT_KEYS)
    runs = action.get("runs")
    _check_keys(f"{path}: runs", runs, {"using", "steps"})
    if runs.get("using") != "composite":
        raise ActionError(f"{path}: runs.using is {runs.get('using')!r}, not composite")
    for number, step in enumerate(runs["steps"], 1):
        _check_keys(f"{path}: step {number}", step, STEP_KEYS)
        if step.get("shell") != "bash" or not isinstance(step.get("run"), str):
            raise ActionError(f"{path}: step {number} is not a `shell: bash` run step")
        for key in ("name", "run"):
            if "${{" in str(step.get(key, "")):
                raise ActionError(f"{path}: step {number}: expressions in {key}: are not supported")
    return action


@dataclasses.dataclass
class StepRun:
    """One step as it ran: its evaluated `env:`, exit code, output and the commands it wrote."""

    name: str
    id: str | None
    env: dict
    returncode: int
    stdout: str
    stderr: str
    outputs: dict
    masks: list
    log: str  # stdout then stderr as the job log shows them, before masking (::add-mask:: lines consumed)


@dataclasses.dataclass
class ActionRun:
    steps: list
    outputs: dict | None  # None when a step failed

    @property
    def failed(self) -> StepRun | None:
        return next((s for s in self.steps if s.returncode != 0), None)

    @property
    def log(self) -> str:
        return "".join(s.log for s in self.steps)

    @property
    def masks(self) -> list:
        return [m for s in self.steps for m in s.masks]


class Job:
    """One job on a Linux runner: its environment (`env`, with what steps
    wrote to GITHUB_ENV), its PATH additions, its workspace and temp
    directory under `directory`, and its `github` context (repository,
    action_repository...: what the actions' expressions may read)."""

    def __init__(self, directory: str, env: dict, github: dict):
        self.temp = os.path.join(directory, "_temp")
        self.workspace = os.path.join(directory, "workspace")
        for d in (self.temp, self.workspace):
            os.makedirs(d, exist_ok=True)
        self.env = dict(env, RUNNER_TEMP=self.temp, GITHUB_WORKSPACE=self.workspace)
        self.github = dict(github)
        self.path: list[str] = []  # GITHUB_PATH entries, the latest first

    def run_action(self, directory: str, inputs: dict | None = None) -> ActionRun:
        """Runs the composite action in `directory` as `uses:` with `with: inputs`."""
        action = load_action(directory)
        values = self._inputs(directory, action.get("inputs") or {}, inputs or {})
        steps: list[StepRun] = []

        def resolve(ref: str) -> str:
            return self._resolve(ref, values, steps)

        for number, step in enumerate(action["runs"]["steps"], 1):
            env = {k: evaluate(str(v), resolve) for k, v in (step.get("env") or {}).items()}
            ran = self._run(step["run"], env, directory, step.get("name") or f"step {number}", step.get("id"))
            steps.append(ran)
            if ran.returncode != 0:
                return ActionRun(steps, None)
        outputs = {name: evaluate(spec.get("value", ""), resolve)
                   for name, spec in (action.get("outputs") or {}).items()}
        return ActionRun(steps, outputs)

    def run_script(self, script: str, env: dict | None = None) -> StepRun:
        """A workflow's own `run:` step (shell: bash) after the actions."""
        return self._run(script, env or {}, None, "run", None)

    def _inputs(self, directory: str, declared: dict, given: dict) -> dict:
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise ActionError(f"{directory}: unexpected input(s) {', '.join(unknown)}; valid inputs are "
                              f"{', '.join(declared)}")
        values = {}
        for name, spec in declared.items():
            if name in given:
                values[name] = str(given[name])
            elif spec.get("required"):
                raise ActionError(f"{directory}: input required and not supplied: {name}")
            else:
                values[name] = evaluate(spec.get("default", ""), lambda ref: self._resolve(ref, {}, []))
        return values

    def _resolve(self, ref: str, inputs: dict, steps: list) -> str:
        parts = ref.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            if parts[1] not in inputs:
                raise ActionError(f"'{ref}': the action declares no input {parts[1]}")
            return inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            step = next((s for s in steps if s.id == parts[1]), None)
            if step is None:
                raise ActionError(f"'{ref}': no step with id {parts[1]} ran before")
            if parts[3] not in step.outputs:
                raise ActionError(f"'{ref}': step {parts[1]} wrote no output {parts[3]} "
                                  f"(it wrote: {', '.join(step.outputs) or 'none'})")
            return step.outputs[parts[3]]
        if parts[0] == "github" and len(parts) == 2 and parts[1] in self.github:
            return self.github[parts[1]]
        raise ActionError(f"unsupported context reference '{ref}'")

    def _files(self) -> dict:
        """A fresh, empty environment file of each kind for one step."""
        files = {}
        for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"):
            files[name] = os.path.join(self.temp, f"{name.lower()}_{uuid.uuid4()}")
            os.close(os.open(files[name], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return files

    def _run(self, script: str, step_env: dict, action_path: str | None, name: str, step_id) -> StepRun:
        files = self._files()
        path = os.path.join(self.temp, f"{uuid.uuid4()}.sh")
        with open(path, "w", encoding="utf-8") as f:
            f.write(script)
        env = dict(self.env, **step_env, **files)
        env["PATH"] = os.pathsep.join([*self.path, env.get("PATH", "")])
        if action_path is not None:
            env["GITHUB_ACTION_PATH"] = os.path.abspath(action_path)
        done = subprocess.run([*BASH, path], env=env, cwd=self.workspace, capture_output=True, text=True,
                              timeout=300)
        masks, log = _commands(done.stdout + done.stderr, name)
        ran = StepRun(name, step_id, step_env, done.returncode, done.stdout, done.stderr, {}, masks, log)
        self._absorb(files, ran)  # the runner reads the files after a failed step too
        return ran

    def _absorb(self, files: dict, ran: StepRun) -> None:
        """What the runner does after a step: reads its environment files."""
        def read(name):
            with open(files[name], encoding="utf-8") as f:
                return f.read()

        ran.outputs = parse_file_command(read("GITHUB_OUTPUT"), f"{ran.name}: GITHUB_OUTPUT")
        self.env.update(parse_file_command(read("GITHUB_ENV"), f"{ran.name}: GITHUB_ENV"))
        for line in read("GITHUB_PATH").split("\n"):
            if line:
                self.path = [line, *[p for p in self.path if p != line]]


def _commands(output: str, step: str) -> tuple[list, str]:
    """(the ::add-mask:: values, the log as the runner shows it) of a step's
    output: a mask command is consumed, other commands show their message."""
    masks, log = [], []
    for line in output.splitlines(keepends=True):
        m = COMMAND.match(line.rstrip("\n"))
        if not m:
            log.append(line)
        elif m[1] in DISABLED_COMMANDS:
            raise ActionError(f"{step}: the ::{m[1]}:: command is disabled on the runner (use the environment files)")
        elif m[1] == "add-mask":
            masks.append(m[2])
        else:
            log.append(m[2] + "\n")  # the message of ::error::, ::warning::... is shown
    return masks, "".join(log)
