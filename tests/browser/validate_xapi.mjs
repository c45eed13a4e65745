// Validates xAPI statements with Learning Locker's validator (npm @learninglocker/xapi-validation):
// a JSON array of statements on stdin, a JSON array of {index, id, problems} on stdout (empty: all valid).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const validate = require("@learninglocker/xapi-validation").default;
const statements = JSON.parse(readFileSync(0, "utf8"));
const out = [];
statements.forEach((statement, index) => {
  const problems = validate(statement).map((w) => ({ path: w.path.join("."), kind: w.constructor.name,
    message: String(w.message), data: JSON.stringify(w.data)?.slice(0, 200) }));
  if (problems.length) out.push({ index, id: statement.id, problems });
});
process.stdout.write(JSON.stringify(out));
