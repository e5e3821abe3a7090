// Validate Amazon States Language definitions with asl-validator.
//
// Usage: node tests/sfn/validate.mjs <definition.json> [<definition.json> ...]
// Prints one JSON line per file: {"file", "isValid", "errors": [...]}.
// Exit code: 0 if all valid, 1 if at least one is invalid, 2 on a usage/IO error.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const aslValidator = require("asl-validator");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs <definition.json> [...]");
  process.exit(2);
}

let allValid = true;
for (const file of files) {
  let definition;
  try {
    definition = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    process.exit(2);
  }
  // Full checks: JSONPath syntax and Resource ARNs included.
  const { isValid, errors, errorsText } = aslValidator(definition, { checkPaths: true, checkArn: true });
  allValid &&= isValid;
  // errors mixes ajv schema errors and asl-validator's own {"Error code", "Message"}
  // objects: errorsText() renders both as "<code or path>: <message>" lines.
  const messages = isValid ? [] : errorsText("\n").split("\n").filter(Boolean);
  console.log(JSON.stringify({ file, isValid, errors: messages }));
}
process.exit(allValid ? 0 : 1);
