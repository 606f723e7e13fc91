import { fileURLToPath } from "node:url";
import { markerStyles } from "../test/support/replay-openai-server.js";
import { replayRecordedAnswers } from "../test/support/replay-recorded-answers.js";

// Prints how the claim check does on the recorded model answers, per marker style: `npx tsx bench/claim-calibration.ts`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { claims } = await replayRecordedAnswers();
  const rows = [
    "| marker style | true claims | flagged (false flags) | invented claims | flagged |",
    "|---|---|---|---|---|",
  ];
  for (const style of markerStyles) {
    const ofStyle = claims.filter((claim) => claim.style === style);
    const real = ofStyle.filter((claim) => !claim.invented);
    const invented = ofStyle.filter((claim) => claim.invented);
    rows.push(
      `| ${style} | ${real.length} | ${real.filter((c) => !c.claim.supported).length} | ${invented.length} | ${invented.filter((c) => !c.claim.supported).length} |`,
    );
  }
  console.log(rows.join("\n"));
  console.log("\nFlagged true claims (before style):");
  for (const c of claims.filter((c) => c.style === "before" && !c.invented && !c.claim.supported))
    console.log(`  ${c.id} ${c.type} support=${c.claim.support} ${c.claim.text}`);
  console.log("\nInvented claims passed as supported (before style):");
  for (const c of claims.filter((c) => c.style === "before" && c.invented && c.claim.supported))
    console.log(`  ${c.id} ${c.type} support=${c.claim.support} ${c.claim.text}`);
  const supports = (invented: boolean) =>
    claims
      .filter((c) => c.style === "before" && c.invented === invented)
      .map((c) => c.claim.support)
      .sort((a, b) => a - b);
  console.log("\nsupport of true claims:", supports(false).join(" "));
  console.log("support of invented claims:", supports(true).join(" "));
}
