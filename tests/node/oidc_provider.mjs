// A real OpenID provider on loopback for the tests (npm package oidc-provider).
//
// Environment:
//   OIDC_PORT        port to listen on (127.0.0.1)
//   OIDC_CLIENTS     JSON list of client metadata (client_id, client_secret,
//                    redirect_uris, post_logout_redirect_uris, userinfo_signed_response_alg…)
//   OIDC_ACCOUNTS    JSON object: account id -> claims (email, email_verified, rpps…)
//   OIDC_OFFSET_FILE a file holding a number of seconds added to the real time
//                    (read at every tick), so that a test can make codes expire
//                    without sleeping
// Sign-in is the provider's own development interaction (a form: login = account id).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

const realNow = Date.now.bind(Date);
const offsetFile = process.env.OIDC_OFFSET_FILE;
Date.now = () => {
  let offset = 0;
  if (offsetFile) {
    try { offset = Number(readFileSync(offsetFile, 'utf8').trim()) || 0; } catch { offset = 0; }
  }
  return realNow() + offset * 1000;
};

const { default: Provider } = await import('oidc-provider');

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  .export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [{ ...signingKey, kid: 'test-key-1', use: 'sig', alg: 'RS256' }] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'rpps', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    rpps: ['SubjectNameID'],
  },
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 3600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  cookies: { keys: ['test-only-cookie-key'] },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
