// CI (.ci/run): `npm test` skips the browser tests where no Chromium is found, and says so; CI must
// not. Reads the JSON report vitest wrote during that same run (so the suite runs once) and fails
// unless every test of test/widget-browser.test.ts ran and passed.
import { readFileSync } from "node:fs";

const [reportFile] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, "utf8"));
const browser = report.testResults.filter((file) => file.name.endsWith("test/widget-browser.test.ts"));
const results = browser.flatMap((file) => file.assertionResults);
const notPassed = results.filter((test) => test.status !== "passed");
if (browser.length === 0 || results.length === 0) {
  process.stderr.write(`No browser test ran: test/widget-browser.test.ts is not in ${reportFile}.\n`);
  process.exit(1);
}
if (notPassed.length > 0) {
  process.stderr.write(
    `${notPassed.length} of ${results.length} browser tests did not pass (${[...new Set(notPassed.map((test) => test.status))].join(", ")}), e.g. "${notPassed[0].fullName}".\n`,
  );
  process.exit(1);
}
process.stdout.write(`All ${results.length} browser tests ran and passed.\n`);
