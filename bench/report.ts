import type { BarItem, BenchResults, HttpRun, LatencySummary } from "./results-schema.js";
import { round } from "./stats.js";
import { formatInsightsOverhead, type InsightsOverhead } from "./insights-overhead.js";

/** The issue's bar, judged on the results. Throughput and latency are judged on the default server (one worker per core). */
export function judgeBar(results: Omit<BenchResults, "bar">): BarItem[] {
  const defaultWorkers = Math.max(...results.http.runs.map((run) => run.workers));
  const find = (questions: HttpRun["questions"], connections: number, workers = defaultWorkers) =>
    results.http.runs.find(
      (run) => run.workers === workers && run.questions === questions && run.connections === connections,
    );
  const items: BarItem[] = [];
  const distinct1 = find("distinct", 1);
  items.push({
    id: "e2e-distinct-p50",
    criterion: "end-to-end p50, distinct question, 1 connection",
    value: distinct1?.latency.p50Ms ?? null,
    threshold: "<= 15 ms",
    pass: distinct1 !== undefined && distinct1.latency.p50Ms <= 15,
    note: `WEB_CONCURRENCY=${defaultWorkers}; with 1 worker ${find("distinct", 1, 1)?.latency.p50Ms.toFixed(2) ?? "-"} ms`,
  });
  const repeated1 = find("repeated", 1);
  items.push({
    id: "e2e-repeated-p50",
    criterion: "end-to-end p50, repeated question, 1 connection",
    value: repeated1?.latency.p50Ms ?? null,
    threshold: "<= 3 ms",
    pass: repeated1 !== undefined && repeated1.latency.p50Ms <= 3,
  });
  const distinct16 = find("distinct", 16);
  const failures16 = distinct16 ? distinct16.errors + distinct16.timeouts + distinct16.non2xx : 0;
  items.push({
    id: "throughput-distinct-16",
    criterion: "throughput, distinct questions, 16 connections, zero errors",
    value: distinct16?.throughputRps ?? null,
    threshold: ">= 150 req/s, 0 errors",
    pass: distinct16 !== undefined && distinct16.throughputRps >= 150 && failures16 === 0,
    note: `WEB_CONCURRENCY=${defaultWorkers}, ${failures16} errors/timeouts/non-2xx; with 1 worker ${find("distinct", 16, 1)?.throughputRps ?? "-"} req/s`,
  });
  const cold = results.coldStart.withIndex.medianMs;
  items.push({
    id: "cold-start",
    criterion: "cold start with a built index (node scripts/run-server.cjs to /healthz 200, median)",
    value: cold,
    threshold: "<= 500 ms",
    pass: cold <= 500,
    note: `first start after a build (no code cache yet): ${results.coldStart.firstAfterBuild.medianMs} ms; unbundled node build/main.js: ${results.coldStart.unbundled.medianMs} ms; node --import tsx src/main.ts: ${results.coldStart.tsxLoader.medianMs} ms`,
  });
  items.push({
    id: "llm-added-total",
    criterion: "LLM mode: time the server adds to a streamed answer (p50, distinct questions)",
    value: results.llm.addedTotalMs,
    threshold: "<= 15 ms",
    pass: results.llm.addedTotalMs <= 15,
    note: `repeated question: ${results.llm.addedTotalRepeatedMs} ms; retrieval (to the contexts event) ${results.llm.server.contexts.p50Ms.toFixed(2)} ms`,
  });
  items.push({
    id: "llm-added-ttft",
    criterion: "LLM mode: time the server adds to the first token (p50, distinct questions)",
    value: results.llm.addedTtftMs,
    threshold: "<= 15 ms",
    pass: results.llm.addedTtftMs <= 15,
    note: `repeated question: ${results.llm.addedTtftRepeatedMs} ms`,
  });
  const { beforeModelVsExtractiveMs: beforeModel, contextsToFirstTokenAddedMs: toFirst } = results.llm;
  if (beforeModel !== undefined && toFirst !== undefined) {
    const added = Math.max(0, beforeModel) + toFirst;
    items.push({
      id: "llm-before-model",
      criterion:
        "LLM mode: added before the model's first token beyond extractive mode's retrieval (p50: contexts vs extractive, then contexts to first token vs the openai client)",
      value: round(added, 2),
      threshold: "<= 5 ms",
      pass: added <= 5,
      note: `to contexts: LLM ${results.llm.server.contexts.p50Ms.toFixed(2)} ms, extractive ${results.llm.extractiveContexts?.p50Ms.toFixed(2)} ms; contexts to first token: +${toFirst} ms`,
    });
  }
  if (results.llm.afterLastTokenAddedMs !== undefined)
    items.push({
      id: "llm-after-last-token",
      criterion: "LLM mode: added after the model's last token (p50, claim checks and the closing events)",
      value: results.llm.afterLastTokenAddedMs,
      threshold: "<= 1 ms",
      pass: results.llm.afterLastTokenAddedMs <= 1,
    });
  const one = results.scale.points.find((point) => point.interviews === 1);
  const largest = results.scale.points.at(-1);
  const ratio = one && largest && largest.interviews > 1 ? largest.query.p50Ms / one.query.p50Ms : null;
  items.push({
    id: "scale-query-p50",
    criterion: `query p50 at ${largest?.interviews ?? "-"} interviews / at 1 interview`,
    value: ratio === null ? null : round(ratio, 2),
    threshold: "<= 3x",
    pass: ratio !== null && largest?.interviews === 1000 && ratio <= 3,
    note:
      one && largest
        ? `${largest.query.p50Ms.toFixed(2)} ms vs ${one.query.p50Ms.toFixed(2)} ms; without query embedding ${largest.searchOnly.p50Ms.toFixed(2)} ms vs ${one.searchOnly.p50Ms.toFixed(2)} ms`
        : undefined,
  });
  const project = results.baseline.sets.find((set) => set.file === "eval/questions.jsonl");
  items.push({
    id: "hit-at-1-vs-baseline",
    criterion: "hit@1 on eval/questions.jsonl: ours vs fixed-size dense baseline",
    value: project?.ours.hitAt1 ?? null,
    threshold: `> baseline (${project?.baseline.hitAt1 ?? "-"})`,
    pass: project !== undefined && project.ours.hitAt1 > project.baseline.hitAt1,
    note: results.baseline.sets
      .filter((set) => set !== project)
      .map((set) => `${set.file}: ${set.ours.hitAt1} vs ${set.baseline.hitAt1}`)
      .join("; "),
  });
  if (results.insights) items.push(insightsBarItem(results.insights));
  return items;
}

/** Issue 16: recording turns must not slow a reply (p50 with insights on within 1 ms of off). */
export function insightsBarItem(insights: InsightsOverhead): BarItem {
  return {
    id: "insights-p50-overhead",
    criterion: "/api/chat p50 with insights on − off (distinct questions, 1 connection, side by side)",
    value: insights.p50DifferenceMs,
    threshold: "within 1 ms",
    pass: Math.abs(insights.p50DifferenceMs) <= 1,
    note: `off ${insights.off.p50Ms.toFixed(2)} ms, on ${insights.on.p50Ms.toFixed(2)} ms; median within a pair ${insights.pairedDifferenceP50Ms.toFixed(2)} ms over ${insights.pairs} pairs; ${insights.turnsRecorded} turns recorded`,
  };
}

/** The results as plain-text tables, one section a measurement. */
export function formatReport(results: BenchResults): string {
  const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3));
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  const sections: string[] = [];
  const { machine, index, coldStart } = results;
  const otherCpu = Math.max(0, ...results.http.runs.map((run) => run.otherCpuPercent));
  sections.push(
    `interview-chat benchmark, ${results.startedAt}${results.quick ? " (quick run)" : ""}: ${machine.cpus} × ${machine.cpuModel}, ` +
      `${machine.totalMemoryMb} MiB, Node ${machine.node}, load average ${machine.loadAverageAtStart} at start and ${machine.loadAverageAtEnd} at the end, ${results.durationSeconds} s (${results.waitedForQuietSeconds} s of it waiting for a quiet machine)` +
      (otherCpu > 20
        ? `\nWARNING: other work on the machine used up to ${otherCpu} % CPU during the load runs; the numbers are skewed.`
        : ""),
  );
  sections.push(
    table(
      "Index (data/interview.txt, local encoder)",
      ["measure", "value"],
      [
        ["build (parse, chunk, embed, HNSW, save), median", `${ms(index.buildMs.p50Ms)} ms`],
        ["model load + first embedding", `${index.modelLoadMs} ms`],
        ["load of the saved index, median", `${ms(index.loadMs.p50Ms)} ms`],
        ["chunks / sentences", `${index.chunks} / ${index.sentences}`],
        [
          "size on disk",
          `${mib(index.sizeBytes)} (${Object.entries(index.files)
            .map(([name, size]) => `${name} ${size}`)
            .join(", ")})`,
        ],
      ],
    ),
  );
  const phases = coldStart.phases;
  sections.push(
    table(
      "Cold start: spawn to first 200 from /healthz (median of runs)",
      ["variant", "median", "runs"],
      [
        ...[
          coldStart.withIndex,
          coldStart.firstAfterBuild,
          coldStart.launcher,
          coldStart.unbundled,
          coldStart.tsxLoader,
          coldStart.withoutIndex,
        ].map((variant) => [variant.command, `${variant.medianMs} ms`, variant.runsMs.join(", ")]),
      ],
    ) +
      "\n" +
      table(
        "Where an unbundled compiled start with a built index goes (probe process, medians)",
        ["phase", "ms"],
        [
          ["bare `node -e 0` (for reference)", ms(phases.bareNodeMs)],
          ["spawn to the process's time origin", ms(phases.launcherMs)],
          ["Node bootstrap", ms(phases.bootstrapMs)],
          ["importing main.ts's modules (compiled, build/)", ms(phases.importMs)],
          ["index load (corpus, parse, read, verify, HNSW)", ms(phases.indexLoadMs)],
          ["retriever + answerer (term statistics, BM25)", ms(phases.retrieverBuildMs)],
          ["createApp + listen", ms(phases.listenMs)],
          ["after listening: model load + first embedding", ms(phases.modelLoadMs)],
          ["after listening: checking the suggestions (each answered, kept if grounded)", ms(phases.suggestionsMs)],
          ["first POST /api/chat after /healthz", ms(phases.firstRequestMs)],
        ],
      ),
  );
  sections.push(
    table(
      "In-process latency (real classes, real index; share: of a whole distinct question's p50)",
      ["step", "p50 ms", "p99 ms", "share", "n"],
      Object.entries(results.inProcess).map(([name, summary]) => [
        name,
        ms(summary.p50Ms),
        ms(summary.p99Ms),
        results.inProcess.answerDistinctQuestion
          ? `${((100 * summary.p50Ms) / results.inProcess.answerDistinctQuestion.p50Ms).toFixed(1)} %`
          : "",
        String(summary.samples),
      ]),
    ),
  );
  sections.push(
    table(
      `POST /api/chat with autocannon, ${results.http.durationSeconds} s a run (latency measured per response)`,
      [
        "workers",
        "questions",
        "conn",
        "req/s",
        "p50 ms",
        "p99 ms",
        "mean ms",
        "errors",
        "timeouts",
        "non-2xx",
        "CPU % server",
        "client",
        "other",
        "per process",
      ],
      results.http.runs.map((run) => [
        String(run.workers),
        run.questions,
        String(run.connections),
        String(run.throughputRps),
        ms(run.latency.p50Ms),
        ms(run.latency.p99Ms),
        ms(run.latency.meanMs),
        String(run.errors),
        String(run.timeouts),
        String(run.non2xx),
        String(run.serverCpuPercent),
        String(run.clientCpuPercent),
        String(run.otherCpuPercent),
        run.requestsPerProcess.join("/"),
      ]),
    ) +
      "\n" +
      table(
        "Peak RSS of the server (VmHWM)",
        ["workers", "processes", "total (without the tsx CLI)"],
        results.http.peakRss.map((entry) => [
          String(entry.workers),
          entry.processes.map((process) => `${process.role} ${process.peakRssMb} MiB`).join(", "),
          `${entry.totalMb} MiB`,
        ]),
      ),
  );
  const { llm } = results;
  const llmRow = (path: string, timing: { contexts?: LatencySummary; ttft: LatencySummary; total: LatencySummary }) => [
    path,
    timing.contexts ? ms(timing.contexts.p50Ms) : "",
    ms(timing.ttft.p50Ms),
    ms(timing.ttft.p99Ms),
    ms(timing.total.p50Ms),
    ms(timing.total.p99Ms),
  ];
  sections.push(
    table(
      `LLM mode, fake upstream (${llm.upstreamDelayMs} ms before the first byte, streamed), ${llm.samples} streams each`,
      ["path", "contexts p50", "TTFT p50", "TTFT p99", "total p50", "total p99"],
      [
        llmRow("openai client → upstream", llm.direct),
        llmRow("our server, distinct questions", llm.server),
        llmRow("our server, repeated question", llm.serverRepeated),
        ["added by the server, distinct (p50)", "", ms(llm.addedTtftMs), "", ms(llm.addedTotalMs), ""],
        ["added by the server, repeated (p50)", "", ms(llm.addedTtftRepeatedMs), "", ms(llm.addedTotalRepeatedMs), ""],
      ],
    ),
  );
  sections.push(
    table(
      "Scale curve (synthetic corpora; see scale.method)",
      [
        "interviews",
        "chunks",
        "sentences",
        "build ms",
        "est. embed s",
        "size",
        "load ms",
        "retriever ms",
        "RSS +MiB",
        "query p50",
        "query p99",
        "no-embed p50",
        "dense p50",
        "BM25 p50",
        "answer p50",
      ],
      results.scale.points.map((point) => [
        String(point.interviews),
        String(point.chunks),
        String(point.sentences),
        String(point.buildMs),
        (point.estimatedEmbedMs / 1000).toFixed(0),
        mib(point.sizeBytes),
        String(point.loadMs),
        String(point.retrieverBuildMs),
        String(point.rssDeltaMb),
        ms(point.query.p50Ms),
        ms(point.query.p99Ms),
        ms(point.searchOnly.p50Ms),
        ms(point.breakdown.denseSearch?.p50Ms ?? 0),
        ms(point.breakdown.bm25?.p50Ms ?? 0),
        ms(point.breakdown.extractiveAnswer?.p50Ms ?? 0),
      ]),
    ),
  );
  const { baseline } = results;
  sections.push(
    table(
      `Retrieval quality: ours vs fixed ${baseline.baselineChunks} windows of 1,000 chars, dense top-4 (built in ${baseline.baselineBuildMs} ms)`,
      ["question set", "answerable", "ours hit@1", "ours hit@3", "baseline hit@1", "baseline hit@3"],
      baseline.sets.map((set) => [
        set.file,
        String(set.answerable),
        set.ours.hitAt1.toFixed(3),
        set.ours.hitAt3.toFixed(3),
        set.baseline.hitAt1.toFixed(3),
        set.baseline.hitAt3.toFixed(3),
      ]),
    ) +
      "\n" +
      table(
        "Retrieval latency, same questions (embedding uncached)",
        ["", "p50 ms", "p99 ms"],
        [
          ["query embedding", ms(baseline.latency.embedding.p50Ms), ms(baseline.latency.embedding.p99Ms)],
          ["ours: embedding + hybrid retrieval", ms(baseline.latency.ours.p50Ms), ms(baseline.latency.ours.p99Ms)],
          [
            "baseline: embedding + HNSW top-4",
            ms(baseline.latency.baseline.p50Ms),
            ms(baseline.latency.baseline.p99Ms),
          ],
          [
            "ours without embedding",
            ms(baseline.latency.oursSearchOnly.p50Ms),
            ms(baseline.latency.oursSearchOnly.p99Ms),
          ],
          [
            "baseline without embedding",
            ms(baseline.latency.baselineSearchOnly.p50Ms),
            ms(baseline.latency.baselineSearchOnly.p99Ms),
          ],
        ],
      ),
  );
  if (results.batching) sections.push(formatBatching(results.batching));
  if (results.insights) sections.push(formatInsightsOverhead(results.insights));
  sections.push(
    table(
      "The issue's bar",
      ["", "criterion", "value", "threshold", "note"],
      results.bar.map((item) => [
        item.pass ? "PASS" : "FAIL",
        item.criterion,
        item.value === null ? "-" : String(item.value),
        item.threshold,
        item.note ?? "",
      ]),
    ),
  );
  return `${sections.join("\n\n")}\n`;
}

function table(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const numeric = header.map(
    (_, column) => column > 0 && rows.every((row) => /^(?:-?[\d.,]+(?: ms| MiB)?)?$/.test(row[column] ?? "")),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [title, line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

export function formatBatching(batching: NonNullable<BenchResults["batching"]>): string {
  const { encoder } = batching;
  const perText = table(
    "Query embedding: encoder cost per batch size (synchronous graph path, median of calls)",
    ["texts a call", "ms a call", "ms a text", "CPU ms a text"],
    encoder.sizes.map((size) => [
      String(size.batch),
      size.msPerCall.toFixed(2),
      size.msPerText.toFixed(2),
      size.cpuMsPerText.toFixed(2),
    ]),
  );
  const sizes = (run: (typeof batching.runs)[number]) =>
    Object.entries(run.batchSizes)
      .map(([size, count]) => `${size}×${count}`)
      .join(" ");
  const rounds = new Set(batching.runs.map((run) => run.round)).size;
  const rows = [...batching.runs, batching.overload].map((run) => [
    rounds > 1 && run !== batching.overload ? `${run.variant}, round ${run.round}` : run.variant,
    String(run.workers),
    String(run.connections),
    run.throughputRps.toFixed(1),
    `${run.latency.p50Ms.toFixed(1)} / ${run.latency.p99Ms.toFixed(1)}`,
    Object.entries(run.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(", ") + (run.timeouts ? `, timeouts: ${run.timeouts}` : ""),
    run.meanBatchSize ? `${run.meanBatchSize} (${sizes(run)})` : "-",
    `${run.otherCpuPercent} %`,
  ]);
  return (
    perText +
    `\nlargest |batched − alone| over ${encoder.texts} texts: ${encoder.maxAbsDifference.toExponential(2)}; one call a request allows at most ${batching.idealRps} req/s on this machine\n\n` +
    table(
      "Distinct questions with query batching off and on (EMBED_MAX_BATCH, EMBED_MAX_WAIT_MS)",
      ["variant", "workers", "conn", "req/s", "p50 / p99 ms", "replies", "mean batch (size×count)", "other CPU"],
      rows,
    ) +
    (batching.inProcess
      ? "\n\n" +
        table(
          "The same in one process (extractive answerer, real encoder; rounds interleaved)",
          ["variant", "round", "askers", "questions/s", "CPU ms a question", "p50 / p99 ms", "mean batch"],
          batching.inProcess.map((run) => [
            run.variant,
            String(run.round),
            String(run.askers),
            run.questionsPerSecond.toFixed(1),
            run.cpuMsPerQuestion.toFixed(2),
            `${run.latency.p50Ms.toFixed(2)} / ${run.latency.p99Ms.toFixed(2)}`,
            run.meanBatchSize ? String(run.meanBatchSize) : "-",
          ]),
        )
      : "")
  );
}
