/**
 * The stand-in's managed login pages: sign-in (password, passkey, email code, the
 * DigitalAuthApp button), sign-up, confirmation, passkey registration, errors, and the local
 * mailbox. Japanese first with English, laid out for a phone. Scripts load from this origin
 * only (CSP), and every value shown is escaped.
 */
import { escapeHtml } from '../../../lambdas/federation-proxy/web/html';

export const LOGIN_CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;background:#f2f3f3;margin:0;color:#16191f}
main{max-width:26em;margin:2em auto;background:#fff;border-radius:8px;padding:1.5em 1.5em 1em;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3em;margin:.2em 0 .8em}
.en{color:#545b64;font-size:.85em;display:block;font-weight:normal}
label{display:block;margin:.8em 0 .3em;font-weight:600}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:.6em;font-size:1em;border:1px solid #aab7b8;border-radius:4px}
button,.button{display:block;width:100%;box-sizing:border-box;margin:1em 0 0;padding:.7em;font-size:1em;border-radius:20px;border:1px solid #0972d3;background:#0972d3;color:#fff;cursor:pointer;text-align:center;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#0972d3}
button.card{background:#1d6b3a;border-color:#1d6b3a}
.or{text-align:center;color:#545b64;margin:1.2em 0 .2em;font-size:.9em}
.error{background:#fff1f0;border-left:4px solid #d91515;padding:.6em .8em;margin:.8em 0}
.info{background:#f0f8ff;border-left:4px solid #0972d3;padding:.6em .8em;margin:.8em 0}
.links{margin-top:1.2em;font-size:.9em;text-align:center}
footer{max-width:26em;margin:0 auto 2em;color:#545b64;font-size:.8em;text-align:center}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;background:#f8f8f8;padding:.5em}
`;

export function layout(o: { title: string; poolName: string; body: string; scripts?: string[]; wide?: boolean }): string {
  return (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(o.title)}</title><style>${STYLE}${o.wide ? 'main{max-width:60em}' : ''}</style></head><body>` +
    `<main>${o.body}</main>` +
    `<footer>${escapeHtml(o.poolName)} · Amazon Cognito stand-in (local sandbox, never deployed)</footer>` +
    (o.scripts ?? []).map((s) => `<script src="${escapeHtml(s)}"></script>`).join('') +
    '</body></html>'
  );
}

const title = (ja: string, en: string) => `<h1>${escapeHtml(ja)}<span class="en" lang="en">${escapeHtml(en)}</span></h1>`;
const message = (kind: 'error' | 'info', text?: string) => (text ? `<div class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${escapeHtml(text)}</div>` : '');
const hidden = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');

export interface SignInPage {
  readonly poolName: string;
  readonly tx: string;
  readonly email?: string;
  readonly error?: string;
  readonly info?: string;
  readonly password: boolean;
  readonly passkey: boolean;
  readonly emailOtp: boolean;
  readonly signUp: boolean;
  /** External identity providers offered on the page: name → button label. */
  readonly providers: ReadonlyArray<{ name: string; label: string }>;
}

export function signInPage(p: SignInPage): string {
  const tx = hidden({ tx: p.tx });
  const native = p.password || p.passkey || p.emailOtp;
  const body =
    title('サインイン', 'Sign in') +
    message('error', p.error) +
    message('info', p.info) +
    (native
      ? `<form method="post" action="/login/password" id="signin">${tx}` +
        `<label for="email">メールアドレス <span class="en" lang="en">Email address</span></label>` +
        `<input type="email" id="email" name="email" autocomplete="username webauthn" required value="${escapeHtml(p.email ?? '')}">` +
        (p.password
          ? `<label for="password">パスワード <span class="en" lang="en">Password</span></label>` +
            '<input type="password" id="password" name="password" autocomplete="current-password">' +
            '<button type="submit">パスワードでサインイン / Sign in with password</button>'
          : '') +
        '</form>' +
        (p.passkey ? `<button type="button" class="secondary" id="passkey-signin" data-tx="${escapeHtml(p.tx)}">パスキーでサインイン / Sign in with passkey</button>` : '') +
        (p.emailOtp ? `<form method="post" action="/login/email-otp">${tx}<input type="hidden" name="email" id="otp-email"><button type="submit" class="secondary" id="email-otp">メールでコードを受け取る / Email me a code</button></form>` : '')
      : '') +
    (p.providers.length ? `<p class="or">または / or</p>` : '') +
    p.providers
      .map((x) => `<form method="post" action="/login/federate">${tx}<input type="hidden" name="idp" value="${escapeHtml(x.name)}"><button type="submit" class="card" data-provider="${escapeHtml(x.name)}">${escapeHtml(x.label)}</button></form>`)
      .join('') +
    (p.signUp ? `<div class="links">アカウントをお持ちでない場合 / No account? <a href="/signup?tx=${encodeURIComponent(p.tx)}">アカウントを作成 / Create an account</a></div>` : '');
  return layout({ title: 'サインイン / Sign in', poolName: p.poolName, body, scripts: [...(p.passkey ? ['/static/webauthn.js'] : []), '/static/login.js'] });
}

export function signUpPage(p: { poolName: string; tx: string; email?: string; error?: string; policy: string }): string {
  const body =
    title('アカウントを作成', 'Create an account') +
    message('error', p.error) +
    `<form method="post" action="/signup">${hidden({ tx: p.tx })}` +
    `<label for="email">メールアドレス <span class="en" lang="en">Email address</span></label><input type="email" id="email" name="email" autocomplete="username" required value="${escapeHtml(p.email ?? '')}">` +
    `<label for="password">パスワード <span class="en" lang="en">Password</span></label><input type="password" id="password" name="password" autocomplete="new-password" required>` +
    `<p class="en" lang="en" style="display:block">${escapeHtml(p.policy)}</p>` +
    '<button type="submit">アカウントを作成 / Create account</button></form>' +
    `<div class="links"><a href="/login?tx=${encodeURIComponent(p.tx)}">サインインに戻る / Back to sign-in</a></div>`;
  return layout({ title: 'アカウントを作成 / Create an account', poolName: p.poolName, body });
}

export function codePage(p: { poolName: string; tx: string; username: string; destination: string; action: string; error?: string; info?: string; purpose: 'confirm' | 'otp' }): string {
  const body =
    title(p.purpose === 'confirm' ? 'メールアドレスの確認' : 'メールのコードでサインイン', p.purpose === 'confirm' ? 'Confirm your email address' : 'Sign in with an email code') +
    message('error', p.error) +
    message('info', p.info) +
    `<p>${escapeHtml(p.destination)} にコードを送信しました。<span class="en" lang="en">We sent a code to ${escapeHtml(p.destination)}.</span></p>` +
    `<form method="post" action="${escapeHtml(p.action)}">${hidden({ tx: p.tx, username: p.username })}` +
    '<label for="code">コード <span class="en" lang="en">Code</span></label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>' +
    '<button type="submit">確認 / Confirm</button></form>' +
    (p.purpose === 'confirm'
      ? `<form method="post" action="/confirm/resend">${hidden({ tx: p.tx, username: p.username })}<button type="submit" class="secondary">コードを再送信 / Resend code</button></form>`
      : '') +
    '<div class="links"><a href="/mailbox" target="_blank">ローカルの受信箱を開く / Open the local mailbox</a></div>';
  return layout({ title: 'コードの入力 / Enter the code', poolName: p.poolName, body });
}

export function passkeyAddPage(p: { poolName: string; returnTo: string; email: string; registered: number }): string {
  const body =
    title('パスキーを登録', 'Add a passkey') +
    `<p>${escapeHtml(p.email)} のパスキーを、この端末に登録します。次回からパスワードなしでサインインできます。<span class="en" lang="en">Register a passkey on this device for ${escapeHtml(p.email)}: next time, sign in without a password.</span></p>` +
    `<p>登録済みのパスキー / Passkeys registered: <strong id="passkey-count">${p.registered}</strong></p>` +
    '<div id="passkey-result"></div>' +
    '<button type="button" id="passkey-add">パスキーを登録 / Add passkey</button>' +
    `<a class="button secondary" id="passkey-return" href="${escapeHtml(p.returnTo)}">アプリに戻る / Back to the app</a>`;
  return layout({ title: 'パスキーを登録 / Add a passkey', poolName: p.poolName, body, scripts: ['/static/webauthn.js', '/static/login.js'] });
}

export function errorPage(p: { poolName: string; error: string; description: string }): string {
  const body = title('エラーが発生しました', 'An error occurred') + `<div class="error" role="alert"><code>${escapeHtml(p.error)}</code>: ${escapeHtml(p.description)}</div>`;
  return layout({ title: 'エラー / Error', poolName: p.poolName, body });
}

export interface MailboxMessage {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly sentAt: string;
  readonly purpose: string;
}

export function mailboxPage(p: { poolName: string; messages: readonly MailboxMessage[] }): string {
  const rows = [...p.messages]
    .reverse()
    .map((m) => `<tr><td>${escapeHtml(m.sentAt)}</td><td>${escapeHtml(m.to)}</td><td><strong>${escapeHtml(m.subject)}</strong><pre>${escapeHtml(m.body)}</pre></td></tr>`)
    .join('');
  const body =
    title('ローカルの受信箱', 'Local mailbox') +
    '<p>Cognito が送るメールは、このサンドボックスでは送信されずここに届きます。<span class="en" lang="en">The email Cognito would send arrives here instead; nothing leaves this machine.</span></p>' +
    (rows ? `<table><thead><tr><th>日時 / Sent</th><th>宛先 / To</th><th>件名・本文 / Message</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>メッセージはありません / No messages.</p>');
  return layout({ title: '受信箱 / Mailbox', poolName: p.poolName, body, wide: true });
}
