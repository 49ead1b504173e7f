/* global window, document, fetch */
// The managed login pages' script: passkey sign-in and registration (WebAuthn through
// @simplewebauthn/browser, served as /static/webauthn.js) and the email-code button.
(function () {
  'use strict';
  var W = window.SimpleWebAuthnBrowser;
  function post(url, body) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.message || j.error || 'request failed');
        return j;
      });
    });
  }
  function show(text, kind) {
    var box = document.getElementById('passkey-result');
    if (!box) {
      box = document.createElement('div');
      box.id = 'passkey-result';
      document.querySelector('main h1').after(box);
    }
    box.className = kind;
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    box.textContent = text;
  }
  var signIn = document.getElementById('passkey-signin');
  if (signIn) {
    signIn.addEventListener('click', function () {
      var email = document.getElementById('email').value;
      var tx = signIn.getAttribute('data-tx');
      post('/login/passkey/options', { tx: tx, email: email })
        .then(function (o) { return W.startAuthentication({ optionsJSON: o.options }); })
        .then(function (response) { return post('/login/passkey/verify', { tx: tx, response: response }); })
        .then(function (r) { window.location.assign(r.redirect); })
        .catch(function (e) { show('パスキーでサインインできませんでした / Passkey sign-in failed: ' + e.message, 'error'); });
    });
  }
  var add = document.getElementById('passkey-add');
  if (add) {
    add.addEventListener('click', function () {
      post('/passkeys/add/options', {})
        .then(function (o) { return W.startRegistration({ optionsJSON: o.options }); })
        .then(function (response) { return post('/passkeys/add/verify', { response: response }); })
        .then(function (r) {
          document.getElementById('passkey-count').textContent = String(r.registered);
          show('パスキーを登録しました / Passkey added', 'info');
        })
        .catch(function (e) { show('パスキーを登録できませんでした / Could not add the passkey: ' + e.message, 'error'); });
    });
  }
  var otp = document.getElementById('email-otp');
  if (otp) {
    otp.form.addEventListener('submit', function () {
      document.getElementById('otp-email').value = document.getElementById('email').value;
    });
  }
})();
