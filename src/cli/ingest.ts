import { loadConfig } from "../config.js";
import { createEmbedder } from "../embed/create-embedder.js";
import { createLogger } from "../logger.js";
import { openIndex } from "../search-index/open-index.js";
import { runCli } from "./run-cli.js";

runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 2, [config.openai.apiKey]);
  const { index, sources } = await openIndex({
    dataDir: config.dataDir,
    indexDir: config.indexDir,
    embedder: createEmbedder(config),
    logger,
    force: true,
  });
  const { manifest } = index;
  process.stdout.write(
    `Indexed ${sources.map((source) => source.name).join(", ")}: ${manifest.chunkCount} chunks, ${manifest.sentenceCount} sentences, ` +
      `${manifest.embedder.id} (${manifest.embedder.dimensions} dimensions) into ${config.indexDir}\n`,
  );
});
