// The storage controller's availability core: pure transitions over heartbeat results and time.

import t from 'tap';
import { afterHeartbeat, afterReAttach, configured, OFFLINE } from '../../cluster/emulated/storage-controller/core/availability.ts';

const limits = { maxOfflineMs: 10_000, maxWarmingUpMs: 30_000 };

t.test('a good heartbeat makes any node Active', async (t) => {
  for (const prev of [OFFLINE, afterReAttach(0), { state: 'Active' as const, lastSeenAt: 0 }]) {
    t.same(afterHeartbeat(prev, true, 5000, limits), { state: 'Active', lastSeenAt: 5000 });
  }
});

t.test('an Active node survives failures until max_offline', async (t) => {
  const active = { state: 'Active' as const, lastSeenAt: 1000 };
  t.same(afterHeartbeat(active, false, 10_999, limits), active, 'just under the limit');
  t.same(afterHeartbeat(active, false, 11_000, limits), OFFLINE, 'at the limit');
});

t.test('a warming-up node stays so until max_warming_up, then goes Offline', async (t) => {
  const warming = afterReAttach(1000);
  t.same(warming, { state: 'WarmingUp', startedAt: 1000 });
  t.same(afterHeartbeat(warming, false, 30_999, limits), warming);
  t.same(afterHeartbeat(warming, false, 31_000, limits), OFFLINE);
});

t.test('Offline stays Offline on failure; operators can set any state', async (t) => {
  t.same(afterHeartbeat(OFFLINE, false, 1e9, limits), OFFLINE);
  t.same(configured('Active', 7), { state: 'Active', lastSeenAt: 7 });
  t.same(configured('WarmingUp', 7), { state: 'WarmingUp', startedAt: 7 });
  t.same(configured('Offline', 7), OFFLINE);
});
