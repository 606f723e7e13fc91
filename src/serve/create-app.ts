import express, { type ErrorRequestHandler, type Request, type Response } from "express";
import type { Logger } from "pino";
import type { Answerer, ChatResponse } from "../answer/types.js";
import { AppError, BadRequestError } from "../errors.js";
import { chatRequestSchema } from "./chat-request.js";

export interface AppDependencies {
  answerer: Answerer;
  logger: Logger;
  /** Whether the index is loaded; `/healthz` answers 503 until it is. */
  isReady?: () => boolean;
}

/** Builds the HTTP app without listening, so tests can run it on port 0. */
export function createApp({ answerer, logger, isReady = () => true }: AppDependencies): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use((request, response, next) => {
    const started = process.hrtime.bigint();
    response.on("finish", () => {
      logger.info(
        { method: request.method, path: request.path, status: response.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        "request",
      );
    });
    next();
  });

  app.get("/healthz", (_request, response) => {
    if (isReady()) response.json({ status: "ok" });
    else response.status(503).json({ error: { code: "not_ready", message: "The index is still loading" } });
  });

  app.post("/api/chat", express.json({ limit: "32kb", strict: false }), async (request: Request, response: Response) => {
    if (!request.is("application/json")) {
      throw new AppError("unsupported_media_type", "Send the request as Content-Type: application/json", 415);
    }
    const parsed = chatRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      throw new BadRequestError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
    }
    const result: ChatResponse = await answerer.answer({ message: parsed.data.message, history: parsed.data.history });
    const { answer, citations, contexts, grounded, mode, degraded } = result;
    response.json({ answer, citations, contexts, grounded, mode, ...(degraded ? { degraded } : {}) });
  });

  app.use((_request, response) => {
    response.status(404).json({ error: { code: "not_found", message: "No such route" } });
  });
  app.use(errorHandler(logger));
  return app;
}

/** The one place errors become HTTP: known errors keep their status and code, anything else is a bare 500. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _request, response, _next) => {
    const status = (error as { status?: number; type?: string }).status;
    const type = (error as { type?: string }).type;
    let body: { code: string; message: string };
    let code = 500;
    if (error instanceof AppError) {
      code = error.status;
      body = { code: error.code, message: error.message };
    } else if (type === "entity.too.large") {
      code = 413;
      body = { code: "payload_too_large", message: "The request body is larger than 32 KB" };
    } else if (type === "entity.parse.failed") {
      code = 400;
      body = { code: "invalid_json", message: "The request body is not valid JSON" };
    } else if (typeof status === "number" && status >= 400 && status < 500) {
      code = status;
      body = { code: "bad_request", message: "The request could not be read" };
    } else {
      logger.error({ err: error }, "unhandled error");
      body = { code: "internal_error", message: "Something went wrong on our side" };
    }
    if (code >= 500 && error instanceof AppError) logger.warn({ err: error }, "request failed");
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(code).json({ error: body });
  };
}
