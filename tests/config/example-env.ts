import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every ${NAME} the shipped example files use, with a value that passes their checks. */
export const EXAMPLE_ENV = {
  NOCTUA_SNMP_COMMUNITY: 'example-community', NOCTUA_TRAP_COMMUNITY: 'trap-community', NOCTUA_V3_AUTH: 'auth-pass-1', NOCTUA_V3_PRIV: 'priv-pass-1',
  NOCTUA_ACK_SECRET: 'ack-secret-0123456789', NOCTUA_WEBHOOK_SECRET: 'webhook-secret-0123456789',
  NOCTUA_DINGTALK_TOKEN: 'token', NOCTUA_DINGTALK_SECRET: 'SEC0123456789', NOCTUA_WECOM_KEY: 'key',
  NOCTUA_FEISHU_HOOK: 'hook', NOCTUA_FEISHU_SECRET: 'feishu-secret', NOCTUA_SLACK_PATH: 'T000/B000/xyz',
  NOCTUA_PD_ROUTING_KEY: '0123456789abcdef0123456789abcdef',
  NOCTUA_SLACK_SIGNING_SECRET: 'slack-signing-secret-0123', NOCTUA_FEISHU_VERIFICATION_TOKEN: 'feishu-verify-token',
  NOCTUA_FEISHU_ENCRYPT_KEY: 'feishu-encrypt-key-0123', NOCTUA_ALIYUN_KEY_ID: 'LTAI0123456789', NOCTUA_ALIYUN_KEY_SECRET: 'aliyun-secret-0123456789',
};

/** Copies the four `config/*.example.yaml` of the checkout at `root` into `dir` under their real names. */
export function copyExamples(root: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of ['noctua', 'devices', 'alerts', 'notify']) copyFileSync(join(root, 'config', `${f}.example.yaml`), join(dir, `${f}.yaml`));
  return dir;
}
