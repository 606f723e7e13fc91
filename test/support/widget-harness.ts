import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import express from "express";
import pino from "pino";
import { chromium, type Browser } from "playwright-core";
import type { Answerer } from "../../src/answer/types.js";
import { buildWidget } from "../../src/cli/build-widget.js";
import type { ParsedInterview } from "../../src/ingest/parse-interview.js";
import { createApp, type AppDependencies } from "../../src/serve/create-app.js";
import { widgetRoutes } from "../../src/serve/widget-routes.js";

/** Builds the widget afresh into a temporary folder, so tests never run a stale or missing bundle. */
export async function buildWidgetForTests(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), "interview-chat-widget-"));
  await buildWidget(folder);
  return folder;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and a free port. */
export async function listen(app: express.Express): Promise<RunningServer> {
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The real app with the widget routes mounted. */
export function startWidgetApp(options: {
  answerer: Answerer;
  interviews: ParsedInterview[];
  assetsDir: string;
  protection?: AppDependencies["protection"];
}): Promise<RunningServer> {
  return listen(
    createApp({
      answerer: options.answerer,
      logger: pino({ level: "silent" }),
      protection: options.protection,
      widget: widgetRoutes({ interviews: options.interviews, assetsDir: options.assetsDir }),
    }),
  );
}

/** Debian's Chromium, or the browser `CHROMIUM_PATH` names. */
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Whether there is a browser to drive: without one the browser tests are skipped, and say so. */
export const hasChromium = existsSync(chromiumPath);

/**
 * Chromium, headless, with nothing that reaches out to the network. playwright-core never
 * downloads a browser; `.ci/run` installs Debian's `chromium` when it is missing.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
