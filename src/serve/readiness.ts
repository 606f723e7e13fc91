import type { RequestHandler } from "express";
import type { Answerer } from "../answer/types.js";
import type { Insights } from "../insights/insights.js";

/** One dependency's state: `down` means it is not serving its part; `degraded`, serving with a fallback. */
export interface DependencyCheck {
  status: "ok" | "degraded" | "down" | "off";
  [detail: string]: unknown;
}

/** Named checks, each cheap and synchronous: `/readyz` never waits on a store to say how it is. */
export type ReadinessChecks = Record<string, () => DependencyCheck>;

/**
 * `GET /readyz`: each dependency's state, for a load balancer and an operator. 503 only while the
 * index is not loaded (nothing can be answered); a store that is down leaves answers working (the
 * limits fall back to this server's count, turns wait in a queue), so the server is `degraded`,
 * 200, and keeps its traffic: taking every replica out because a shared store is down would stop
 * the answers too.
 */
export function readinessRoute(checks: ReadinessChecks): RequestHandler {
  return (_request, response) => {
    const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check()]));
    const ready = results.index?.status !== "down";
    const degraded = Object.values(results).some((check) => check.status === "down" || check.status === "degraded");
    response
      .status(ready ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({ status: !ready ? "not_ready" : degraded ? "degraded" : "ready", checks: results });
  };
}

/** The checks every server has: the index loaded, the answerer's mode, the insights store's state and queue. */
export function coreChecks({
  isReady,
  answerer,
  insights,
}: {
  isReady: () => boolean;
  answerer: Answerer;
  insights: Insights | undefined;
}): ReadinessChecks {
  return {
    index: () => (isReady() ? { status: "ok" } : { status: "down" }),
    model: () => ({ status: "ok", mode: answerer.mode }),
    insights: () => {
      if (!insights) return { status: "off" };
      const { status, ...detail } = insights.health();
      return { status: status === "connecting" ? "degraded" : status, ...detail };
    },
  };
}
