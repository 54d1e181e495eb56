// The dashboard: bull-board on http://127.0.0.1:3000/ (DASHBOARD_PORT; 0 picks a free port)
// showing the queue's waiting, active, delayed, completed and failed jobs, each failed
// job with the server's reply.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { createMailQueue } from "@smtp/queue";
import express from "express";
import { QUEUE_NAME, redisUrl } from "./config.ts";

const mail = createMailQueue({ connection: redisUrl(), name: QUEUE_NAME });
const serverAdapter = new ExpressAdapter();
serverAdapter.setBasePath("/");
createBullBoard({ queues: [new BullMQAdapter(mail.queue)], serverAdapter });

const app = express();
app.use("/", serverAdapter.getRouter());
const server = app.listen(Number(process.env.DASHBOARD_PORT ?? 3000), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`dashboard: http://127.0.0.1:${port}/`);
});

const stop = () => server.close(() => void mail.close().then(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
