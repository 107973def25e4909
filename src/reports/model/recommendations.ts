import { THRESHOLDS } from './thresholds.js';
import type { Finding, Recommendation, ReportModel } from './types.js';

function devicesWith(model: ReportModel, codes: Finding['code'][]): string[] {
  return model.devices.filter((d) => d.findings.some((f) => codes.includes(f.code))).map((d) => d.device);
}

/** Turns findings into recommendations, most urgent first. */
export function recommend(model: ReportModel): Recommendation[] {
  if (!model.hasData) return [{ code: 'no-data', devices: model.devices.map((d) => d.device) }];
  const out: Recommendation[] = [];
  const push = (r: Recommendation, nonEmpty: boolean) => { if (nonEmpty) out.push(r); };
  const down = devicesWith(model, ['down-at-end']);
  push({ code: 'check-down', devices: down }, down.length > 0);
  const openCount = (model.incidents ?? []).filter((i) => i.ongoing).length;
  push({ code: 'open-incidents', count: openCount }, openCount > 0);
  const hw = devicesWith(model, ['hardware']);
  push({ code: 'hardware', devices: hw }, hw.length > 0);
  const ups = devicesWith(model, ['ups-on-battery', 'ups-replace', 'ups-charge']);
  push({ code: 'ups', devices: ups }, ups.length > 0);
  const avail = devicesWith(model, ['availability']).filter((d) => !down.includes(d));
  push({ code: 'check-availability', devices: avail }, avail.length > 0);
  const storageCap = model.capacity.filter((c) => c.kind === 'storage');
  push({ code: 'storage-capacity', items: storageCap }, storageCap.length > 0);
  const capNames = new Set(storageCap.map((c) => `${c.device}\u0000${c.name}`));
  const full = model.devices.flatMap((d) => d.findings.filter((f): f is Extract<Finding, { code: 'storage' }> => f.code === 'storage')
    .map((f) => ({ device: d.device, mount: f.mount, pct: f.pct }))).filter((f) => !capNames.has(`${f.device}\u0000${f.mount}`));
  push({ code: 'storage-full', items: full }, full.length > 0);
  const ifCap = model.capacity.filter((c) => c.kind === 'interface');
  push({ code: 'interface-capacity', items: ifCap }, ifCap.length > 0);
  const errs = model.topErrors.filter((i) => i.inErrors + i.outErrors >= THRESHOLDS.interfaceErrors);
  push({ code: 'interface-errors', items: errs }, errs.length > 0);
  const reboots = devicesWith(model, ['reboot']);
  push({ code: 'check-reboots', devices: reboots }, reboots.length > 0);
  const loadDevs = devicesWith(model, ['cpu', 'memory']);
  push({ code: 'check-load', devices: loadDevs }, loadDevs.length > 0);
  const temp = devicesWith(model, ['temperature']);
  push({ code: 'temperature', devices: temp }, temp.length > 0);
  const missed = (model.summary.sla?.responseMissed ?? 0) + (model.summary.sla?.resolutionMissed ?? 0);
  push({ code: 'sla-missed', count: missed }, missed > 0);
  const idDevs = [...new Set(model.changes.identity.map((c) => c.device))];
  push({ code: 'identity-changes', devices: idDevs }, idDevs.length > 0);
  const noData = devicesWith(model, ['no-data']);
  push({ code: 'no-data', devices: noData }, noData.length > 0);
  if (out.length === 0) out.push({ code: 'all-normal' });
  return out;
}
