/** The wire contract, one module: the server, the eval client and (types only) the widget read it. */
export * from "./chat.js";
export * from "./completions.js";
export * from "./sources.js";
