import { spawn, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyWithin } from "../src/serve/limit-stores.js";

// The Redis limit store's command timeout. A server worker embeds questions synchronously, so on
// a loaded machine its event loop can be busy for longer than the timeout while Redis's reply
// already waits in the socket: that is a busy worker, not a Redis that is gone.

// The echo server runs in its own process, as Redis does: its reply arrives while this one is busy.
let echo: ChildProcess;
let port = 0;
beforeAll(async () => {
  echo = spawn(process.execPath, [
    "-e",
    `const server = require("node:net").createServer((socket) => socket.on("data", (data) => socket.write(data)));
     server.listen(0, "127.0.0.1", () => console.log(server.address().port));`,
  ]);
  port = Number(await new Promise<string>((resolve) => echo.stdout!.once("data", (data) => resolve(String(data)))));
});
afterAll(() => {
  echo.kill();
});

/** Sends `text` to the echo server; resolves with the reply once the socket is read. */
async function roundTrip(text: string): Promise<{ reply: Promise<string>; sent: Promise<void> }> {
  const socket = createConnection(port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  const reply = new Promise<string>((resolve) =>
    socket.once("data", (data) => {
      resolve(data.toString());
      socket.destroy();
    }),
  );
  return { reply, sent: new Promise<void>((resolve) => socket.write(text, () => resolve())) };
}

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("replyWithin", () => {
  it("takes a reply that came while the event loop was busy for longer than the timeout", async () => {
    const { reply, sent } = await roundTrip("PONG");
    const within = replyWithin(reply, 100);
    await sent;
    // The echo arrives meanwhile (from another process: a second, for a loaded machine); the timer is
    // due long before the socket is read.
    blockFor(1_000);
    await expect(within).resolves.toBe("PONG");
  });

  it("fails once the time has passed with no reply", async () => {
    const started = performance.now();
    await expect(replyWithin(new Promise<string>(() => {}), 100)).rejects.toThrow("no reply in 100 ms");
    expect(performance.now() - started).toBeGreaterThanOrEqual(99);
  });

  it("passes a failure on as it is", async () => {
    await expect(replyWithin(Promise.reject(new Error("NOSCRIPT")), 100)).rejects.toThrow("NOSCRIPT");
  });
});
