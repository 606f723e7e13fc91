import express from "express";
import type { SourceDetail } from "../contract/index.js";
import { NotFoundError } from "../errors.js";

/**
 * The archive's catalogue, mounted at /api/sources: `GET /api/sources` lists the interviews,
 * `GET /api/sources/:id` gives one with its readable text, so any client can check a quote
 * (`text.slice(start, end) === quote`). The id is a source's id or its file name.
 */
export function sourcesRoutes(sources: readonly SourceDetail[]): express.Router {
  const router = express.Router();
  const list = { sources: sources.map(({ text: _text, ...summary }) => summary) };
  router.get("/", (_request, response) => {
    response.set("Cache-Control", "no-cache").json(list);
  });
  router.get("/:id", (request, response) => {
    const id = request.params.id;
    const source = sources.find((candidate) => candidate.id === id || candidate.name === id);
    if (!source) throw new NotFoundError(`No source ${JSON.stringify(id.slice(0, 100))}: GET /api/sources lists them`);
    response.set("Cache-Control", "no-cache").json(source);
  });
  return router;
}
