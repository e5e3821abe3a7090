"use strict";
// Preloaded into the jsii kernel (Node.js) by monitors/constructs/kernel_env.py: `--require` in NODE_OPTIONS.
//
// The aws provider's lib/index.js is 2,212 lines `exports.<name> = require("./<file>");`: loading the assembly
// requires (reads and compiles) every resource module, ~3 s of CPU and ~450 MB of the kernel's memory, although a
// synth uses ~20 of them. This load hook hands Node the same file with each of those lines as a getter that
// requires its module on first access, then replaces itself with the value; the jsii kernel finds a class by
// walking the exports (`closure[submodule][Class]`), so only the modules a stack uses are loaded. Any other
// line, or a Node without module.registerHooks (22.15+), leaves the file as it is.
const { registerHooks } = require("node:module");

const INDEX = /\/node_modules\/@cdktf\/provider-aws\/lib\/index\.js$/;
const EXPORT = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[\w.-]+)"\);$/;
// The other lines tsc writes into that file: directives, comments, the `exports.a = exports.b = void 0;` list,
// the __esModule marker.
const KNOWN = [
  /^$/,
  /^"use strict";$/,
  /^\s*(\/\*\*|\*|\*\/|\/\/)/,
  /^exports\.[\w$]+ = (exports\.[\w$]+ = )*void 0;$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
];

function lazyExports(text) {
  let exported = 0;
  const lines = text.split("\n").map((line) => {
    const hit = EXPORT.exec(line);
    if (hit === null) {
      return KNOWN.some((known) => known.test(line)) ? line : null;
    }
    exported += 1;
    const [, name, file] = hit.map((part) => JSON.stringify(part));
    return (
      `Object.defineProperty(exports, ${name}, { enumerable: true, configurable: true, get() { ` +
      `const value = require(${file}); ` +
      `Object.defineProperty(exports, ${name}, { enumerable: true, configurable: true, writable: true, value }); ` +
      "return value; } });"
    );
  });
  return exported > 0 && !lines.includes(null) ? lines.join("\n") : null;
}

if (typeof registerHooks === "function") {
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      // format: undefined for a file require() loads outside a package with "type" (Node 22), "commonjs" otherwise
      const commonjs = result.format === undefined || result.format === "commonjs";
      if (!INDEX.test(url) || !commonjs || result.source == null) {
        return result;
      }
      const source = lazyExports(String(result.source));
      return source === null ? result : { ...result, source, shortCircuit: true };
    },
  });
}
