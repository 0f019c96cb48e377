"""tests/support/composite_runner.py, the emulator test_task_actions.py runs
the actions with: its expression subset, the environment file format, and a
small composite action run end to end."""

from __future__ import annotations

import os
import tempfile
import textwrap
import unittest

import harness
from composite_runner import ActionError, Job, evaluate, parse_file_command

CONTEXT = {"inputs.a": "", "inputs.b": "B", "github.repository": "octo-org/app"}


def resolve(ref: str) -> str:
    if ref not in CONTEXT:
        raise ActionError(f"unsupported context reference '{ref}'")
    return CONTEXT[ref]


ACTION = """\
name: t
description: t
inputs:
  greeting: {description: d, required: true}
  who: {description: d, default: world}
outputs:
  text: {description: d, value: "${{ steps.one.outputs.text }}"}
  seen: {description: d, value: "${{ steps.two.outputs.seen }}"}
runs:
  using: composite
  steps:
    - id: one
      shell: bash
      env: {GREETING: "${{ inputs.greeting }}", WHO: "${{ inputs.who || github.repository }}"}
      run: |
        mkdir -p "$RUNNER_TEMP/tools" && printf '#!/bin/sh\\necho tool\\n' > "$RUNNER_TEMP/tools/tool"
        chmod +x "$RUNNER_TEMP/tools/tool"
        { echo "text<<END"; echo "$GREETING"; echo "$WHO"; echo END; } >> "$GITHUB_OUTPUT"
        echo "FROM_ONE=a=b" >> "$GITHUB_ENV"
        echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"
        echo "::add-mask::s3cret"
        [[ $WHO != stop ]]
    - id: two
      shell: bash
      run: |
        flags=-
        [[ ! -o errexit ]] || flags+=e
        [[ ! -o pipefail ]] || flags+=p
        echo "seen=$FROM_ONE $(tool) $flags ${GITHUB_ACTION_PATH##*/}" >> "$GITHUB_OUTPUT"
        [[ -z ${INPUT_WHO:-} ]]
"""


class CompositeRunnerTest(unittest.TestCase):
    def test_expressions_outside_the_subset_are_refused(self):
        for source in ["${{ inputs.a && 'x' }}", "${{ format('{0}', inputs.b) }}", "${{ !inputs.a }}",
                       "${{ secrets.TOKEN }}", "${{ inputs.b == 'B' }}", "${{ true }}", "${{ 1 }}",
                       "${{ inputs.a || }}", "${{ }}", "${{ inputs.a inputs.b }}", "${{ github['repository'] }}"]:
            with self.subTest(source), self.assertRaises(ActionError):
                evaluate(source, resolve)

    def test_or_gives_the_first_non_empty_operand(self):
        self.assertEqual(evaluate("${{ inputs.a || inputs.b || 'c' }}", resolve), "B")
        self.assertEqual(evaluate("x-${{ inputs.a || 'it''s' }}-${{ github.repository }}", resolve),
                         "x-it's-octo-org/app")
        self.assertEqual(evaluate("${{ inputs.a || inputs.a }}", resolve), "")

    def test_environment_files_parse_as_the_runner_reads_them(self):
        text = "a=1\n\nb<<EOF\nx\n\ny=z\nEOF\nc=2=3\nd<<EOF\nEOF\na=4\n"
        self.assertEqual(parse_file_command(text, "GITHUB_OUTPUT"),
                         {"a": "4", "b": "x\n\ny=z", "c": "2=3", "d": ""})
        for bad in ["b<<EOF\nx\n", "no separator\n", "=v\n", "b<<\nx\n"]:
            with self.subTest(bad), self.assertRaises(ActionError):
                parse_file_command(bad, "GITHUB_OUTPUT")

    def job_and_action(self):
        tmp = tempfile.mkdtemp(prefix="composite-runner-")
        directory = os.path.join(tmp, "the-action")
        os.makedirs(directory)
        with open(os.path.join(directory, "action.yml"), "w") as f:
            f.write(ACTION)
        job = Job(os.path.join(tmp, "job"), {"PATH": os.environ["PATH"], "HOME": tmp},
                  {"repository": "octo-org/app"})
        return job, directory

    def test_a_composite_action_runs_as_on_a_runner(self):
        job, directory = self.job_and_action()
        run = job.run_action(directory, {"greeting": "hello"})
        self.assertIsNone(run.failed, run.log)
        self.assertEqual(run.outputs, {"text": "hello\nworld", "seen": "a=b tool -ep the-action"})
        self.assertEqual((run.masks, run.log), (["s3cret"], ""))
        self.assertEqual(job.env["FROM_ONE"], "a=b")
        self.assertEqual(job.run_script("tool").stdout, "tool\n")

    def test_inputs_are_checked(self):
        job, directory = self.job_and_action()
        with self.assertRaisesRegex(ActionError, "input required and not supplied: greeting"):
            job.run_action(directory, {})
        with self.assertRaisesRegex(ActionError, "unexpected input.s. gretting"):
            job.run_action(directory, {"greeting": "x", "gretting": "y"})

    def test_a_failing_step_stops_the_action(self):
        job, directory = self.job_and_action()
        run = job.run_action(directory, {"greeting": "x", "who": "stop"})
        self.assertEqual((run.outputs, len(run.steps), run.failed.id, run.failed.returncode), (None, 1, "one", 1))

    def test_an_output_no_step_wrote_is_refused(self):
        job, directory = self.job_and_action()
        with open(os.path.join(directory, "action.yml"), "w") as f:
            f.write(ACTION.replace("steps.two.outputs.seen", "steps.two.outputs.missing"))
        with self.assertRaisesRegex(ActionError, r"step two wrote no output missing \(it wrote: seen\)"):
            job.run_action(directory, {"greeting": "x"})

if __name__ == "__main__":
    harness.main()
