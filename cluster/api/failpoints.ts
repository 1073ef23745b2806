// Wire types of the failpoints API every component serves (neon libs/http-utils/src/failpoints.rs):
// PUT takes a list of {name, actions} and answers null; GET (neon-local's) lists what is set.

import { array, string, struct, type Decoder } from '../util/decode.ts';

/** One failpoint to configure: its name and actions in the `fail` crate's syntax. */
export interface FailpointConfig {
  name: string;
  actions: string;
}

/** PUT /v1/failpoints (the storage controller: /debug/v1/failpoints). */
export const configureFailpointsRequest: Decoder<FailpointConfig[]> = array(struct({ name: string, actions: string }));

/** An entry of GET /v1/failpoints. */
export interface FailpointStatus extends FailpointConfig {
  /** Since it was last configured: times the point was reached while set to something other than `off`. */
  hits: number;
  /** Since it was last configured: times one of its tasks (other than `off`) ran. */
  triggered: number;
  /** Callers waiting at a `pause` right now. */
  paused: number;
}
