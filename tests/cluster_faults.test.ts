/**
 * Cluster faults at CI size, on each engine: a resumable topic streams to
 * clients spread over three feed server processes (the runtime running the
 * test, the other one, this one again) while the cluster is hurt: clients held
 * away past the window, every client connection cut without a close frame, an
 * instance stopped past its liveness timeout, the engine restarted, an
 * instance killed. Per client and per fault: nothing lost, nothing twice,
 * nothing out of order; whatever is lost beyond the window is told, never
 * silent. `npm run soak` runs the same at full size (`--only cluster`) and
 * writes the figures to RELIABILITY.md.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLUSTER_SIZES, clusterFaultTable, ENGINE_NAMES, runClusterFaults } from "./reliability/cluster_faults.ts";

for (const engine of ENGINE_NAMES) {
  test(`${engine}: through every fault, every client gets every entry once and in order; beyond the window it is told`, async () => {
    const figures = await runClusterFaults(engine, CLUSTER_SIZES.ci);
    console.log(clusterFaultTable(figures));
    const failed = figures.checks.filter((c) => !c.held).map((c) => c.name);
    assert.deepEqual(failed, [], JSON.stringify(figures, null, 1));
    assert.ok(figures.phases.some((p) => p.resumed > 0), "some client resumed (the faults reached the clients)");
    assert.ok(figures.stragglers.lost > 0, "the clients held away past the window missed entries (and were told)");
  });
}
