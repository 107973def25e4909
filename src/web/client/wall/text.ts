/** The NOC wall's words in each language it speaks (zh-CN and en); {name} marks a value filled in by t(). */
import { dictionary, type Lang } from '../shared/lang.js';

const en = {
  title: 'NOC wall', devicesUp: 'devices up', openP1: 'open P1', openP2: 'open P2', inMaintenance: 'in maintenance',
  incidents: 'Open incidents', wan: 'WAN links', noIncidents: 'No open incidents', onCall: 'On call',
  nobodyOnCall: 'nobody on call', tier: 'T{tier} ', ackBy: 'acknowledged by', notAck: 'not acknowledged',
  up: 'up', down: 'DOWN', unreachable: 'UNREACHABLE', maintenance: 'maintenance', unknown: 'unknown',
  staleStream: 'DATA STALE — live connection lost {since}; reconnecting…',
  staleSilent: 'DATA STALE — no update from Noctua for {age}',
  stalePoller: 'DATA STALE — the poller has stopped (last poll cycle {age} ago)',
  stalePollerNever: 'DATA STALE — the poller is not running',
  authMissing: 'This wall needs an API token: open /wall?token=<viewer token>',
  authBad: 'The API token was rejected (invalid or expired): open /wall?token=<viewer token>',
  authRole: 'This token may not read the wall (HTTP 403)',
  loadFailed: 'DATA STALE — cannot reach Noctua ({reason}); retrying…',
  lang: '中文', devices: 'devices', rtt: 'rtt', loss: 'loss',
  more: '+{n} more', page: 'sites {n}/{of}', map: 'devices by site',
};

const zh: Record<keyof typeof en, string> = {
  title: 'NOC 监控墙', devicesUp: '设备在线', openP1: '未关闭 P1', openP2: '未关闭 P2', inMaintenance: '维护中',
  incidents: '未关闭事件', wan: 'WAN 链路', noIncidents: '没有未关闭的事件', onCall: '值班',
  nobodyOnCall: '无人值班', tier: '第{tier}级 ', ackBy: '已确认：', notAck: '未确认',
  up: '在线', down: '宕机', unreachable: '不可达', maintenance: '维护', unknown: '未知',
  staleStream: '数据已过期 — 实时连接中断 {since}，正在重连…',
  staleSilent: '数据已过期 — 已 {age} 未收到 Noctua 的更新',
  stalePoller: '数据已过期 — 轮询已停止（上次轮询周期在 {age} 前）',
  stalePollerNever: '数据已过期 — 轮询未在运行',
  authMissing: '此监控墙需要 API 令牌：请打开 /wall?token=<查看者令牌>',
  authBad: 'API 令牌被拒绝（无效或已过期）：请打开 /wall?token=<查看者令牌>',
  authRole: '此令牌无权查看监控墙（HTTP 403）',
  loadFailed: '数据已过期 — 无法连接 Noctua（{reason}），正在重试…',
  lang: 'EN', devices: '台设备', rtt: '延迟', loss: '丢包',
  more: '另有 {n} 条', page: '站点 {n}/{of}', map: '按站点的设备',
};

/** A key of the wall's dictionary. */
export type WallTextKey = keyof typeof en;

/** The wall's text for `key` in `lang`, with {placeholders} filled from `vars`. */
export const wallText: (lang: Lang, key: WallTextKey, vars?: Record<string, string | number>) => string = dictionary(en, zh);
