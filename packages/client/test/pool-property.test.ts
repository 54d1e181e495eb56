import { createClient } from "@smtp/client";
import type { Connector } from "@smtp/core/transport-kit";

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeSession, FakeTransport } from "./fakes.ts";

/** What the scripted server does with one transaction. */
type Fate = "ok" | "eof-before-data" | "eof-after-data";

describe("pool guarantees under random connection failures (scripted server)", () => {
  it("nothing is sent twice, and nothing is reported sent that the server did not accept", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Fate>("ok", "ok", "eof-before-data", "eof-after-data"), {
          maxLength: 25,
        }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        async (fates, count, maxConnections) => {
          let next = 0;
          const sessions: FakeSession[] = [];
          const connector: Connector = async () => {
            let fate: Fate = "ok";
            // Each transaction takes the next fate from the shared script.
            return new FakeTransport((line) => {
              const key = line.split(" ")[0];
              if (key === "HELLO") return "ready";
              if (key === "MAIL") {
                fate = fates[next++] ?? "ok";
                return fate === "eof-before-data" ? null : "go";
              }
              if (key === ".") return fate === "eof-after-data" ? null : "ok";
              if (key === "QUIT") return "bye";
              return undefined;
            });
          };
          const sessionFactory = () => {
            const session = new FakeSession();
            sessions.push(session);
            return session;
          };
          const client = createClient(
            { host: "mx.example.test", transport: connector, pool: { maxConnections } },
            { sessionFactory },
          );
          const outcomes = await Promise.allSettled(
            Array.from({ length: count }, (_, i) =>
              client.send({ from: "a@example.test", to: "b@example.test", text: `<<m${i}>>` }),
            ),
          );
          await client.close();
          for (let i = 0; i < count; i++) {
            const marker = `<<m${i}>>`;
            // Each session's body bytes: how many connections carried this message's data.
            const carried = sessions.filter((s) => s.body.join("").includes(marker)).length;
            expect(carried).toBeLessThanOrEqual(1);
            if (outcomes[i]?.status === "fulfilled") expect(carried).toBe(1);
          }
          // As many messages resolved as the server accepted (its "ok" replies to a ".").
          const accepted = sessions.reduce(
            (n, s) => n + s.out.filter((line) => line === ".").length,
            0,
          );
          const fulfilled = outcomes.filter((o) => o.status === "fulfilled").length;
          const lostAfterData = fates.slice(0, next).filter((f) => f === "eof-after-data").length;
          expect(fulfilled).toBe(accepted - lostAfterData);
        },
      ),
      { numRuns: 60 },
    );
  });
});
