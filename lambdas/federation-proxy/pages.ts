/**
 * The pages a person may see from the proxy: an error page when there is no safe place to
 * redirect to, and a short page at the root. Phones first (the Digital Agency's app runs on
 * them), Japanese first with English after.
 */
import { escapeHtml } from './web/html';

/** What went wrong, for a person, by the reason the proxy reports. */
const EXPLAINED: Record<string, { ja: string; en: string }> = {
  client_id_missing: { ja: 'サインインの要求に client_id がありません。', en: 'The sign-in request has no client_id.' },
  client_id_unknown: { ja: 'このサービスに登録されていないアプリからの要求です。', en: 'The request comes from an application this service does not know.' },
  redirect_uri_mismatch: { ja: '戻り先 (redirect_uri) が登録されたものと一致しません。', en: 'The redirect_uri is not the registered one.' },
  parameter_invalid: { ja: '要求のパラメーターが正しくありません。', en: 'A parameter of the request is not valid.' },
  state_missing: { ja: '認証サービスからの応答に state がないか、正しくありません。', en: 'The answer of the My Number Card service has no valid state.' },
  transaction_missing: { ja: 'このブラウザーにサインインの記録がありません（有効期限が切れたか、別のブラウザーで始められました）。', en: 'This browser has no record of this sign-in (it expired, or it was started in another browser).' },
  transaction_expired: { ja: 'サインインに時間がかかりすぎました。', en: 'The sign-in took too long.' },
  transaction_invalid: { ja: 'サインインの記録が正しくありません。', en: 'The record of this sign-in is not valid.' },
  state_mismatch: { ja: 'このブラウザーで新しいサインインが始められたため、前のサインインは続けられません。', en: 'A newer sign-in was started in this browser; this one cannot continue.' },
  code_missing: { ja: '認証サービスからの応答に認可コードがありません。', en: 'The answer of the My Number Card service has no authorization code.' },
  internal: { ja: 'サーバーでエラーが起きました。しばらくしてからやり直してください。', en: 'Something went wrong on the server. Please try again later.' },
};

const page = (title: string, body: string) =>
  '<!doctype html><html lang="ja"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  `<title>${title}</title></head>` +
  '<body style="font-family:system-ui,sans-serif;line-height:1.6;max-width:40em;margin:2em auto;padding:0 1em">' +
  `${body}</body></html>`;

/** Content-Security-Policy of both pages: nothing loads, nothing runs. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function errorPageHtml(reason: string, code: string): string {
  const e = EXPLAINED[reason] ?? EXPLAINED.internal!;
  return page(
    'サインインできませんでした / Sign-in failed',
    '<h1>サインインできませんでした</h1>' +
      `<p>マイナンバーカードによる認証を完了できませんでした。${escapeHtml(e.ja)}アプリに戻り、最初からやり直してください。</p>` +
      '<h2 lang="en" style="font-size:1.1em">Sign-in failed</h2>' +
      `<p lang="en">My Number Card authentication could not be completed. ${escapeHtml(e.en)} Go back to the application and start again.</p>` +
      `<p style="color:#555;font-size:.9em"><code>${escapeHtml(code)} / ${escapeHtml(reason)}</code></p>`,
  );
}

export function rootPageHtml(): string {
  return page(
    'myna-idp federation proxy',
    '<h1>マイナンバーカード認証の中継</h1>' +
      '<p>このアドレスは、サービスのサインイン画面（Amazon Cognito）とデジタル庁の認証サービスの間をつなぐためのものです。直接開いても使えるページはありません。サインインはご利用のアプリから始めてください。</p>' +
      '<h2 lang="en" style="font-size:1.1em">My Number Card federation proxy</h2>' +
      '<p lang="en">This address connects a service’s sign-in pages (Amazon Cognito) with the Digital Agency’s authentication service. There is nothing to use here directly: start signing in from your application.</p>' +
      '<p lang="en" style="font-size:.9em"><a href="/.well-known/openid-configuration">OpenID configuration</a> · <a href="/jwks">JWKS</a></p>',
  );
}

/**
 * The link confirmation page: one form, posted to the proxy itself, which redirects on to the
 * OP, or back to Cognito and from there to the app. No form-action: browsers hold it to every
 * target of that redirect chain, and the app's origin is not the proxy's to know. Nothing on the
 * page runs, and every value on it is escaped.
 */
export const LINK_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

export function linkConfirmPageHtml(account: string, go: string, merge = false): string {
  const button = (answer: string, label: string, primary: boolean) =>
    `<button type="submit" name="answer" value="${answer}" style="font-size:1em;padding:.6em 1.2em;margin:.3em;border-radius:6px;border:1px solid #1d6b3a;${primary ? 'background:#1d6b3a;color:#fff' : 'background:#fff;color:#1d6b3a'}">${label}</button>`;
  return page(
    'マイナンバーカードの連携 / Link My Number Card',
    '<h1>マイナンバーカードの連携</h1>' +
      `<p>このあとマイナンバーカードで本人確認をすると、カードが次のアカウントに連携されます。</p><p style="font-size:1.2em"><strong>${escapeHtml(account)}</strong></p>` +
      (merge
        ? '<p><strong>このカードで作成したアカウントは削除され、カードでのサインインは上のアカウントになります。</strong></p>'
        : '') +
      '<p>ご自分のアカウントでない場合や、心当たりがない場合は「連携しない」を選んでください。</p>' +
      '<h2 lang="en" style="font-size:1.1em">Link My Number Card</h2>' +
      `<p lang="en">After you verify with your My Number Card, the card will be linked to the account above. ${merge ? '<strong>The account you created with this card will be deleted; the card will sign you in above.</strong> ' : ''}If it is not your account, or you did not ask for this, choose “Do not link”.</p>` +
      `<form method="post" action="/authorize/confirm"><input type="hidden" name="go" value="${escapeHtml(go)}">${button('link', '連携する / Link', true)}${button('cancel', '連携しない / Do not link', false)}</form>`,
  );
}
