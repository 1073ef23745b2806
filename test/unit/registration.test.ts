// What a pageserver registration means to the storage controller (neon node_register).

import t from 'tap';
import { classifyRegistration, nodeFromRequest } from '../../cluster/emulated/storage-controller/core/registration.ts';

const req = { node_id: 1, listen_pg_addr: 'h', listen_pg_port: 1, listen_http_addr: 'h', listen_http_port: 2, availability_zone_id: 'az' };

t.test('classifies registrations', async (t) => {
  const existing = nodeFromRequest(req);
  t.equal(classifyRegistration(undefined, req), 'new');
  t.equal(classifyRegistration(existing, req), 'up-to-date');
  t.equal(classifyRegistration(existing, { ...req, listen_https_port: 3 }), 'needs-update', 'https may change');
  t.equal(classifyRegistration(existing, { ...req, listen_grpc_addr: 'g', listen_grpc_port: 4 }), 'needs-update', 'grpc may change');
  for (const change of [{ listen_http_port: 9 }, { listen_pg_addr: 'x' }, { listen_pg_port: 9 }, { listen_http_addr: 'x' }, { availability_zone_id: 'b' }]) {
    t.equal(classifyRegistration(existing, { ...req, ...change }), 'mismatched', JSON.stringify(change));
  }
});
