// The pageserver's counters and histograms (what only grows, or is observed per operation), in
// Prometheus text under Neon's names where Neon has one (pageserver/src/metrics.rs). Gauges that
// are read off live state (LSNs, sizes, tenant states) are computed in routes.ts at scrape time.
// One registry per process, as Neon's; labels are rendered in the order they were given.

import type { TenantManager } from './tenants/tenant-manager.ts';
import type { Timeline } from './timeline/timeline.ts';

type Labels = Record<string, string>;

/** Neon's buckets for remote operation latencies (seconds). */
const SECONDS_BUCKETS = [0.001, 0.01, 0.1, 1, 10, 100];

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`)];
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(readonly name: string, readonly help: string, private readonly buckets = SECONDS_BUCKETS) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    const s = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((le, i) => {
      if (value <= le) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
    this.series.set(key, s);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`, `${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/** Neon's shard_id label: the shard slug, "0000" for an unsharded tenant. */
export function shardLabels(tenantShardId: string): { tenant_id: string; shard_id: string } {
  return { tenant_id: tenantShardId.slice(0, 32), shard_id: tenantShardId.length > 32 ? tenantShardId.slice(33) : '0000' };
}

export type RemoteFileKind = 'layer' | 'index';
export type RemoteOpKind = 'upload' | 'download' | 'delete';

export const metrics = {
  // Remote timeline client: an operation is "started" once when first tried and "finished" once
  // when it succeeds, so started − finished is the upload queue's depth, retries included.
  callsStarted: new Counter('pageserver_remote_timeline_client_calls_started', 'Number of started calls to remote timeline client.'),
  callsFinished: new Counter('pageserver_remote_timeline_client_calls_finished', 'Number of finished calls to remote timeline client.'),
  bytesStarted: new Counter('pageserver_remote_timeline_client_bytes_started', 'Bytes of remote timeline client operations, counted when they start.'),
  bytesFinished: new Counter('pageserver_remote_timeline_client_bytes_finished', 'Bytes of remote timeline client operations, counted when they finish.'),
  /** Every attempt, with status success or failure: the failures are the retries. */
  remoteSeconds: new Histogram('pageserver_remote_timeline_client_seconds_global', 'Time spent on remote timeline client operations, per attempt, by file kind, operation and status.'),
  attachReusedLayers: new Counter('pageserver_attach_reused_layers', 'Layers an attach found on local disk (a secondary download or an earlier attachment) instead of downloading them.'),
  attachReusedBytes: new Counter('pageserver_attach_reused_bytes', 'Bytes of the layers an attach found on local disk instead of downloading them.'),
  uploadHeatmap: new Counter('pageserver_secondary_upload_heatmap', 'Number of heatmaps written to remote storage by attached tenants'),
  uploadHeatmapErrors: new Counter('pageserver_secondary_upload_heatmap_errors', 'Failures writing heatmap to remote storage'),
  uploadHeatmapDuration: new Histogram('pageserver_secondary_upload_heatmap_duration', 'Time to build and upload a heatmap'),
  downloadHeatmap: new Counter('pageserver_secondary_download_heatmap', 'Number of downloads of heatmaps by secondary mode locations, including when it hasn\'t changed'),
  downloadLayer: new Counter('pageserver_secondary_download_layer', 'Number of downloads of layers by secondary mode locations'),
  downloadLayerBytes: new Counter('pageserver_secondary_download_layer_bytes', 'Bytes of layers downloaded by secondary mode locations'),
  // The deletion queue, under Neon's names: a stale generation's objects are "dropped".
  deletionsSubmitted: new Counter('pageserver_deletion_queue_submitted_total', 'Number of objects submitted for deletion'),
  deletionsValidated: new Counter('pageserver_deletion_queue_validated_total', 'Number of keys validated for deletion'),
  deletionsDropped: new Counter('pageserver_deletion_queue_dropped_total', 'Number of object deletions dropped due to stale generation.'),
  deletionsExecuted: new Counter('pageserver_deletion_queue_executed_total', 'Number of objects deleted. Only includes objects that we actually deleted, sum with pageserver_deletion_queue_dropped_total for the total number of keys processed to completion'),
  lsnUpdatesDropped: new Counter('pageserver_deletion_queue_dropped_lsn_updates_total', 'Updates to remote_consistent_lsn dropped due to stale generation number.'),
  deletionRemoteErrors: new Counter('pageserver_deletion_queue_remote_errors_total', 'Retryable remote I/O errors while executing deletions, for example 503 responses to DeleteObjects'),
};

/** Times one remote attempt into pageserver_remote_timeline_client_seconds_global. */
export async function measureRemote<T>(fileKind: RemoteFileKind, opKind: RemoteOpKind, op: () => Promise<T>): Promise<T> {
  const taskKind = opKind === 'download' ? 'unknown' : 'RemoteUploadTask';
  const began = performance.now();
  try {
    const result = await op();
    metrics.remoteSeconds.observe({ task_kind: taskKind, file_kind: fileKind, op_kind: opKind, status: 'success' }, (performance.now() - began) / 1000);
    return result;
  } catch (err) {
    metrics.remoteSeconds.observe({ task_kind: taskKind, file_kind: fileKind, op_kind: opKind, status: 'failure' }, (performance.now() - began) / 1000);
    throw err;
  }
}

export function renderMetrics(): string[] {
  return Object.values(metrics).flatMap((m) => m.render());
}

/** Gauges read off live state at scrape time: tenant states, slots, LSNs and the upload queues. */
export function scrapeGauges(tenants: TenantManager): string[] {
  const gauge = (name: string, rows: [Labels, number][]): string[] => [`# TYPE ${name} gauge`, ...rows.map(([labels, v]) => `${name}${labelText(labels)} ${v}`)];
  const attached = tenants.list();
  const secondaries = tenants.listSecondaries();
  const states = new Map<string, number>(['Attaching', 'Active', 'Broken', 'Stopping'].map((s) => [s, 0]));
  for (const t of attached) states.set(t.state.value.slug, (states.get(t.state.value.slug) ?? 0) + 1);
  const perTimeline = (value: (tl: Timeline) => number | null): [Labels, number][] =>
    attached.flatMap((t) => [...t.timelines.values()].flatMap((tl) => {
      const v = value(tl);
      return v === null ? [] : [[{ ...shardLabels(t.id), timeline_id: tl.id }, v] as [Labels, number]];
    }));
  return [
    ...gauge('pageserver_tenant_states_count', [...states].map(([state, n]) => [{ state }, n])),
    ...gauge('pageserver_broken_tenants_count', attached.filter((t) => t.state.value.slug === 'Broken').map((t) => [shardLabels(t.id), 1])),
    ...gauge('pageserver_tenant_manager_slots', [[{ mode: 'attached' }, attached.length], [{ mode: 'secondary' }, secondaries.length]]),
    ...gauge('pageserver_disk_consistent_lsn', perTimeline((tl) => tl.store.diskConsistentLsn)),
    ...gauge('pageserver_projected_remote_consistent_lsn', perTimeline((tl) => tl.remote?.remoteConsistentLsn ?? null)),
    ...gauge('pageserver_remote_physical_size', perTimeline((tl) => (tl.remote ? [...tl.remote.uploadedLayers.values()].reduce((s, m) => s + m.file_size, 0) : null))),
    // neon-local: failed upload attempts in a row (0 while remote storage works).
    ...gauge('pageserver_remote_upload_consecutive_failures', perTimeline((tl) => tl.remote?.uploadQueueStatus().consecutive_failures ?? null)),
    ...gauge('pageserver_secondary_heatmap_total_size', secondaries.map((s) => [shardLabels(s.id), s.progress.bytes_total])),
    ...gauge('pageserver_secondary_resident_physical_size', secondaries.map((s) => [shardLabels(s.id), s.progress.bytes_downloaded])),
  ];
}
