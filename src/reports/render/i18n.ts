/**
 * The words of a report in each language. Chinese is written for IT operations service teams and their
 * customers (巡检 terminology), not translated word by word from English.
 */
import type { Severity } from '../../core/incident.js';
import { BAND_LIMITS_MIN, type SlaMeasure } from '../sources/sla-grade.js';
import { THRESHOLDS } from '../model/thresholds.js';
import type { Finding, Recommendation, ReportModel } from '../model/types.js';
import type { ReportPeriod } from '../period.js';
import type { ReportFormat } from './format.js';
import { type Lang } from '../../config/lang.js';

/** `≤ 5 min` … `> 15 min` / `≤5分钟` … `>15分钟`: the labels of escalation's grading bands. */
function bandLabels(le: (min: number) => string, gt: (min: number) => string): Record<SlaMeasure, string[]> {
  const labels = (limits: readonly number[]) => [...limits.map(le), gt(limits[limits.length - 1]!)];
  return { response: labels(BAND_LIMITS_MIN.response), resolution: labels(BAND_LIMITS_MIN.resolution) };
}

const en = {
  title: { daily: 'Daily Network Operations Summary', weekly: 'Weekly Network Inspection Report', monthly: 'Monthly Network Service Report', yearly: 'Annual Network Service Report', custom: 'Network Inspection Report' },
  period: 'Period',
  timeZone: 'Time zone',
  generated: 'Generated',
  sections: ['Summary', 'Device inspection', 'Links', 'Power (UPS)', 'Incidents', 'Changes', 'Capacity outlook', 'Recommendations', 'Events'],
  noDataPeriod: 'No monitoring data was recorded for this period. Nothing below is a measurement of zero: the devices were not polled, or the data was not stored. Check that Noctua was running and that InfluxDB was reachable.',
  kpi: { devices: 'Devices inspected', availability: 'Availability', incidents: 'Incidents', response: 'Response SLA', resolution: 'Resolution SLA', verdict: 'Inspection verdict' },
  verdict: { normal: 'Normal', abnormal: 'Abnormal', 'no-data': 'No data' },
  deviceVerdict: { normal: 'Normal', attention: 'Attention', 'no-data': 'No data' },
  attention: (n: number) => (n === 1 ? '1 device needs attention' : `${n} devices need attention`),
  withData: (n: number, all: number) => `${n} of ${all} with data`,
  notConnected: 'Incident store not connected: incidents and SLA are not included in this report.',
  noIncidents: 'No incidents in this period.',
  notMeasured: 'not measured',
  met: (met: number, all: number) => `${met} of ${all} within target`,
  bands: 'Grading bands',
  compliance: 'Within target',
  bandLabels: bandLabels((m) => `≤ ${m} min`, (m) => `> ${m} min`),
  bandName: (b: number) => `Band ${b}`,
  chartAvailability: 'Availability per day',
  chartLatency: 'Average ICMP latency per site (ms)',
  chartUtil: 'Top interfaces by peak utilisation',
  noValue: 'no data',
  legendDash: '— : no data for this metric in the period',
  col: {
    device: 'Device', site: 'Site', class: 'Class', state: 'State', availability: 'Availability', downtime: 'Downtime',
    reboots: 'Reboots', cpuAvg: 'CPU avg', cpuPeak: 'CPU peak', memPeak: 'Memory peak', storage: 'Fullest storage',
    temp: 'Temp. max', hw: 'Fans/PSU', verdict: 'Verdict', findings: 'Findings',
    rttAvg: 'Latency avg', rttMax: 'Latency max', lossAvg: 'Loss avg', lossMax: 'Loss max',
    interface: 'Interface', alias: 'Description', peakUtil: 'Peak utilisation', inErrors: 'In errors', outErrors: 'Out errors',
    ups: 'UPS', minCharge: 'Min. charge', minRuntime: 'Min. runtime', onBattery: 'On battery', replace: 'Replace battery',
    id: 'ID', severity: 'Severity', title: 'Incident', opened: 'Opened', acknowledged: 'Acknowledged (response)', resolved: 'Resolved (resolution)',
    duration: 'Duration', grade: 'SLA grade', time: 'Time', change: 'Change', kind: 'Type', resource: 'Resource',
    now: 'Now (trend)', growth: 'Growth / day', reaches: 'Reaches 90 %', detail: 'Detail',
  },
  state: { up: 'Up', down: 'Down', unknown: '—' },
  hw: { ok: 'OK', fault: 'Fault', none: '—' },
  yes: 'Yes', no: 'No',
  subLatency: 'ICMP latency and loss per site', subTopUtil: 'Top 10 interfaces by peak utilisation', subTopErr: 'Top 10 interfaces by errors',
  noInterfaces: 'No interface data in this period.', noErrors: 'No interface errors were counted in this period.',
  noUps: 'No UPS data in this period.', noSites: 'No ICMP data in this period.',
  events: (n: number, total: string) => (n === 0 ? 'none' : `${n} event${n === 1 ? '' : 's'}, ${total}`),
  ongoing: 'ongoing', notAcked: 'not acknowledged', notResolved: 'not resolved',
  gradeText: (band: number | undefined, met: boolean | undefined) => (band ? `band ${band}${met === undefined ? '' : met ? ', met' : ', missed'}` : met === false ? 'missed' : 'running'),
  respLabel: 'Response', resoLabel: 'Resolution',
  notGraded: 'not graded (muted: nobody was paged)',
  openedBefore: 'opened before this period',
  devicesAdded: 'Devices added', devicesRemoved: 'Devices removed', identityChanges: 'Model, firmware and serial changes', rebootList: 'Reboots',
  none: 'None.', prevNoData: 'The previous period has no data, so added and removed devices cannot be compared.',
  field: { model: 'model', version: 'firmware', serial: 'serial number' },
  capacityIntro: 'Resources whose linear trend over the period reaches 90 % within 30 days after it.',
  noCapacity: 'No storage volume or interface is projected to reach 90 % within 30 days.',
  kindName: { storage: 'Storage', interface: 'Interface' },
  alreadyOver: 'already at or above 90 %',
  severityName: { P1: 'P1 urgent', P2: 'P2 important', P3: 'P3 general', P4: 'P4 minor' } as Record<Severity, string>,
  pageOf: 'Page',
};

/** The words of one language. */
export type Strings = typeof en;

const zh: Strings = {
  title: { daily: '网络运维日报', weekly: '网络巡检周报', monthly: '网络运维服务月报', yearly: '网络运维服务年报', custom: '网络巡检报告' },
  period: '报告周期',
  timeZone: '时区',
  generated: '生成时间',
  sections: ['巡检概要', '设备巡检明细', '链路质量', '电源（UPS）', '故障事件', '变更记录', '容量预测', '运维建议', '事件统计'],
  noDataPeriod: '本报告周期内没有任何监测数据。以下内容均不代表测量结果为零：设备未被采集，或数据未能写入。请确认 Noctua 运行正常、InfluxDB 可以访问。',
  kpi: { devices: '巡检设备', availability: '整体可用率', incidents: '故障事件', response: '响应达标率', resolution: '解决达标率', verdict: '巡检结论' },
  verdict: { normal: '正常', abnormal: '异常', 'no-data': '无数据' },
  deviceVerdict: { normal: '正常', attention: '需关注', 'no-data': '无数据' },
  attention: (n: number) => `${n} 台设备需关注`,
  withData: (n: number, all: number) => `其中 ${n}/${all} 台有数据`,
  notConnected: '未接入事件库：本报告不含故障事件和 SLA 统计。',
  noIncidents: '本周期内无故障事件。',
  notMeasured: '无可统计事件',
  met: (met: number, all: number) => `${all} 起中 ${met} 起达标`,
  bands: '考核档位',
  compliance: '达标率',
  bandLabels: bandLabels((m) => `≤${m}分钟`, (m) => `>${m}分钟`),
  bandName: (b: number) => `${b}档`,
  chartAvailability: '每日可用率',
  chartLatency: '各站点平均 ICMP 时延（毫秒）',
  chartUtil: '端口峰值利用率 Top 10',
  noValue: '无数据',
  legendDash: '“—”表示本周期内该指标无数据',
  col: {
    device: '设备', site: '站点', class: '类型', state: '状态', availability: '可用率', downtime: '中断时长',
    reboots: '重启', cpuAvg: 'CPU 平均', cpuPeak: 'CPU 峰值', memPeak: '内存峰值', storage: '存储最高',
    temp: '最高温度', hw: '风扇/电源', verdict: '结论', findings: '发现问题',
    rttAvg: '平均时延', rttMax: '最大时延', lossAvg: '平均丢包', lossMax: '最大丢包',
    interface: '端口', alias: '描述', peakUtil: '峰值利用率', inErrors: '入方向错包', outErrors: '出方向错包',
    ups: 'UPS', minCharge: '最低电量', minRuntime: '最短续航', onBattery: '电池供电', replace: '需更换电池',
    id: '编号', severity: '级别', title: '事件', opened: '发生时间', acknowledged: '确认时间（响应）', resolved: '恢复时间（解决）',
    duration: '持续时长', grade: 'SLA 考核', time: '时间', change: '变更', kind: '类别', resource: '资源',
    now: '当前（趋势）', growth: '日增长', reaches: '预计达到 90% 日期', detail: '说明',
  },
  state: { up: '在线', down: '离线', unknown: '—' },
  hw: { ok: '正常', fault: '故障', none: '—' },
  yes: '是', no: '否',
  subLatency: '各站点 ICMP 时延与丢包', subTopUtil: '峰值利用率最高的 10 个端口', subTopErr: '错包最多的 10 个端口',
  noInterfaces: '本周期内无端口数据。', noErrors: '本周期内未统计到端口错包。',
  noUps: '本周期内无 UPS 数据。', noSites: '本周期内无 ICMP 数据。',
  events: (n: number, total: string) => (n === 0 ? '无' : `${n} 次，共 ${total}`),
  ongoing: '未恢复', notAcked: '未确认', notResolved: '未解决',
  gradeText: (band: number | undefined, met: boolean | undefined) => (band ? `${band}档${met === undefined ? '' : met ? '，达标' : '，超时'}` : met === false ? '超时' : '计时中'),
  respLabel: '响应', resoLabel: '解决',
  notGraded: '不考核（屏蔽期间未派单）',
  openedBefore: '上周期遗留',
  devicesAdded: '新增设备', devicesRemoved: '减少设备', identityChanges: '型号、固件版本与序列号变更', rebootList: '设备重启',
  none: '无。', prevNoData: '上一周期无数据，无法比较新增和减少的设备。',
  field: { model: '型号', version: '固件版本', serial: '序列号' },
  capacityIntro: '按本周期的线性趋势，预计在周期结束后 30 天内达到 90% 的资源。',
  noCapacity: '未发现预计在 30 天内达到 90% 的存储卷或端口。',
  kindName: { storage: '存储', interface: '端口' },
  alreadyOver: '已达到或超过 90%',
  severityName: { P1: 'P1 紧急', P2: 'P2 重要', P3: 'P3 一般', P4: 'P4 次要' },
  pageOf: '页',
};

/** The words of one language. */
export function strings(lang: Lang): Strings {
  return lang === 'zh-CN' ? zh : en;
}

/** Section heading with the numbering customary in each language (一、 / 1.). */
export function sectionTitle(lang: Lang, index: number, own?: string): string {
  const t = own ?? strings(lang).sections[index] ?? '';
  return lang === 'zh-CN' ? `${zhNumeral(index + 1)}、${t}` : `${index + 1}. ${t}`;
}

/** 1..99 as Chinese numerals (一 … 十, 十一, 二十三), for section numbers past ten. */
function zhNumeral(n: number): string {
  const d = '零一二三四五六七八九';
  if (n <= 10) return n === 10 ? '十' : d[n]!;
  const tens = Math.floor(n / 10);
  return `${tens === 1 ? '' : d[tens]}十${n % 10 === 0 ? '' : d[n % 10]}`;
}

/** The report title with its period, e.g. `网络巡检周报 2026-W47`. */
export function reportTitle(lang: Lang, period: ReportPeriod): string {
  return `${strings(lang).title[period.kind]} ${period.kind === 'custom' ? '' : period.label}`.trim();
}

/** `2026年11月16日 至 2026年11月22日` / `16 Nov 2026 – 22 Nov 2026`. */
export function periodText(fmt: ReportFormat, period: ReportPeriod): string {
  const last = new Date(period.end.getTime() - 1);
  if (period.kind === 'daily') return fmt.longDate(period.start);
  return fmt.lang === 'zh-CN' ? `${fmt.longDate(period.start)} 至 ${fmt.longDate(last)}` : `${fmt.longDate(period.start)} – ${fmt.longDate(last)}`;
}

function list(lang: Lang, items: string[], max = 6): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  const sep = lang === 'zh-CN' ? '、' : ', ';
  return shown.join(sep) + (more > 0 ? (lang === 'zh-CN' ? ` 等 ${items.length} 台` : ` and ${more} more`) : '');
}

/** One finding as a short phrase for the device table. */
export function findingText(fmt: ReportFormat, f: Finding): string {
  const zh = fmt.lang === 'zh-CN';
  switch (f.code) {
    case 'no-data': return zh ? '本周期无监测数据' : 'no monitoring data in this period';
    case 'down-at-end': return zh ? '周期结束时离线' : 'down at the end of the period';
    case 'availability': return zh ? `可用率 ${fmt.pct(f.pct, 3)}，中断约 ${fmt.duration(f.downtimeMs)}` : `availability ${fmt.pct(f.pct, 3)}, down about ${fmt.duration(f.downtimeMs)}`;
    case 'reboot': return zh ? `重启 ${f.count} 次` : `rebooted ${f.count} time${f.count === 1 ? '' : 's'}`;
    case 'cpu': return zh ? `CPU 负载高（平均 ${f.avgPct === undefined ? '—' : fmt.pct(f.avgPct)}，峰值 ${f.peakPct === undefined ? '—' : fmt.pct(f.peakPct)}）` : `high CPU (avg ${f.avgPct === undefined ? '—' : fmt.pct(f.avgPct)}, peak ${f.peakPct === undefined ? '—' : fmt.pct(f.peakPct)})`;
    case 'memory': return zh ? `内存峰值 ${fmt.pct(f.peakPct)}` : `memory peak ${fmt.pct(f.peakPct)}`;
    case 'storage': return zh ? `存储 ${f.mount} 使用率 ${fmt.pct(f.pct)}` : `storage ${f.mount} at ${fmt.pct(f.pct)}`;
    case 'temperature': return zh ? `温度最高 ${fmt.num(f.maxC, 1)} °C（${f.sensor}）` : `temperature up to ${fmt.num(f.maxC, 1)} °C (${f.sensor})`;
    case 'hardware': return (zh ? '硬件告警：' : 'hardware fault: ') + f.units.map((u) => `${u.kind === 'fan' ? (zh ? '风扇' : 'fan') : (zh ? '电源' : 'PSU')} ${u.name}${u.lastOk === false ? (zh ? '（仍异常）' : ' (still failed)') : (zh ? '（已恢复）' : ' (recovered)')}`).join(zh ? '、' : ', ');
    case 'ups-on-battery': return zh ? `UPS 电池供电 ${f.events} 次，共 ${fmt.duration(f.totalMs)}` : `UPS on battery ${f.events} time${f.events === 1 ? '' : 's'}, ${fmt.duration(f.totalMs)} in total`;
    case 'ups-replace': return zh ? 'UPS 提示需更换电池' : 'UPS asks for a battery replacement';
    case 'ups-charge': return zh ? `UPS 电量最低 ${fmt.pct(f.minPct)}` : `UPS charge down to ${fmt.pct(f.minPct)}`;
  }
}

/** One recommendation as a sentence. */
export function recommendationText(fmt: ReportFormat, r: Recommendation): string {
  const zh = fmt.lang === 'zh-CN';
  const L = (xs: string[]) => list(fmt.lang, xs);
  switch (r.code) {
    case 'check-down': return zh ? `${L(r.devices)} 在周期结束时仍处于离线状态，请立即现场核查设备供电与上联链路。` : `${L(r.devices)} ${r.devices.length === 1 ? 'was' : 'were'} still down at the end of the period: check power and uplinks on site now.`;
    case 'open-incidents': return zh ? `仍有 ${r.count} 起故障事件未解决，请跟进处理并及时更新工单。` : `${r.count} incident${r.count === 1 ? ' is' : 's are'} still unresolved: follow up and keep the tickets current.`;
    case 'hardware': return zh ? `${L(r.devices)} 出现风扇或电源告警，建议安排备件并择机更换故障部件。` : `${L(r.devices)} reported fan or PSU faults: order spares and replace the failed parts in a maintenance window.`;
    case 'ups': return zh ? `${L(r.devices)} 出现电池供电、电量偏低或更换电池提示，建议检查市电输入并安排电池维护。` : `${L(r.devices)} ran on battery, ran low or asked for a new battery: check the mains feed and schedule battery maintenance.`;
    case 'check-availability': return zh ? `${L(r.devices)} 的可用率低于 ${fmt.pct(THRESHOLDS.availabilityPct)}，建议排查链路质量、供电及上游设备，并结合故障事件复盘。` : `${L(r.devices)} stayed below ${fmt.pct(THRESHOLDS.availabilityPct)} availability: review link quality, power and upstream devices together with the incidents.`;
    case 'storage-capacity': return zh
      ? `按当前增长趋势，${r.items.map((c) => `${c.device} 的 ${c.name}${c.alreadyOver ? '（已超过 90%）' : `（预计 ${fmt.date(c.at)}）`}`).join('、')}将达到 90%，建议清理日志或扩容。`
      : `At the current growth, ${r.items.map((c) => `${c.name} on ${c.device}${c.alreadyOver ? ' (already above 90 %)' : ` (around ${fmt.date(c.at)})`}`).join(', ')} will reach 90 %: clean up logs or add capacity.`;
    case 'storage-full': return zh
      ? `${r.items.map((s) => `${s.device} 的 ${s.mount}（${fmt.pct(s.pct)}）`).join('、')} 使用率偏高，建议清理。`
      : `${r.items.map((s) => `${s.mount} on ${s.device} (${fmt.pct(s.pct)})`).join(', ')} ${r.items.length === 1 ? 'is' : 'are'} nearly full: clean up.`;
    case 'interface-capacity': return zh
      ? `${r.items.map((c) => `${c.device} ${c.name}${c.alreadyOver ? '（峰值已超过 90%）' : `（预计 ${fmt.date(c.at)}）`}`).join('、')}的峰值利用率将达到 90%，建议评估扩容或调整流量。`
      : `Peak utilisation of ${r.items.map((c) => `${c.device} ${c.name}${c.alreadyOver ? ' (already above 90 %)' : ` (around ${fmt.date(c.at)})`}`).join(', ')} will reach 90 %: plan an upgrade or move traffic.`;
    case 'interface-errors': return zh
      ? `${r.items.map((i) => `${i.device} ${i.ifName}`).join('、')} 错包较多，建议检查线缆、光模块及双工协商。`
      : `${r.items.map((i) => `${i.device} ${i.ifName}`).join(', ')} counted many errors: check cabling, optics and duplex settings.`;
    case 'check-reboots': return zh ? `${L(r.devices)} 在本周期内发生重启，建议核查日志、供电和固件，确认是否为计划内操作。` : `${L(r.devices)} rebooted in this period: check logs, power and firmware, and whether it was planned.`;
    case 'check-load': return zh ? `${L(r.devices)} 的 CPU 或内存负载偏高，建议分析业务流量与进程占用。` : `${L(r.devices)} ran with high CPU or memory: look into traffic and processes.`;
    case 'temperature': return zh ? `${L(r.devices)} 温度偏高，建议检查机房空调与设备通风。` : `${L(r.devices)} ran hot: check cooling and airflow.`;
    case 'sla-missed': return zh ? `本周期有 ${r.count} 项 SLA 指标超时，建议复盘响应与处理流程。` : `${r.count} SLA target${r.count === 1 ? ' was' : 's were'} missed: review the response and resolution process.`;
    case 'identity-changes': return zh ? `${L(r.devices)} 的型号、固件或序列号发生变化，请确认已有对应变更单。` : `${L(r.devices)} changed model, firmware or serial number: confirm a change record exists.`;
    case 'no-data': return r.devices.length === 0
      ? (zh ? '本周期无监测数据，请确认 Noctua 采集和 InfluxDB 运行正常。' : 'There is no monitoring data for this period: check that Noctua and InfluxDB are running.')
      : (zh ? `${L(r.devices)} 本周期无监测数据，请检查采集配置与网络可达性。` : `${L(r.devices)} sent no data in this period: check their polling settings and reachability.`);
    case 'all-normal': return zh ? '本周期各项巡检指标正常，建议保持现有巡检频率。' : 'Every inspected item was within limits this period; keep the current inspection schedule.';
  }
}

/** One line of the summary verdict: `异常（3 台设备需关注）`. */
export function verdictText(lang: Lang, model: ReportModel): string {
  const s = strings(lang);
  const v = s.verdict[model.summary.verdict];
  if (model.summary.verdict !== 'abnormal') return v;
  return lang === 'zh-CN' ? `${v}（${s.attention(model.summary.attentionCount)}）` : `${v} (${s.attention(model.summary.attentionCount)})`;
}
