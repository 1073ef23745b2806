// TimelineInfo (GET .../timeline/:id): what a timeline reports about itself, in Neon's shape.

import type { TimelineInfo } from '../../../api/pageserver.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import type { Timeline } from './timeline.ts';

export function timelineInfo(t: Timeline): TimelineInfo {
  const lsn = (n: Lsn) => formatLsn(n);
  const layers = t.store.layers();
  const physical = layers.reduce((sum, l) => sum + l.sizeBytes, 0);
  return {
    tenant_id: t.tenantShardId,
    timeline_id: t.id,
    ancestor_timeline_id: t.meta.ancestor_timeline_id,
    ancestor_lsn: t.meta.ancestor_lsn === null ? null : lsn(t.meta.ancestor_lsn),
    last_record_lsn: lsn(t.lastRecordLsn),
    prev_record_lsn: t.prevRecordLsn ? lsn(t.prevRecordLsn) : null,
    applied_gc_cutoff_lsn: lsn(t.appliedGcCutoffLsn),
    min_readable_lsn: lsn(t.appliedGcCutoffLsn),
    disk_consistent_lsn: lsn(t.store.diskConsistentLsn),
    // Without remote storage nothing is uploaded: the remote copy is the timeline's start.
    remote_consistent_lsn: lsn(t.remote?.remoteConsistentLsn ?? t.startLsn),
    remote_consistent_lsn_visible: lsn(t.remote?.remoteConsistentLsnVisible ?? t.startLsn),
    // neon-local: whether uploads succeed (Neon shows this only in metrics), null without remote storage.
    upload_queue: t.remote?.uploadQueueStatus() ?? null,
    initdb_lsn: lsn(t.meta.initdb_lsn),
    current_logical_size: physical,
    current_logical_size_is_accurate: false,
    directory_entries_counts: [],
    current_physical_size: physical,
    current_logical_size_non_incremental: null,
    pitr_history_size: 0,
    within_ancestor_pitr: true,
    timeline_dir_layer_file_size_sum: physical,
    wal_source_connstr: t.walSource.connstr,
    last_received_msg_lsn: t.walSource.lastMsgLsn === null ? null : lsn(t.walSource.lastMsgLsn),
    last_received_msg_ts: t.walSource.lastMsgTs,
    pg_version: t.meta.pg_version,
    state: 'Active',
    walreceiver_status: t.walSource.status,
    is_archived: false,
    rel_size_migration: 'legacy',
    rel_size_migrated_at: null,
    is_invisible: false,
  };
}
