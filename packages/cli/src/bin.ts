#!/usr/bin/env node
import { runCli } from "./program.ts";

// Ctrl-C aborts what is in progress (the connection is closed, the exit status is 130);
// a second Ctrl-C exits at once.
const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error("interrupted"));
});

const status = await runCli(process.argv.slice(2), { signal: controller.signal });
process.exitCode = status;
