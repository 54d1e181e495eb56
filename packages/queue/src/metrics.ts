/** Upper bounds of the latency histograms, in seconds. @since 0.1.0 */
export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800,
];

/** A histogram: how many observations fell at or under each bound, their count and sum. @since 0.1.0 */
export interface HistogramSnapshot {
  /** `[upper bound in seconds, observations ≤ it]`, cumulative, as Prometheus has them. */
  buckets: [number, number][];
  /** Observations in all. */
  count: number;
  /** Sum of the observations, in seconds. */
  sum: number;
}

/** The worker's counters since it started. @since 0.1.0 */
export interface MailMetricsSnapshot {
  /** Messages delivered (a final 2xx from the server, for at least one recipient). */
  sent: number;
  /** Messages failed for good (5xx, invalid input, or out of attempts). */
  failed: number;
  /** Attempts that failed and will be retried (4xx, network, timeout). */
  retried: number;
  /** Sends postponed by a rate limit or a destination paused after a 421 (no attempt used). */
  deferred: number;
  /** Jobs found already delivered by the delivered-set: nothing sent. */
  skipped: number;
  /** Sends in flight now. */
  active: number;
  /** From enqueue (or the end of `delay`) to the server's 2xx. */
  latency: HistogramSnapshot;
  /** Duration of `client.send` alone, per successful send. */
  sendDuration: HistogramSnapshot;
}

class Histogram {
  readonly #counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  #count = 0;
  #sum = 0;

  observe(seconds: number): void {
    this.#count++;
    this.#sum += seconds;
    const i = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    if (i >= 0) this.#counts[i]!++;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const buckets = LATENCY_BUCKETS.map((bound, i): [number, number] => {
      running += this.#counts[i]!;
      return [bound, running];
    });
    return { buckets, count: this.#count, sum: this.#sum };
  }
}

/**
 * Counters and latency histograms of one worker, readable as a snapshot (for logs) or in
 * Prometheus' text format (serve `toPrometheus()` on `/metrics`); no Prometheus client
 * needed. Sum them over workers in the query (`sum by (queue)`).
 *
 * @since 0.1.0
 */
export class MailMetrics {
  /** Messages delivered (see {@link MailMetricsSnapshot.sent}). */
  sent = 0;
  /** Messages failed for good. */
  failed = 0;
  /** Failed attempts that will be retried. */
  retried = 0;
  /** Sends postponed without using an attempt. */
  deferred = 0;
  /** Jobs found already delivered. */
  skipped = 0;
  /** Sends in flight now. */
  active = 0;
  readonly #latency = new Histogram();
  readonly #sendDuration = new Histogram();

  /** Records a delivery: seconds since enqueue, and seconds `client.send` took. */
  observeSent(latencySeconds: number, sendSeconds: number): void {
    this.sent++;
    this.#latency.observe(latencySeconds);
    this.#sendDuration.observe(sendSeconds);
  }

  /** Every counter and both histograms, as plain data. */
  snapshot(): MailMetricsSnapshot {
    return {
      sent: this.sent,
      failed: this.failed,
      retried: this.retried,
      deferred: this.deferred,
      skipped: this.skipped,
      active: this.active,
      latency: this.#latency.snapshot(),
      sendDuration: this.#sendDuration.snapshot(),
    };
  }

  /**
   * The Prometheus text exposition: `smtp_queue_<counter>_total`, `smtp_queue_active`, and
   * the histograms `smtp_queue_latency_seconds` and `smtp_queue_send_duration_seconds`,
   * each with `labels` (e.g. `{ queue: "mail", worker: "a" }`).
   */
  toPrometheus(labels: Record<string, string> = {}): string {
    const s = this.snapshot();
    const base = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    const set = (extra: string[] = []) => {
      const all = [...base, ...extra];
      return all.length > 0 ? `{${all.join(",")}}` : "";
    };
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      lines.push(
        `# HELP smtp_queue_${name}_total ${help}`,
        `# TYPE smtp_queue_${name}_total counter`,
      );
      lines.push(`smtp_queue_${name}_total${set()} ${value}`);
    };
    counter("sent", "Messages delivered.", s.sent);
    counter("failed", "Messages failed for good.", s.failed);
    counter("retried", "Failed attempts that will be retried.", s.retried);
    counter("deferred", "Sends postponed by a rate limit or a paused destination.", s.deferred);
    counter("skipped", "Jobs found already delivered.", s.skipped);
    lines.push("# HELP smtp_queue_active Sends in flight.", "# TYPE smtp_queue_active gauge");
    lines.push(`smtp_queue_active${set()} ${s.active}`);
    const histogram = (name: string, help: string, h: HistogramSnapshot) => {
      lines.push(`# HELP smtp_queue_${name} ${help}`, `# TYPE smtp_queue_${name} histogram`);
      for (const [bound, count] of h.buckets) {
        lines.push(`smtp_queue_${name}_bucket${set([`le="${bound}"`])} ${count}`);
      }
      lines.push(`smtp_queue_${name}_bucket${set(['le="+Inf"'])} ${h.count}`);
      lines.push(
        `smtp_queue_${name}_sum${set()} ${h.sum}`,
        `smtp_queue_${name}_count${set()} ${h.count}`,
      );
    };
    histogram("latency_seconds", "From enqueue to the server's acceptance.", s.latency);
    histogram("send_duration_seconds", "Duration of one send.", s.sendDuration);
    return `${lines.join("\n")}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
