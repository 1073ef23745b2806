// Failpoints over HTTP: the configuration routes (Neon's PUT, our GET listing) and failpoints in
// request handlers, which answer an error status instead of failing the handler's work.

import { configureFailpointsRequest } from '../../api/failpoints.ts';
import { ApiError, badRequest, type ApiServer } from './http-server.ts';
import { configureFailpoints, failpoint, FailpointError, failpointsActive, FailpointSyntaxError, listFailpoints } from './failpoints.ts';

/** PUT and GET `path` (Neon: /v1/failpoints; the storage controller: /debug/v1/failpoints). */
export function failpointRoutes(server: ApiServer, path = '/v1/failpoints'): void {
  server.put(path, (ctx) => {
    const list = ctx.decode(configureFailpointsRequest);
    try {
      configureFailpoints(list);
    } catch (err) {
      if (err instanceof FailpointSyntaxError) throw badRequest(`Failed to configure failpoints: ${err.message}`);
      throw err;
    }
    return null;
  });
  server.get(path, () => listFailpoints());
}

/** A failpoint in a request handler: a `return` there answers `status` with {"msg": "failpoint <name>"}. */
export async function handlerFailpoint(name: string, status = 500): Promise<void> {
  if (!failpointsActive()) return;
  try {
    await failpoint(name);
  } catch (err) {
    if (err instanceof FailpointError) throw new ApiError(status, `failpoint ${name}`);
    throw err;
  }
}
