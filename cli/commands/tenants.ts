// `tenant`, `timeline` and `mappings` commands, with neon_local's names and flags.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { configureTenant, createTenant, createTimeline, listTenants, mapBranchName, setDefaultTenant, timelineTree, type TimelineNode } from '../../cluster/operations/tenants.ts';
import { migrateTenant, parsePlacement, setTenantPlacement, type Placement } from '../../cluster/operations/placement.ts';
import { defineAction } from '../action.ts';
import { boolValue, duration, keyValue, positiveInt } from '../parse.ts';

function tenantIdOption(): Option {
  return new Option('--tenant-id <id>', 'tenant (default: the default tenant)');
}

function pgVersionOption(): Option {
  return new Option('--pg-version <n>', 'PostgreSQL major version (default 17)').argParser(positiveInt('--pg-version'));
}

export function registerTenantCommands(program: Command): void {
  const tenant = program.command('tenant').description('create and list tenants');
  defineAction(
    tenant
      .command('create')
      .description('create a tenant through the storage controller, with an initial timeline named main')
      .addOption(new Option('--tenant-id <id>', 'tenant id (default: a new random one)'))
      .addOption(new Option('--timeline-id <id>', 'id of the initial timeline (default: random)'))
      .addOption(new Option('-c, --config <key:value>', 'tenant config, repeatable (e.g. -c gc_horizon:1024)').argParser(keyValue))
      .addOption(pgVersionOption())
      .addOption(new Option('--set-default', 'make it the default tenant'))
      .addOption(new Option('--placement-policy <json>', 'e.g. \'{"Attached":1}\'').argParser((v) => parseJsonOption(v, '--placement-policy'))),
    {},
    async ({ layout, opts }) => {
      const created = await createTenant(layout, {
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        ...(opts['timelineId'] !== undefined ? { timelineId: opts['timelineId'] as string } : {}),
        ...(opts['config'] !== undefined ? { config: opts['config'] as Record<string, unknown> } : {}),
        ...(opts['pgVersion'] !== undefined ? { pgVersion: opts['pgVersion'] as number } : {}),
        ...(opts['placementPolicy'] !== undefined ? { placementPolicy: opts['placementPolicy'] } : {}),
        setDefault: opts['setDefault'] === true,
      });
      const lines = [
        `tenant ${created.tenantId} successfully created on pageserver ${created.pageserverId ?? '?'} (generation ${created.generation ?? '?'})`,
        `Created an initial timeline '${created.timelineId}' for tenant: ${created.tenantId} (branch ${created.branchName})`,
      ];
      if (created.safekeepers) lines.push(`  on safekeepers ${created.safekeepers.safekeepers.map((s) => s.id).join(', ')} (membership generation ${created.safekeepers.generation})`);
      if (created.isDefault) lines.push(`Setting tenant ${created.tenantId} as a default one`);
      return { data: created, human: lines.join('\n') };
    },
  );

  defineAction(
    tenant
      .command('config')
      .description('replace the tenant\'s config (keys left out go back to their defaults); with --patch, change only the keys given')
      .addOption(tenantIdOption())
      .addOption(new Option('-c, --config <key:value>', 'tenant config, repeatable (e.g. -c pitr_interval:30days); with --patch, key:null removes a key').argParser(keyValue))
      .addOption(new Option('--patch', 'PATCH instead of PUT: keep the keys not given')),
    {},
    async ({ layout, opts }) => {
      const result = await configureTenant(layout, {
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        config: (opts['config'] as Record<string, unknown> | undefined) ?? {},
        patch: opts['patch'] === true,
      });
      const entries = Object.entries(result.overrides);
      const lines = [
        `Tenant ${result.tenantId} config ${opts['patch'] ? 'patched' : 'set'}; overrides: ${entries.length ? entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : 'none (all defaults)'}.`,
        result.effective
          ? `Effective on its pageserver: pitr_interval=${JSON.stringify(result.effective['pitr_interval'])}, gc_horizon=${JSON.stringify(result.effective['gc_horizon'])}, gc_period=${JSON.stringify(result.effective['gc_period'])} (--json for all).`
          : result.detached
            ? 'The tenant is detached: the pageserver that attaches it next runs with these.'
            : 'Its pageserver could not be asked for the effective config (see `neon-local status`).',
      ];
      return { data: result, human: lines.join('\n') };
    },
  );
  defineAction(
    tenant
      .command('migrate')
      .description('move the tenant to another pageserver, live (storage controller migration: new generation, catch-up, compute notified, origin detached)')
      .requiredOption('--node <id>', 'destination pageserver id', positiveInt('--node'))
      .addOption(tenantIdOption())
      .addOption(new Option('--prewarm <bool>', 'warm a secondary on the destination first (default: true)').argParser(boolValue('--prewarm')))
      .addOption(new Option('--no-wait', 'return once the migration has started'))
      .addOption(new Option('--timeout <duration>', 'how long to wait for it to settle (default 180s)').argParser(duration)),
    {},
    async ({ layout, opts, out }) => {
      const result = await migrateTenant(layout, {
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        nodeId: opts['node'] as number,
        ...(opts['prewarm'] !== undefined ? { prewarm: opts['prewarm'] as boolean } : {}),
        noWait: opts['wait'] === false,
        ...(opts['timeout'] !== undefined ? { timeoutMs: opts['timeout'] as number } : {}),
        onProgress: (line) => out.progress(line),
      });
      const human = result.from === result.to
        ? `Tenant ${result.tenantId} is already on pageserver ${result.to}.`
        : result.durationMs === null
          ? `Tenant ${result.tenantId}: migration from pageserver ${result.from ?? 'none'} to ${result.to} started; watch it with \`neon-local tenant list\`.`
          : `Tenant ${result.tenantId} migrated from pageserver ${result.from ?? 'none'} to ${result.to} in ${(result.durationMs / 1000).toFixed(1)} s; its running endpoints now read from pageserver ${result.to}.`;
      return { data: result, human };
    },
  );
  defineAction(
    tenant
      .command('policy')
      .description('detach the tenant from its pageserver (remote storage keeps it), or attach it again in a new generation with its config')
      .requiredOption('--placement <placement>', 'detached | attached', (v) => {
        try {
          return parsePlacement(v);
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message.replace(/^--placement \S+: /, '') + '.');
        }
      })
      .addOption(tenantIdOption()),
    {},
    async ({ layout, opts }) => {
      const result = await setTenantPlacement(layout, {
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        placement: opts['placement'] as Placement,
      });
      const human = result.pageserverId === null
        ? `Tenant ${result.tenantId} detached; its data stays in remote storage, its config in the storage controller.`
        : `Tenant ${result.tenantId} attached to pageserver ${result.pageserverId} in generation ${result.generation ?? '?'}, with its config.`;
      return { data: result, human };
    },
  );
  defineAction(tenant.command('list').description('list tenants: id and state'), {}, async ({ layout }) => {
    const tenants = await listTenants(layout);
    const human = tenants.map((t) => `${t.tenantId} ${t.state}${t.pageserverId !== null ? ` on pageserver ${t.pageserverId}` : ''}${t.isDefault ? ' (default)' : ''}`).join('\n');
    return { data: tenants, human: human || 'No tenants yet; create one with `neon-local tenant create --set-default`.' };
  });

  defineAction(
    tenant.command('set-default').description('set the tenant commands use when --tenant-id is left out').requiredOption('--tenant-id <id>', 'tenant id'),
    {},
    async ({ layout, opts }) => {
      await setDefaultTenant(layout, opts['tenantId'] as string);
      return { data: { defaultTenantId: opts['tenantId'] }, human: `Setting tenant ${opts['tenantId'] as string} as a default one` };
    },
  );

  const timeline = program.command('timeline').description('create, branch and list timelines');
  defineAction(
    timeline
      .command('create')
      .description('create an empty root timeline and name it')
      .requiredOption('--branch-name <name>', 'name for the new timeline')
      .addOption(tenantIdOption())
      .addOption(new Option('--timeline-id <id>', 'timeline id (default: random)'))
      .addOption(pgVersionOption()),
    {},
    async ({ layout, opts }) => {
      const created = await createTimeline(layout, {
        branchName: opts['branchName'] as string,
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        ...(opts['timelineId'] !== undefined ? { timelineId: opts['timelineId'] as string } : {}),
        ...(opts['pgVersion'] !== undefined ? { pgVersion: opts['pgVersion'] as number } : {}),
      });
      return { data: created, human: `Created timeline '${created.timelineId}' at Lsn ${created.lastRecordLsn} for tenant: ${created.tenantId} (branch ${created.branchName})` };
    },
  );

  defineAction(
    timeline
      .command('branch')
      .description('create a timeline that starts from another branch at an LSN (default: its last LSN)')
      .requiredOption('--branch-name <name>', 'name for the new branch')
      .addOption(new Option('--ancestor-branch-name <name>', 'branch to start from').default('main'))
      .addOption(new Option('--ancestor-start-lsn <lsn>', 'LSN of the ancestor to branch at (default: its last record LSN)'))
      .addOption(tenantIdOption())
      .addOption(new Option('--timeline-id <id>', 'timeline id (default: random)')),
    {},
    async ({ layout, opts }) => {
      const created = await createTimeline(layout, {
        branchName: opts['branchName'] as string,
        ancestorBranchName: opts['ancestorBranchName'] as string,
        ...(opts['ancestorStartLsn'] !== undefined ? { ancestorStartLsn: opts['ancestorStartLsn'] as string } : {}),
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        ...(opts['timelineId'] !== undefined ? { timelineId: opts['timelineId'] as string } : {}),
      });
      return {
        data: created,
        human: `Created timeline '${created.timelineId}' at Lsn ${created.ancestorLsn ?? created.lastRecordLsn} for tenant: ${created.tenantId}. Ancestor timeline: '${opts['ancestorBranchName'] as string}'`,
      };
    },
  );

  defineAction(timeline.command('list').description('show the tenant\'s timelines as a tree: name [id]').addOption(tenantIdOption()), {}, async ({ layout, opts }) => {
    const tree = await timelineTree(layout, opts['tenantId'] as string | undefined);
    return { data: tree, human: renderTree(tree.roots) || `Tenant ${tree.tenantId} has no timelines.` };
  });

  const mappings = program.command('mappings').description('branch names');
  defineAction(
    mappings
      .command('map')
      .description('name an existing timeline')
      .requiredOption('--tenant-id <id>', 'tenant id')
      .requiredOption('--timeline-id <id>', 'timeline id')
      .requiredOption('--branch-name <name>', 'the name'),
    {},
    async ({ layout, opts }) => {
      await mapBranchName(layout, opts['tenantId'] as string, opts['timelineId'] as string, opts['branchName'] as string);
      return { data: { tenantId: opts['tenantId'], timelineId: opts['timelineId'], branchName: opts['branchName'] }, human: `Branch ${opts['branchName'] as string} now names timeline ${opts['timelineId'] as string}.` };
    },
  );
}

function parseJsonOption(value: string, flag: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`${flag} must be JSON, e.g. '{"Attached":1}'.`);
  }
}

/** neon_local's tree: `main [id]`, children as `┣━ @LSN: name [id]`, the last one with `┗━`. */
export function renderTree(roots: TimelineNode[]): string {
  const lines: string[] = [];
  const walk = (node: TimelineNode, prefix: string, isLast: boolean, depth: number) => {
    const label = `${node.name ?? '(unnamed)'} [${node.info.timeline_id}]`;
    lines.push(depth === 0 ? label : `${prefix}${isLast ? '┗━' : '┣━'} @${node.info.ancestor_lsn}: ${label}`);
    const childPrefix = depth === 0 ? '' : prefix + (isLast ? '   ' : '┃  ');
    node.children.forEach((child, i) => walk(child, childPrefix, i === node.children.length - 1, depth + 1));
  };
  roots.forEach((root) => walk(root, '', true, 0));
  return lines.join('\n');
}
