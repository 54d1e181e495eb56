/** What the programs of this example share: where Redis is and the queue's name. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) {
    console.error(
      "REDIS_URL is not set. Start a local Redis with `pnpm redis:start` (from the repository root) and export what it prints.",
    );
    process.exit(2);
  }
  return url;
}

export const QUEUE_NAME = process.env.QUEUE_NAME ?? "newsletter";
