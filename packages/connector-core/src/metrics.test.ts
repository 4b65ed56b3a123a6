import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it("Node's process metrics: the event loop's lag as measured at scrape, not the 1 s sampling's statistics", async () => {
    const { text } = await new Metrics({ processMetrics: true }).exposition();
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).not.toContain('nodejs_eventloop_lag_p99_seconds');
    expect(text).not.toContain('nodejs_eventloop_lag_mean_seconds');
  });

  it('without process metrics, only our own', async () => {
    const { text } = await new Metrics({ processMetrics: false }).exposition();
    expect(text).toContain('state_proxy_requests_total');
    expect(text).not.toContain('nodejs_');
  });
});
