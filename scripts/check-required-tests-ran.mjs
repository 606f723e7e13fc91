// CI (.ci/run): `npm test` skips, saying so, the tests whose outside programs are missing (Chromium,
// redis-server, PostgreSQL); CI installs them and must not skip. Reads the JSON report vitest wrote
// during that same run (so the suite runs once) and fails unless every test of these files ran and passed.
import { readFileSync } from "node:fs";

const required = {
  "test/widget-browser.test.ts": "browser",
  "test/redis-rate-limit.test.ts": "Redis",
  "test/redis-fallback.test.ts": "Redis",
  "test/insights-postgres.test.ts": "PostgreSQL",
  "test/replicas.test.ts": "PostgreSQL and Redis",
};

const [reportFile] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, "utf8"));
let failed = false;
for (const [file, needs] of Object.entries(required)) {
  const results = report.testResults
    .filter((entry) => entry.name.endsWith(file))
    .flatMap((entry) => entry.assertionResults);
  const notPassed = results.filter((test) => test.status !== "passed");
  if (results.length === 0) {
    process.stderr.write(`No ${needs} test ran: ${file} is not in ${reportFile}.\n`);
    failed = true;
  } else if (notPassed.length > 0) {
    process.stderr.write(
      `${notPassed.length} of ${results.length} ${needs} tests in ${file} did not pass (${[...new Set(notPassed.map((test) => test.status))].join(", ")}), e.g. "${notPassed[0].fullName}".\n`,
    );
    failed = true;
  } else process.stdout.write(`All ${results.length} tests of ${file} (${needs}) ran and passed.\n`);
}
if (failed) process.exit(1);
