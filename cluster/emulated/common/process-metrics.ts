// Process metrics every emulated component reports on /metrics, in Prometheus' standard names
// (as Neon's binaries do), plus Node's heap split, to see where a component's memory goes.

export function processMetrics(): string[] {
  const m = process.memoryUsage();
  return [
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${m.rss}`,
    '# TYPE nodejs_heap_used_bytes gauge',
    `nodejs_heap_used_bytes ${m.heapUsed}`,
    '# TYPE nodejs_heap_total_bytes gauge',
    `nodejs_heap_total_bytes ${m.heapTotal}`,
    '# TYPE nodejs_external_memory_bytes gauge',
    `nodejs_external_memory_bytes ${m.external}`,
    '# TYPE nodejs_array_buffers_bytes gauge',
    `nodejs_array_buffers_bytes ${m.arrayBuffers}`,
  ];
}
