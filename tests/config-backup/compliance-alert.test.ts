import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTransition, replay } from '../../src/cli/alerts.js';
import { checkConfig, complianceSamples } from '../../src/config-backup/compliance.js';
import { loadComplianceRules } from '../../src/config-backup/compliance-rules.js';
import { sampleToJson } from '../../src/core/sample.js';
import { tempDir } from '../helpers/tmp.js';
import { recording } from './fixture.js';

// The default rules (config/alerts.example.yaml) page on a new compliance violation: the compliance samples of two
// backups of the recorded IOS configuration, the second one fixed, replayed through the real alert engine.
const tmp = tempDir('noctua-compliance-alert-');
afterAll(() => tmp.cleanup());

describe('default alert rule on compliance samples', () => {
  it('fires compliance-violation per broken rule and resolves it when a later backup passes', async () => {
    const rules = loadComplianceRules();
    const ios = readFileSync(recording('cisco-ios'), 'utf8');
    const fixed = ios.replace('snmp-server community N0cR3ad RO', 'snmp-server community N0cR3ad RO 10');
    const t0 = Date.UTC(2026, 10, 23, 2, 30);
    const samples = [
      ...complianceSamples({ device: 'edge-r1', platform: 'cisco-ios', commit: 'a'.repeat(40), checkedAt: new Date(t0), results: checkConfig(rules, 'cisco-ios', ios) }, { site: 'hq', class: 'router' }),
      ...complianceSamples({ device: 'edge-r1', platform: 'cisco-ios', commit: 'b'.repeat(40), checkedAt: new Date(t0 + 86_400_000), results: checkConfig(rules, 'cisco-ios', fixed) }, { site: 'hq', class: 'router' }),
    ];
    const file = join(tmp.dir, 'compliance.jsonl');
    writeFileSync(file, samples.map(sampleToJson).join('\n') + '\n');
    const got = await replay({ rules: 'config/alerts.example.yaml', samples: file });
    const alerts = got.filter((t) => t.type === 'alert' && t.rule === 'compliance-violation').map(formatTransition);
    const firing = alerts.filter((l) => l.includes(' firing '));
    // Three rules fail on the recording (SNMP without ACL, no syslog host, no AAA); `_all` is no alert of its own.
    expect(firing.map((l) => / edge-r1 (\S+)/.exec(l)?.[1]).sort()).toEqual(['aaa-remote', 'snmp-community-restricted', 'syslog-host-set']);
    expect(firing.join('\n')).toContain('edge-r1 breaks compliance rule snmp-community-restricted (1 violation(s))');
    const resolved = alerts.filter((l) => l.includes(' resolved '));
    expect(resolved.map((l) => / edge-r1 (\S+)/.exec(l)?.[1])).toEqual(['snmp-community-restricted']);
  });
});
