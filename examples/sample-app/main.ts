/**
 * The sample app against a deployed tenant:
 *
 *   SAMPLE_ISSUER=<stack output Issuer> SAMPLE_CLIENT_ID=<stack output AppClientId<Name>> \
 *   SAMPLE_CLIENT_SECRET=<the client's secret, for a confidential client> \
 *   SAMPLE_REDIRECT_URI=http://localhost:3000/auth/callback npx tsx examples/sample-app/main.ts
 *
 * The redirect URI must be a callback URL of the app client, and http://localhost:3000/ one of
 * its sign-out URLs (or set SAMPLE_LOGOUT_URI). The client secret is read from the environment,
 * never from a file in the repository.
 */
import { createSampleApp } from './app';
import { serveSampleApp } from './serve';

const env = (name: string, fallback?: string) => {
  const v = process.env[name] ?? fallback;
  if (!v) {
    process.stderr.write(`${name} is not set (see the comment at the top of examples/sample-app/main.ts)\n`);
    process.exit(1);
  }
  return v;
};
const redirectUri = env('SAMPLE_REDIRECT_URI', 'http://localhost:3000/auth/callback');
const appOrigin = new URL(redirectUri).origin;
const app = await createSampleApp({
  issuer: env('SAMPLE_ISSUER'),
  clientId: env('SAMPLE_CLIENT_ID'),
  clientSecret: process.env.SAMPLE_CLIENT_SECRET,
  appOrigin,
  redirectUri,
  logoutUri: process.env.SAMPLE_LOGOUT_URI,
  linkIntentUrl: process.env.SAMPLE_LINK_INTENT_URL,
  // The tenant's jpki.stepUp (defaults shown): the claims the product adds, bound to the session.
  stepUp: {
    acrValues: process.env.SAMPLE_ACR_VALUES?.split(' ').filter(Boolean),
    maxAgeSeconds: Number(process.env.SAMPLE_MAX_AGE ?? 300),
    acrClaim: process.env.SAMPLE_ACR_CLAIM ?? 'myna_acr',
    authTimeClaim: process.env.SAMPLE_AUTH_TIME_CLAIM ?? 'myna_auth_time',
    sessionTimeClaim: process.env.SAMPLE_SESSION_TIME_CLAIM ?? 'myna_session_time',
    sessionBindingSeconds: Number(process.env.SAMPLE_SESSION_BINDING ?? 30),
  },
});
const server = await serveSampleApp(app, Number(new URL(redirectUri).port || 80));
process.stdout.write(`sample app on ${appOrigin}/ (Ctrl-C to stop)\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
