// Reading a component's Prometheus /metrics in tests.
export { metricValue } from '../../cluster/clients/metrics.ts';
