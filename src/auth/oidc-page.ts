import type { OidcFailureReason } from './oidc.js';

/** What a failed single sign-on tells the person, in both languages the console speaks. */
const TEXT: Record<OidcFailureReason | 'disabled', { status: number; en: string; 'zh-CN': string }> = {
  state: { status: 400, en: 'This sign-in link is not valid any more (already used, expired, or started in another browser). Start the sign-in again.', 'zh-CN': '此登录链接已失效（已使用、已过期，或在其他浏览器中发起）。请重新登录。' },
  denied: { status: 403, en: 'The identity provider did not sign you in.', 'zh-CN': '身份提供方未允许此次登录。' },
  refused: { status: 403, en: 'You signed in, but your account has no Noctua role: ask an administrator to add one of your groups.', 'zh-CN': '您已通过身份验证，但您的账号没有 Noctua 角色：请联系管理员为您所在的组授权。' },
  invalid: { status: 502, en: 'The identity provider\'s answer failed a security check; nobody was signed in.', 'zh-CN': '身份提供方的响应未通过安全校验，未登录任何用户。' },
  unavailable: { status: 503, en: 'The identity provider cannot be reached. Try again later, or sign in with a local account.', 'zh-CN': '无法连接身份提供方。请稍后重试，或使用本地账号登录。' },
  disabled: { status: 404, en: 'Single sign-on is not set up on this Noctua.', 'zh-CN': '此 Noctua 未配置单点登录。' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTTP status and bilingual page for a failed sign-in; `detail` (already bounded) is shown as text, escaped. */
export function signInFailedPage(reason: OidcFailureReason | 'disabled', detail: string): { status: number; html: string } {
  const t = TEXT[reason];
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Noctua: 登录失败 / sign-in failed</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>登录失败 / Sign-in failed</h1>
<p lang="zh-CN" id="message-zh">${escapeHtml(t['zh-CN'])}</p>
<p lang="en" id="message-en">${escapeHtml(t.en)}</p>
<p><small id="detail">${escapeHtml(detail)}</small></p>
<p><a href="/console/">返回登录页 / Back to sign-in</a></p>
</body></html>`;
  return { status: t.status, html };
}
