import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskSecrets, maskSecretsInDiff } from '../../config-backup/secrets.js';
import { actor, roleAllows } from '../access.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { badRequest, conflict, notFound, problemSchema, type RequestIssue } from '../problems.js';
import type { BackupJob, ConfigBackupService, DeviceCompliance, VersionRecord } from '../services/config-backups.js';
import type { ApiServices } from '../services/index.js';

const deviceName = z.string().min(1).max(200);
const commitId = z.string().regex(/^[0-9a-f]{4,40}$/, 'expected a version id: 4 to 40 hex digits, as GET /devices/{id}/configs lists them');
const startBody = z.strictObject({ devices: z.array(deviceName).max(10_000).optional().describe('default: every device with ssh settings') });
type StartBody = z.infer<typeof startBody>;
const jobParams = z.strictObject({ id: z.string().uuid() });
const deviceParams = z.strictObject({ name: deviceName });
const versionParams = z.strictObject({ name: deviceName, commit: commitId });
const diffQuery = z.strictObject({ from: commitId.optional(), to: commitId.optional() });
const complianceQuery = z.strictObject({ device: deviceName.optional(), failed: z.boolean().optional().describe('only devices with a failed rule') });

const jobJson = z.object({
  id: z.string(), state: z.enum(['queued', 'running', 'done']),
  trigger: z.object({ kind: z.string().optional(), by: z.string(), reason: z.string() }),
  createdAt: z.string(), startedAt: z.string().optional(), finishedAt: z.string().optional(),
  progress: z.object({ total: z.number(), done: z.number(), ok: z.number(), failed: z.number() }),
  devices: z.array(z.object({
    device: z.string(), state: z.enum(['pending', 'ok', 'failed']), result: z.string().optional(), commit: z.string().optional(),
    added: z.number().optional(), removed: z.number().optional(), error: z.string().optional(), ms: z.number().optional(),
  })),
});
const versionJson = z.object({
  commit: z.string(), time: z.string(), subject: z.string(), added: z.number(), removed: z.number(), first: z.boolean(),
  trigger: z.object({ kind: z.string().optional(), reason: z.string(), by: z.string() }),
  links: z.object({ text: z.string(), diff: z.string() }),
});
const ruleResultJson = z.object({
  rule: z.string(), title: z.object({ en: z.string(), 'zh-CN': z.string() }), severity: z.string(), passed: z.boolean(), violations: z.number(),
  evidence: z.array(z.object({ line: z.number(), text: z.string() })), sections: z.number(),
});
const complianceJson = z.object({
  device: z.string(), platform: z.string(), commit: z.string(), checkedAt: z.string(), passed: z.number(), failed: z.number(), results: z.array(ruleResultJson),
});

const iso = (d: Date | undefined) => d?.toISOString();

/** Configuration changes shown with an incident: its device's (or parent's) changes within the correlation window before it opened. */
export const configChangesJson = z.array(z.object({
  device: z.string(), commit: z.string(), time: z.string(), minutesBefore: z.number(), added: z.number(), removed: z.number(),
  trigger: z.string(), by: z.string(), diff: z.string(),
})).describe('configuration changes of the device or its parent within configBackup.correlationWindow before the incident opened; empty without configuration backup');

/** The incident's preceding configuration changes as {@link configChangesJson}. */
export function configChangesFor(services: ApiServices, incident: { device?: string; openedAt: Date }): z.infer<typeof configChangesJson> {
  if (!services.configBackups || !incident.device) return [];
  return services.configBackups.changesBefore(incident.device, incident.openedAt).map((c) => ({
    device: c.device, commit: c.commit, time: c.time.toISOString(), added: c.added, removed: c.removed, trigger: c.trigger, by: c.by,
    minutesBefore: Math.max(0, Math.round((incident.openedAt.getTime() - c.time.getTime()) / 60_000)),
    diff: `/api/v1/devices/${encodeURIComponent(c.device)}/configs/diff?to=${c.commit}`,
  }));
}

function jobToJson(j: BackupJob) {
  const ok = j.devices.filter((d) => d.state === 'ok').length;
  const failed = j.devices.filter((d) => d.state === 'failed').length;
  return {
    id: j.id, state: j.state, trigger: j.trigger, createdAt: j.createdAt.toISOString(), startedAt: iso(j.startedAt), finishedAt: iso(j.finishedAt),
    progress: { total: j.devices.length, done: ok + failed, ok, failed }, devices: j.devices,
  };
}

function versionToJson(device: string, v: VersionRecord) {
  const base = `/api/v1/devices/${encodeURIComponent(device)}/configs`;
  return {
    commit: v.commit, time: new Date(v.time).toISOString(), subject: v.subject, added: v.added, removed: v.removed, first: v.first,
    trigger: { kind: v.kind, reason: v.trigger, by: v.by },
    links: { text: `${base}/${v.commit}`, diff: `${base}/diff?to=${v.commit}` },
  };
}

function complianceToJson(c: DeviceCompliance) {
  const failed = c.results.filter((r) => !r.passed).length;
  return { device: c.device, platform: c.platform, commit: c.commit, checkedAt: c.checkedAt.toISOString(), passed: c.results.length - failed, failed, results: c.results };
}

/** Secrets are shown to admins only; viewers and operators read them masked. */
const seesSecrets = (request: FastifyRequest) => request.principal !== undefined && roleAllows(request.principal.role, 'admin');

function service(s: ConfigBackupService | undefined): ConfigBackupService {
  if (!s) throw conflict('configuration backup is not running in this process');
  return s;
}

/** The device's versions; 404 when the device has neither ssh settings nor a stored version. */
async function versionsOf(s: ConfigBackupService, device: string): Promise<VersionRecord[]> {
  const versions = await s.versions(device);
  if (versions.length === 0 && !s.deviceNames().includes(device)) throw notFound(`device "${device}" (no ssh settings in devices.yaml and no stored configuration)`);
  return versions;
}

/** A version id given by a client, found among the device's versions (a unique prefix is enough). */
function findVersion(versions: readonly VersionRecord[], device: string, id: string, where: string): VersionRecord {
  const hits = versions.filter((v) => v.commit.startsWith(id));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw badRequest({ path: where, expected: 'a longer version id (this prefix names several versions)', got: JSON.stringify(id) });
  throw notFound(`version ${id} of device "${device}" (${where})`);
}

/** /api/v1/config-backups, /api/v1/devices/:name/configs and /api/v1/compliance: stored configurations, diffs, backup jobs, compliance. */
// Long as a whole: one fastify plugin registering each route; every handler in it is short.
export const configBackupsRoutes = apiPlugin('noctua-config-backups', ['@fastify/swagger'], async (app, { services }) => {
  app.post<{ Body: StartBody }>('/config-backups', {
    config: { access: 'operator' },
    schema: routeSchema({ summary: 'Back up devices now (all with ssh settings, or those named); answers with the job to follow', tags: ['config-backups'], body: startBody, response: { 202: jobJson } }, problemSchema),
  }, async (request, reply) => {
    const s = service(services.configBackups);
    const names = request.body.devices;
    if (s.deviceNames().length === 0) throw conflict('no device has ssh settings in devices.yaml; nothing to back up');
    if (names && names.length === 0) throw badRequest({ path: 'body.devices', expected: 'at least one device name, or no devices field for all' });
    const r = s.startJob(names, { kind: 'api', by: actor(request), reason: `on demand: API${names ? ' (named devices)' : ''}` });
    if ('unknown' in r) {
      const issues: RequestIssue[] = r.unknown.map((u) => ({ path: `body.devices[${names!.indexOf(u)}]`, expected: 'a device with ssh settings in devices.yaml', got: JSON.stringify(u) }));
      throw badRequest(...issues);
    }
    return reply.code(202).header('location', `/api/v1/config-backups/jobs/${r.job.id}`).send(jobToJson(r.job));
  });

  app.get<{ Params: z.infer<typeof jobParams> }>('/config-backups/jobs/:id', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'A backup job and its progress per device', tags: ['config-backups'], params: jobParams, response: { 200: jobJson } }, problemSchema),
  }, async (request) => {
    const job = service(services.configBackups).job(request.params.id);
    if (!job) throw notFound(`backup job ${request.params.id} (jobs are kept in memory until restart)`);
    return jobToJson(job);
  });

  app.get<{ Params: z.infer<typeof deviceParams> }>('/devices/:name/configs', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Stored configuration versions of a device, newest first, with what triggered each', tags: ['config-backups'], params: deviceParams, response: { 200: z.object({ device: z.string(), versions: z.array(versionJson) }) } }, problemSchema),
  }, async (request) => {
    const device = request.params.name;
    const versions = await versionsOf(service(services.configBackups), device);
    return { device, versions: versions.map((v) => versionToJson(device, v)) };
  });

  app.get<{ Params: z.infer<typeof deviceParams>; Querystring: z.infer<typeof diffQuery> }>('/devices/:name/configs/diff', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Unified diff between two versions (default: the newest and the one before it); secrets masked unless admin', tags: ['config-backups'], params: deviceParams, querystring: diffQuery, response: { 200: z.object({ device: z.string(), from: z.string().optional(), to: z.string(), diff: z.string(), masked: z.boolean() }) } }, problemSchema),
  }, async (request) => {
    const s = service(services.configBackups);
    const device = request.params.name;
    const versions = await versionsOf(s, device);
    if (versions.length === 0) throw notFound(`a stored configuration of device "${device}" (not backed up yet)`);
    const to = request.query.to ? findVersion(versions, device, request.query.to, 'query.to') : versions[0]!;
    const from = request.query.from ? findVersion(versions, device, request.query.from, 'query.from') : versions[versions.indexOf(to) + 1];
    const diff = from ? await s.diff(device, { from: from.commit, to: to.commit }) : '';
    const masked = !seesSecrets(request);
    return { device, from: from?.commit, to: to.commit, diff: masked ? maskSecretsInDiff(diff, s.secretKeywords(device)) : diff, masked };
  });

  app.get<{ Params: z.infer<typeof versionParams> }>('/devices/:name/configs/:commit', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'One stored version\'s text; secrets masked unless admin', tags: ['config-backups'], params: versionParams, response: { 200: versionJson.extend({ device: z.string(), text: z.string(), masked: z.boolean() }) } }, problemSchema),
  }, async (request) => {
    const s = service(services.configBackups);
    const device = request.params.name;
    const v = findVersion(await versionsOf(s, device), device, request.params.commit, 'params.commit');
    const text = await s.read(device, v.commit);
    const masked = !seesSecrets(request);
    return { ...versionToJson(device, v), device, text: masked ? maskSecrets(text, s.secretKeywords(device)) : text, masked };
  });

  app.get<{ Querystring: z.infer<typeof complianceQuery> }>('/compliance', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Compliance of each device\'s latest configuration with the rules, per rule', tags: ['config-backups'], querystring: complianceQuery, response: { 200: z.object({ devices: z.array(complianceJson), rules: z.number() }) } }, problemSchema),
  }, async (request) => {
    const s = service(services.configBackups);
    const q = request.query;
    if (q.device && !s.deviceNames().includes(q.device)) throw notFound(`device "${q.device}" (no ssh settings in devices.yaml)`);
    const all = s.compliance().filter((c) => (!q.device || c.device === q.device) && (!q.failed || c.results.some((r) => !r.passed)));
    return { devices: all.map(complianceToJson), rules: new Set(all.flatMap((c) => c.results.map((r) => r.rule))).size };
  });

  app.get<{ Params: z.infer<typeof deviceParams> }>('/devices/:name/compliance', {
    config: { access: 'viewer' },
    schema: routeSchema({ summary: 'Compliance of one device\'s latest configuration', tags: ['config-backups'], params: deviceParams, response: { 200: complianceJson } }, problemSchema),
  }, async (request) => {
    const s = service(services.configBackups);
    const c = s.compliance().find((x) => x.device === request.params.name);
    if (!c) throw notFound(`a compliance result for device "${request.params.name}" (no ssh settings, or not backed up yet)`);
    return complianceToJson(c);
  });
});
