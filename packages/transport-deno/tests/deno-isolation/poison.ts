// Mapped (by poison-node.json) in place of every `node:*` module and @smtp/transport-node:
// loading it means the code under test imported one of them.
throw new Error("a node:* module or @smtp/transport-node was imported on Deno");
