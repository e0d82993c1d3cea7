// A real OpenID Provider (panva's oidc-provider, pinned in package.json) for the Rust tests.
//
//   node oidc-provider.mjs <port> [<json options>]
//
// <port> is a loopback port; 0 picks a free one. Options (all optional):
//   {"clients": [<client metadata>, ...]}   default: one client from OIDC_CLIENT_ID /
//                                           OIDC_CLIENT_SECRET / OIDC_REDIRECT_URI
// Prints `READY <issuer>` on stdout once it listens, and exits when stdin closes, so the
// test that started it never leaks the process.
//
// Differences from a production setup, all for unattended tests:
// - login and consent are automatic: /interaction/:uid logs in the account named by
//   `login_hint` (default `user-1`) and grants every requested scope and claim;
// - PKCE is required for every client but those whose id starts `nopkce-`; refresh tokens are issued to every client allowed
//   the refresh_token grant and rotated on every use;
// - keys (RSA, P-256, Ed25519) are generated at start-up;
// - the `claims` request parameter is honoured.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};

const clients = options.clients ?? [
  {
    client_id: process.env.OIDC_CLIENT_ID ?? 'test-client',
    client_secret: process.env.OIDC_CLIENT_SECRET ?? 'test-secret',
    redirect_uris: [process.env.OIDC_REDIRECT_URI ?? 'http://localhost:3000/api/auth/callback/oidc'],
  },
].map((c) => c);
for (const client of clients) {
  client.grant_types ??= ['authorization_code', 'refresh_token'];
  client.response_types ??= ['code'];
}

function privateJwk(type, opts, alg) {
  const { privateKey } = generateKeyPairSync(type, opts);
  return { ...privateKey.export({ format: 'jwk' }), kid: `${alg}-${randomUUID()}`, use: 'sig', alg };
}
const jwks = {
  keys: [
    privateJwk('rsa', { modulusLength: 2048 }, 'RS256'),
    privateJwk('ec', { namedCurve: 'P-256' }, 'ES256'),
    privateJwk('ed25519', {}, 'EdDSA'),
  ],
};

const accounts = new Map();
function account(id) {
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        name: `Test User ${id}`,
        email: `${id}@example.test`,
        email_verified: true,
        picture: `http://127.0.0.1/avatars/${id}.png`,
      };
    },
  };
}

const server = createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks,
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'picture'],
  },
  // The `claims` request parameter (OIDC Core 5.5), which the Twitch preset sends.
  features: { devInteractions: { enabled: false }, claimsParameter: { enabled: true } },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'] },
  // PKCE for every client but the ones named `nopkce-*` (presets whose providers refuse it).
  pkce: { required: (_ctx, client) => !client.clientId.startsWith('nopkce-') },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  findAccount: async (_ctx, id) => {
    if (!accounts.has(id)) accounts.set(id, account(id));
    return accounts.get(id);
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name === 'login') {
      const accountId = params.login_hint || 'user-1';
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    res.statusCode = 400;
    res.end(`unexpected prompt ${prompt.name}`);
  } catch (err) {
    res.statusCode = 500;
    res.end(`interaction failed: ${err}`);
  }
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res);
  } else {
    callback(req, res);
  }
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
console.log(`READY ${issuer}`);
