/**
 * A device's configuration tab: the stored versions (newest first, with what triggered each), the unified
 * diff between any two, the compliance of the newest one per rule, and "back up now" for operators.
 * Everything shown is text the device produced: rendered as text, never as markup.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../../shared/api.js';
import { dictionary, lang } from '../../shared/lang.js';
import { href } from '../../shared/router.js';
import { can, session } from '../../shared/session.js';
import { useStore } from '../../shared/store.js';
import type { PageDef } from '../page.js';
import { Loading, Time, useApi } from '../ui.js';

interface Version {
  commit: string; time: string; subject: string; added: number; removed: number; first: boolean;
  trigger: { kind?: string; reason: string; by: string };
}
interface Diff { from?: string; to: string; diff: string; masked: boolean }
interface RuleResult { rule: string; title: { en: string; 'zh-CN': string }; severity: string; passed: boolean; violations: number; evidence: { line: number; text: string }[] }
interface Compliance { commit: string; checkedAt: string; passed: number; failed: number; results: RuleResult[] }
interface Job { id: string; state: 'queued' | 'running' | 'done'; progress: { ok: number; failed: number }; devices: { state: string; error?: string; result?: string }[] }

const words = dictionary({
  title: 'Configuration of {device}', versions: 'Versions', none: 'No configuration of this device has been backed up yet.',
  time: 'Time', change: 'Change', trigger: 'Triggered by', from: 'From', to: 'To', diff: 'Difference',
  noDiff: 'The two versions are the same.', masked: 'Secrets are masked (only admins see them).', first: 'first version',
  compliance: 'Compliance of the newest version', noCompliance: 'No compliance result yet.', rule: 'Rule', result: 'Result',
  passed: 'passed', failed: 'failed', evidence: 'Lines', backup: 'Back up now', running: 'Backing up…',
  done: 'Backup finished: {result}', error: 'Backup failed: {message}', back: 'Back to the device',
}, {
  title: '{device} 的配置', versions: '配置版本', none: '尚未备份过该设备的配置。',
  time: '时间', change: '变更', trigger: '触发原因', from: '从', to: '到', diff: '差异',
  noDiff: '两个版本相同。', masked: '密码等敏感信息已隐藏（仅管理员可见）。', first: '首个版本',
  compliance: '最新版本的合规检查', noCompliance: '暂无合规检查结果。', rule: '规则', result: '结果',
  passed: '通过', failed: '不通过', evidence: '相关行', backup: '立即备份', running: '正在备份…',
  done: '备份完成：{result}', error: '备份失败：{message}', back: '返回设备页面',
});

/** One line of a unified diff, classed by its first character so the page can colour it. */
function DiffView({ text }: { text: string }) {
  const lines = text.split('\n');
  return (
    <pre class="diff">{lines.map((l, i) => {
      const kind = l.startsWith('+++') || l.startsWith('---') ? 'file' : l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx';
      return <span key={i} class={`line ${kind}`}>{l}{'\n'}</span>;
    })}</pre>
  );
}

function ComplianceTable({ device }: { device: string }) {
  const l = useStore(lang);
  const t = (k: Parameters<typeof words>[1], v?: Record<string, string | number>) => words(l, k, v);
  const loaded = useApi<Compliance>(`/devices/${encodeURIComponent(device)}/compliance`);
  if (loaded.error) return <p class="empty">{t('noCompliance')}</p>;
  return (
    <Loading loaded={loaded}>{(c) => (
      <div class="scroll"><table class="list compliance">
        <thead><tr><th>{t('rule')}</th><th>{t('result')}</th><th>{t('evidence')}</th></tr></thead>
        <tbody>{c.results.map((r) => (
          <tr key={r.rule} data-rule={r.rule} class={r.passed ? 'passed' : 'failed'}>
            <td>{r.title[l]}<br /><code>{r.rule}</code></td>
            <td>{r.passed ? t('passed') : `${t('failed')} (${r.violations})`}</td>
            <td>{r.evidence.slice(0, 5).map((e) => <div key={e.line}><code>{e.line}: {e.text}</code></div>)}</td>
          </tr>
        ))}</tbody>
      </table></div>
    )}</Loading>
  );
}

function BackupButton({ device, done }: { device: string; done: () => void }) {
  const l = useStore(lang);
  const [state, setState] = useState<{ text: string; busy: boolean }>({ text: '', busy: false });
  const start = async () => {
    setState({ text: words(l, 'running'), busy: true });
    try {
      let job = await api<Job>('POST', '/config-backups', { devices: [device] });
      // Bounded: a backup that takes longer than two minutes is left to the job list.
      for (let i = 0; i < 120 && job.state !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        job = await api<Job>('GET', `/config-backups/jobs/${encodeURIComponent(job.id)}`);
      }
      const d = job.devices[0];
      setState({ text: d?.state === 'failed' ? words(l, 'error', { message: d.error ?? '' }) : words(l, 'done', { result: d?.result ?? job.state }), busy: false });
      done();
    } catch (err) {
      setState({ text: words(l, 'error', { message: (err as Error).message }), busy: false });
    }
  };
  return <p class="actions"><button type="button" class="primary backup" disabled={state.busy} onClick={() => void start()}>{words(l, 'backup')}</button> <span class="backup-state">{state.text}</span></p>;
}

function DeviceConfigPage({ params }: { params: Record<string, string> }) {
  const l = useStore(lang);
  const s = useStore(session);
  const t = (k: Parameters<typeof words>[1], v?: Record<string, string | number>) => words(l, k, v);
  const device = params.name!;
  const versions = useApi<{ versions: Version[] }>(`/devices/${encodeURIComponent(device)}/configs`);
  const list = versions.data?.versions ?? [];
  const [pair, setPair] = useState<{ from?: string; to?: string }>({});
  const to = pair.to ?? list[0]?.commit;
  const from = pair.from ?? list[1]?.commit;
  const diff = useApi<Diff>(to && from ? withQuery(`/devices/${encodeURIComponent(device)}/configs/diff`, { from, to }) : undefined);
  useEffect(() => { setPair({}); }, [device]);
  return (
    <article class="device-config" data-device={device}>
      <h1>{t('title', { device })}</h1>
      {can(s, 'operator') && <BackupButton device={device} done={versions.reload} />}
      <h2>{t('versions')}</h2>
      {versions.error ? <p class="empty">{t('none')}</p> : (
        <Loading loaded={versions}>{(v) => v.versions.length === 0 ? <p class="empty">{t('none')}</p> : (
          <div class="scroll"><table class="list versions">
            <thead><tr><th>{t('from')}</th><th>{t('to')}</th><th>{t('time')}</th><th>{t('change')}</th><th>{t('trigger')}</th></tr></thead>
            <tbody>{v.versions.map((x) => (
              <tr key={x.commit} data-commit={x.commit}>
                <td><input type="radio" name="from" checked={x.commit === from} onChange={() => setPair({ from: x.commit, to })} /></td>
                <td><input type="radio" name="to" checked={x.commit === to} onChange={() => setPair({ from, to: x.commit })} /></td>
                <td><Time at={x.time} /></td>
                <td>{x.first ? t('first') : `+${x.added} −${x.removed}`}</td>
                <td>{[x.trigger.kind, x.trigger.by, x.trigger.reason].filter(Boolean).join(' · ')}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}</Loading>
      )}
      {to && from && (
        <section>
          <h2>{t('diff')}</h2>
          <Loading loaded={diff}>{(d) => (
            <div>
              {d.masked && <p class="note">{t('masked')}</p>}
              {d.diff.trim() === '' ? <p class="empty">{t('noDiff')}</p> : <DiffView text={d.diff} />}
            </div>
          )}</Loading>
        </section>
      )}
      <h2>{t('compliance')}</h2>
      <ComplianceTable device={device} />
      <p><a href={href(`/devices/${encodeURIComponent(device)}`)}>{t('back')}</a></p>
    </article>
  );
}

/** `#/devices/:name/config`. */
export const deviceConfigPage: PageDef = { path: '/devices/:name/config', title: 'nav.devices', nav: false, role: 'viewer', component: DeviceConfigPage };
