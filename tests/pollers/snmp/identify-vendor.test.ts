import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../src/lab/paths.js';
import { readFixtures } from '../../../src/lab/inventory.js';
import { matchProfile, profileIdentity, type SystemInfo } from '../../../src/pollers/snmp/identify.js';
import { loadProfiles } from '../../../src/pollers/snmp/profile.js';
import { brandBook } from '../../../src/pollers/snmp/vendors/brands.js';
import { enterpriseNumber, normaliseSysObjectID } from '../../../src/pollers/snmp/vendors/enterprise-number.js';
import { identifyVendor, type VendorGuess } from '../../../src/pollers/snmp/vendors/identify-vendor.js';

/**
 * Identification as the poller does it (matchProfile, then identifyVendor) on what agents really send:
 * a sysObjectID/sysDescr table per vendor, OEM boxes, malformed sysObjectIDs and hostile sysDescr.
 */

const profiles = loadProfiles();

function identify(sysObjectID: string, sysDescr: string): VendorGuess & { profile?: string } {
  const p = matchProfile(profiles, { sysObjectID, sysDescr });
  return { ...identifyVendor(p, { sysObjectID, sysDescr }), ...(p ? { profile: p.name } : {}) };
}

/** [what, sysObjectID, sysDescr, vendor, class] */
const TABLE: [string, string, string, string, string][] = [
  ['NSFOCUS NF firewall', '1.3.6.1.4.1.19849.6.2.1', 'NSFOCUS NF NX3-8000 Next Generation Firewall, Version V6.0R03F02SP01', 'nsfocus', 'firewall'],
  ['NSFOCUS IPS, number only', '1.3.6.1.4.1.19849.2.1', '', 'nsfocus', 'firewall'],
  ['Venustech UTM', '1.3.6.1.4.1.15227.1.3.1', 'Venustech Venusense UTM VS-UTM-3000, Software Version V3.6.5.1', 'venustech', 'firewall'],
  ['Topsec NGFW', '1.3.6.1.4.1.14331.1.4', 'Topsec  NGFW4000-UF(TG-72282) Software Version V3.2073N.2060N_NGFW.1', 'topsec', 'firewall'],
  ['Sangfor AF (Linux inside)', '1.3.6.1.4.1.35047', 'Linux AF-1000-B1350 2.6.30 #1 SMP Tue Feb 23 12:45:59 CST 2016 x86_64', 'sangfor', 'firewall'],
  ['Hillstone SG-6000', '1.3.6.1.4.1.28557.1.1', 'Hillstone Networks StoneOS software version 5.5R6P5 SG-6000-E3660', 'hillstone', 'firewall'],
  ['DPtech firewall', '1.3.6.1.4.1.31648.1.1', 'DPtech FW1000-GA-X, Software Version V3.3.3.2, Copyright (c) 2008-2020 Hangzhou DPtech Technologies Co., Ltd.', 'dptech', 'firewall'],
  ['Legendsec SecGate', '1.3.6.1.4.1.32328.1.2', 'Legendsec SecGate 3600 NSG-A1000 Firewall V3.6.6.0', 'legendsec', 'firewall'],
  ['Qi An Xin NSG', '1.3.6.1.4.1.47646.1.1', 'QI-ANXIN NSG5000 Next Generation Firewall, Version 3.6.6.0 build 20210322', 'qianxin', 'firewall'],
  ['H3C switch', '1.3.6.1.4.1.25506.1.1489', 'H3C Comware Platform Software, Software Version 7.1.070, Release 6616P03\r\nH3C S6520X-30QC-EI\r\nCopyright (c) 2004-2021 New H3C Technologies Co., Ltd. All rights reserved.', 'h3c', 'switch'],
  ['H3C SecPath firewall', '1.3.6.1.4.1.25506.1.1234', 'H3C Comware Platform Software, Software Version 7.1.064, Release 9333P30\r\nH3C SecPath F1000-AK125', 'h3c', 'firewall'],
  ['New H3C number, no profile', '1.3.6.1.4.1.61878.1.1', 'Comware Software, Version 7.1.075', 'h3c', 'switch'],
  ['Ruijie switch', '1.3.6.1.4.1.4881.1.1.10.1.41', 'Ruijie 10G Routing Switch(S5750-24GT/12SFP) By Ruijie Networks', 'ruijie', 'switch'],
  ['Ruijie router', '1.3.6.1.4.1.4881.1.1.10.1.200', 'Ruijie Router (RSR20-14E) by Ruijie Networks Co.,Ltd. RGOS 10.4(3b23)', 'ruijie', 'router'],
  ['Maipu router', '1.3.6.1.4.1.5651.1.101.24', 'MP2900 Maipu MyPower (R) Operating System Software, MP2900 Version 6.6.15', 'maipu', 'router'],
  ['Maipu switch', '1.3.6.1.4.1.5651.1.102.16', '  SM4200-16GEF8GE-AC Device, Compiled Mar 17 18:33:56 2010', 'maipu', 'switch'],
  ['DCN switch', '1.3.6.1.4.1.6339.1.1.1.230', 'DCRS-5650-28(R4) Device, Compiled Mar 10 09:18:52 CST 2017\r\n  SoftWare Version 7.0.3.5(R0241.0136)\r\n  Copyright (C) 2001-2017 by Digital China Networks Limited.', 'dcn', 'switch'],
  ['DCN router', '1.3.6.1.4.1.6339.1.2.1.12', 'DCR-2659 Router Software, Version 6.3.1.5(R0021.0004)', 'dcn', 'router'],
  ['BDCOM switch', '1.3.6.1.4.1.3320.1.170', 'BDCOM(tm) S2528-B Software, Version 10.1.0E Build 42195\nCopyright by Shanghai Baud Data Communication CO. LTD.\nCompiled: 2018-4-11 14:29:56 by SYS_42195', 'bdcom', 'switch'],
  ['BDCOM router', '1.3.6.1.4.1.3320.1.1', 'BDCOM(tm) 7208 Router Software, Version 2.1.1A Build 14230', 'bdcom', 'router'],
  ['ZTE switch', '1.3.6.1.4.1.3902.3.100.32', 'ZXR10 ROS Version V4.08.23 ZXR10 5928-PS Software, Version V2.05.12B01, RELEASE SOFTWARE', 'zte', 'switch'],
  ['ZTE router', '1.3.6.1.4.1.3902.3.1003', 'ZTE ZXR10 M6000 Router, ZXROS Version V3.00.10', 'zte', 'router'],
  ['Inspur server BMC', '1.3.6.1.4.1.37945.2.1', 'Inspur NF5280M5 Server BMC, firmware 4.23.06', 'inspur', 'server'],
  ['Inspur-Cisco switch', '1.3.6.1.4.1.48797.1.1', 'Inspur S6550-48XQ-EI, INOS Version 8.2', 'inspur', 'switch'],
  ['Sugon server', '1.3.6.1.4.1.27500.1.1', 'Sugon I620-G30 BMC 3.12.0', 'sugon', 'server'],
  ['Sugon on Dawning number', '1.3.6.1.4.1.57098.1', '', 'sugon', 'server'],
  ['Vertiv UPS (Liebert)', '1.3.6.1.4.1.476.1.42', 'Liebert GXT5-3000IRT2UXL UPS, Vertiv IntelliSlot Unity Card, firmware 7.6.0.0', 'vertiv', 'ups'],
  ['Vertiv card on the old Emerson number', '1.3.6.1.4.1.13400.2.54', 'Vertiv UPS Web/SNMP Agent UHA1R-0N', 'vertiv', 'ups'],
  ['Vertiv Geist PDU', '1.3.6.1.4.1.21239.5.2', 'Geist rPDU GU1020, firmware 5.10.3', 'vertiv', 'pdu'],
  ['Emerson card', '1.3.6.1.4.1.13400.2.1', 'UPS Web/SNMP Agent, Emerson Network Power Co., Ltd.', 'emerson', 'ups'],
  ['Kehua UPS', '1.3.6.1.4.1.44782.1.1', 'KEHUA UPS SNMP Card FR-UK3310 V2.3', 'kehua', 'ups'],
  ['Eastpower UPS, number only', '1.3.6.1.4.1.40614.1.1', 'UPS SNMP Agent V1.2', 'eastpower', 'ups'],
  ['Eastpower UPS, words only', '', 'EAST POWER EA660 UPS Network Management Card', 'eastpower', 'ups'],
  ['Phoenixtec UPS', '1.3.6.1.4.1.935.10.1', 'Phoenixtec Power UPS SNMP Agent V3.5', 'phoenixtec', 'ups'],
  ['Santak UPS on Phoenixtec number', '1.3.6.1.4.1.935.10.1', 'SANTAK C3KS UPS Network Management Card V2.4', 'santak', 'ups'],
  ['Santak UPS, own number', '1.3.6.1.4.1.3941.1', 'UPS Agent', 'santak', 'ups'],
  ['Netentsec on Vyatta number', '1.3.6.1.4.1.30803', 'Vyatta NS-ASG-3000 Netentsec Application Security Gateway 6.0.4', 'netentsec', 'firewall'],
  ['Netentsec, own number', '1.3.6.1.4.1.37157.1.1', 'NS-ICG 5.2', 'netentsec', 'firewall'],
  ['Vyatta itself', '1.3.6.1.4.1.30803', 'Vyatta VC6.6R1', 'vyatta', 'router'],
  ['plain Linux on net-snmp', '1.3.6.1.4.1.8072.3.2.10', 'Linux web-01 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 (2023-01-21) x86_64', 'linux', 'server'],
  ['Linux host named after a vendor', '1.3.6.1.4.1.8072.3.2.10', 'Linux huawei-backup 5.10.0-21-amd64 #1 SMP x86_64', 'linux', 'server'],
  ['maker OEM box on net-snmp', '1.3.6.1.4.1.8072.3.2.10', 'Linux fw-edge 4.14.0 #1 SMP x86_64 NSFOCUS NF', 'nsfocus', 'firewall'],
  ['Windows', '1.3.6.1.4.1.311.1.1.3.1.2', 'Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)', 'microsoft', 'server'],
  ['Huawei UPS', '1.3.6.1.4.1.2011.2.6.1', 'Huawei UPS2000-G-6KRTS', 'huawei', 'ups'],
  ['Huawei USG firewall', '1.3.6.1.4.1.2011.2.239.1', 'Huawei Versatile Routing Platform Software VRP (R) software, Version 5.160 (USG6300 V500R001C30SPC600)', 'huawei', 'firewall'],
];

describe('identification names the maker of every device the agent names', () => {
  it.each(TABLE)('%s', (_what, oid, descr, vendor, cls) => {
    const got = identify(oid, descr);
    expect({ vendor: got.vendor, class: got.class }).toEqual({ vendor, class: cls });
  });

  it('falls back: profile, then sysDescr, then the enterprise number', () => {
    expect(identify('1.3.6.1.4.1.25506.1.1', 'H3C S5120').source).toBe('profile');
    expect(identify('1.3.6.1.4.1.3320.1.170', 'BDCOM(tm) S2528-B').source).toBe('sysDescr');
    expect(identify('1.3.6.1.4.1.3320.1.170', 'S2528-B').source).toBe('enterprise');
    expect(identify('1.3.6.1.4.1.3320.1.170', 'S2528-B').vendor).toBe('bdcom');
  });

  it('an enterprise number Noctua has no words for gets a readable name from the IANA registry', () => {
    // 4413 Broadcom Limited, 4526 Netgear (a profile), 1.3.6.1.4.1.674 Dell Inc.; 8072 net-snmp for a non-Linux host.
    expect(identify('1.3.6.1.4.1.4413.1.1', 'FASTPATH Switching').vendor).toBe('broadcom');
    expect(identify('1.3.6.1.4.1.8072.3.2.8', 'FreeBSD fw1 13.2-RELEASE FreeBSD 13.2-RELEASE amd64')).toMatchObject({ vendor: 'net-snmp', source: 'enterprise' });
    expect(identify('1.3.6.1.4.1.48578.1', '')).toMatchObject({ vendor: 'kstar', class: 'ups' });
    const riverbed = identify('1.3.6.1.4.1.17163.1.1', 'Steelhead');
    expect(riverbed).toMatchObject({ vendor: 'riverbed', name: 'Riverbed', source: 'enterprise' });
  });

  it('is unknown only when the agent named nobody', () => {
    expect(identify('', '')).toMatchObject({ vendor: 'unknown', source: 'none' });
    expect(identify('1.3.6.1.2.1.1', 'Device')).toMatchObject({ vendor: 'unknown', source: 'none' });
    expect(identify('1.3.6.1.4.1.4000000000.1', 'Device').vendor).toBe('unknown');
  });
});

describe('malformed sysObjectID', () => {
  it.each([
    ['.1.3.6.1.4.1.3320.1.170', '1.3.6.1.4.1.3320.1.170', 3320],
    ['1.3.6.1.4.1.3320.1.170garbage', '1.3.6.1.4.1.3320.1.170', 3320],
    ['1.3.6.1.4.1.3320.1.170. trailing text', '1.3.6.1.4.1.3320.1.170', 3320],
    ['  1.3.6.1.4.1.3320.1.170\n', '1.3.6.1.4.1.3320.1.170', 3320],
    ['SNMPv2-SMI::enterprises.25506.1.1', '1.3.6.1.4.1.25506.1.1', 25506],
    ['enterprises.19849', '1.3.6.1.4.1.19849', 19849],
    ['iso.3.6.1.4.1.2011.2.23.276', '1.3.6.1.4.1.2011.2.23.276', 2011],
    ['3.6.1.4.1.31648.1', '1.3.6.1.4.1.31648.1', 31648],
    ['1.3.6.1.4.1.', '1.3.6.1.4.1', undefined],
    ['1.3.6.1.4.1.99999999999.1', '1.3.6.1.4.1.99999999999.1', undefined],
    ['not an oid', '', undefined],
    ['', '', undefined],
  ])('%j reads as %j, enterprise %j', (raw, oid, n) => {
    expect(normaliseSysObjectID(raw)).toBe(oid);
    expect(enterpriseNumber(raw)).toBe(n);
  });

  it('still finds the profile and the vendor', () => {
    expect(identify('SNMPv2-SMI::enterprises.25506.1.1', 'H3C S5120')).toMatchObject({ vendor: 'h3c', profile: 'h3c' });
    expect(identify('iso.3.6.1.4.1.2011.2.23.276', 'S5720-36C-EI-AC')).toMatchObject({ vendor: 'huawei', profile: 'huawei' });
    expect(identify('.1.3.6.1.4.1.3320.1.170 (BDCOM)', '').vendor).toBe('bdcom');
    expect(identify('enterprises.31648', '').vendor).toBe('dptech');
  });
});

describe('hostile sysDescr', () => {
  it('64 KB of backtracking bait is identified within 50 ms', () => {
    identify('1.3.6.1.4.1.4413', 'warm-up'); // loads brands.yaml and the registry once
    const baits = [
      'MODEL: '.repeat(9400),                              // aruba 'MODEL: ([^)]+)' without a ")"
      'Topsec ' + 'a'.repeat(65_000),                      // lazy quantifier over a long word
      'Linux ' + ' '.repeat(65_000) + 'x',                 // '^Linux \S+ (\S+)'
      'xh3c'.repeat(16_000) + ' NSFOCUS',                  // word search with many near-misses
      'Release '.repeat(8000) + '7-Mode',                  // netapp 'Release ([\w.]+(?: \d-Mode)?)'
    ];
    for (const [i, descr] of baits.entries()) {
      expect(descr.length).toBeGreaterThan(60_000);
      const oid = ['1.3.6.1.4.1.14823.1.1.40', '1.3.6.1.4.1.14331.1.4', '1.3.6.1.4.1.8072.3.2.10', '1.3.6.1.4.1.3320', '1.3.6.1.4.1.789.2.3'][i]!;
      const t0 = performance.now();
      const p = matchProfile(profiles, { sysObjectID: oid, sysDescr: descr });
      const guess = identifyVendor(p, { sysObjectID: oid, sysDescr: descr });
      const sys: SystemInfo = { sysDescr: descr, sysObjectID: oid, sysName: '', sysLocation: '', sysContact: '' };
      profileIdentity(p, sys, new Map());
      const ms = performance.now() - t0;
      expect(ms, `bait ${i}`).toBeLessThan(50);
      expect(guess.vendor).not.toBe('unknown');
    }
  });

  it('brand words read only the first 1,024 characters: a maker named after them does not count', () => {
    expect(identify('', 'x'.repeat(1100) + ' NSFOCUS').vendor).toBe('unknown');
    expect(identify('', 'x'.repeat(900) + ' NSFOCUS').vendor).toBe('nsfocus');
  });
});

describe('brands.yaml and the profiles agree', () => {
  it('every enterprise number a profile matches on names the profile vendor in brands.yaml, if listed', () => {
    const book = brandBook();
    for (const p of profiles) {
      for (const m of p.match) {
        // Only rules on a whole enterprise (1.3.6.1.4.1.N): h3c's 2011.10 is a subtree of Huawei's number.
        const n = m.sysObjectID?.split('.').length === 7 ? enterpriseNumber(m.sysObjectID) : undefined;
        if (n === undefined || book.shared.has(n) || m.sysDescr || m.exists) continue;
        const brand = book.byNumber.get(n);
        if (brand) expect(`${n} -> ${brand.vendor}`).toBe(`${n} -> ${p.vendor}`);
      }
    }
  });

  it('every vendor named in issue 19 has a number checked against the registry and a class', () => {
    const book = brandBook();
    for (const v of ['nsfocus', 'venustech', 'topsec', 'sangfor', 'hillstone', 'dptech', 'legendsec', 'qianxin', 'h3c', 'ruijie', 'maipu', 'dcn',
      'bdcom', 'zte', 'inspur', 'sugon', 'vertiv', 'emerson', 'kehua', 'eastpower', 'phoenixtec', 'santak', 'netentsec']) {
      const b = book.byVendor.get(v);
      expect(b?.enterprises.length, v).toBeGreaterThan(0);
      expect(b?.class, v).toBeDefined();
    }
  });
});

describe('the shared recordings', () => {
  /** `exists` answered from the recording itself: does it hold anything under the OID? */
  function recordedUnder(name: string): (oid: string) => boolean {
    const oids = readFileSync(join(fixturesDir(), 'snmprec', `${name}.snmprec`), 'utf8').split('\n').map((l) => l.split('|')[0]!);
    return (oid) => oids.some((o) => o.startsWith(oid + '.'));
  }

  it.each(readFixtures(fixturesDir()).map((f) => [f.community, f] as const))('%s keeps its vendor', (name, f) => {
    const sys = { sysObjectID: f.sysObjectID, sysDescr: f.sysDescr.join('') };
    const p = matchProfile(profiles, sys, recordedUnder(name));
    expect(identifyVendor(p, sys).vendor).toBe(f.vendor);
  });
});
