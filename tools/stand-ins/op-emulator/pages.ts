/** The emulator's pages: the test response settings (テスト応答設定), its own root page, and errors. */
import { escapeHtml } from '../../../lambdas/federation-proxy/web/html';
import type { TestPerson } from './persons';

/** The abnormal results one can pick instead of a person: error code and what it stands for. */
export const ABNORMAL = [
  ['access_denied', '利用者が認証をキャンセルした'],
  ['server_error', 'サーバーエラー'],
  ['temporarily_unavailable', '一時的に利用できない'],
] as const;

/** Where a browser ends its emulator session ("switch person"). */
export const SWITCH_PERSON_PATH = '/switch-person';

export function testResponsePage(uid: string, persons: readonly TestPerson[], clientId: string, scope: string): string {
  const personRows = persons
    .map((p, i) => `<label class="row"><input type="radio" name="choice" value="person:${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.label)}</label>`)
    .join('\n');
  const errorRows = ABNORMAL.map(([code, text]) => `<label class="row"><input type="radio" name="choice" value="error:${code}"> ${escapeHtml(text)}（${code}）</label>`).join('\n');
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>テスト応答設定 - デジタル認証アプリ（エミュレーター）</title>
<style>body{font-family:system-ui,sans-serif;max-width:42em;margin:2em auto;padding:0 1em;color:#1a1a1c}
h1{font-size:1.4em}fieldset{border:1px solid #c8c8cb;border-radius:8px;margin:1em 0;padding:1em}
.row{display:block;padding:.35em 0}.note{color:#555;font-size:.9em}button{font-size:1em;padding:.6em 2em;border-radius:6px;border:0;background:#0017c1;color:#fff}</style>
</head><body>
<h1>テスト応答設定</h1>
<p class="note">これはデジタル認証アプリのサンドボックス（テストカード代替）のエミュレーターです。実際のマイナンバーカードは使いません。</p>
<p class="note">クライアント: <code>${escapeHtml(clientId)}</code> / 要求スコープ: <code>${escapeHtml(scope)}</code></p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<fieldset><legend>正常応答（テストカード）</legend>
${personRows}
</fieldset>
<fieldset><legend>異常応答</legend>
${errorRows}
</fieldset>
<button type="submit">応答する</button>
</form></body></html>`;
}

/** The emulator's own page: what it is, whose session this browser holds, and a way to end it. */
export function rootPage(issuer: string, person: TestPerson | undefined, status = 200): string {
  const session = person
    ? `<p>このブラウザーは <strong>${escapeHtml(person.name)}</strong>（${escapeHtml(person.id)}）としてサインイン中です。次のサインインは、アプリが <code>prompt=login</code> を送らない限り、テスト応答設定を表示せずにこの人で続きます。</p>` +
      `<p lang="en">This browser holds an OP session as ${escapeHtml(person.id)}: the next sign-in continues as this person without the test-response page, unless the app sends <code>prompt=login</code>.</p>` +
      `<form method="post" action="${SWITCH_PERSON_PATH}"><button type="submit">別の人で続ける / Switch person</button></form>`
    : '<p>このブラウザーに OP のセッションはありません。次のサインインではテスト応答設定が表示されます。</p><p lang="en">No OP session in this browser: the next sign-in shows the test-response page.</p>';
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>デジタル認証アプリ（エミュレーター）</title></head><body style="font-family:system-ui,sans-serif;line-height:1.6;max-width:40em;margin:2em auto;padding:0 1em">` +
    `<h1>デジタル認証アプリ（エミュレーター）</h1>${status === 404 ? '<p>このアドレスにはページがありません。 / Nothing at this address.</p>' : ''}` +
    `<p>デジタル庁の認証 API サンドボックス（テストカード代替機能）をこのマシンで再現するエミュレーターです。実際の認証は行いません。</p>` +
    `<p lang="en">An emulator of the Digital Agency's sandbox OP (test card substitute) on this machine. It authenticates nobody.</p>` +
    `${session}<p><a href="${escapeHtml(issuer)}/.well-known/openid-configuration">OpenID configuration</a></p></body></html>`;
}

/** oidc-provider's error page (renderError). */
export const errorPage = (error: string, description: string) =>
  `<!doctype html><html lang="ja"><meta charset="utf-8"><title>エラー</title><h1>エラー</h1><p><code>${escapeHtml(error)}</code> ${escapeHtml(description)}</p></html>`;
