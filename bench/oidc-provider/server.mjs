// server.mjs — the peer of bench/sso.sh: npm oidc-provider set up as dinhdanh's token endpoint
// is, so that the two can be loaded side by side.
//
// What is the same: an ES256 signing key (BENCH_JWK, a private JWK file), JWT access tokens
// (RFC 9068, typ at+jwt) for the audience BENCH_AUDIENCE with the scope asked for, 5-minute
// access and ID tokens, 30-day refresh tokens rotated at each use (reuse revokes the grant),
// client_secret_basic, PKCE required. Two clients: BENCH_CC_ID (client_credentials) and
// BENCH_RT_ID (authorization_code + refresh_token), secrets BENCH_CC_SECRET / BENCH_RT_SECRET.
// Storage is in memory (MapAdapter below: oidc-provider's own development adapter keeps only
// 1000 entries and loses grants under load), so it writes nothing to disk where dinhdanh commits
// to SQLite. Access tokens get the claims dinhdanh's carry (extraTokenClaims).
//
// Refresh tokens for the load are made before listening: BENCH_RT_POOL tokens, each the first
// of its own grant (as an authorization code exchange would leave it, with acr, amr and
// auth_time), written one a line to BENCH_RT_FILE. Then it listens on 127.0.0.1:BENCH_PORT and
// prints "ready" on stdout.
import fs from 'node:fs';
import Provider from 'oidc-provider';

const env = (k) => {
  const v = process.env[k];
  if (v === undefined || v === '') throw new Error(`${k} is not set`);
  return v;
};
const ISSUER = env('BENCH_ISSUER');
const PORT = Number(env('BENCH_PORT'));
const AUDIENCE = env('BENCH_AUDIENCE');
const CC_SCOPE = process.env.BENCH_CC_SCOPE || '';
const RT_SCOPE = env('BENCH_RT_SCOPE');
const jwk = JSON.parse(fs.readFileSync(env('BENCH_JWK'), 'utf8'));

// oidc-provider's adapter interface over plain Maps: unbounded, expiry checked on read, grants
// indexed for revokeByGrantId (the revocation a reused refresh token triggers).
const stores = new Map();
const byGrant = new Map();
class MapAdapter {
  constructor(name) {
    this.name = name;
    if (!stores.has(name)) stores.set(name, new Map());
    this.store = stores.get(name);
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
    this.store.set(id, { payload, expiresAt });
    if (payload.grantId) {
      if (!byGrant.has(payload.grantId)) byGrant.set(payload.grantId, []);
      byGrant.get(payload.grantId).push([this.name, id]);
    }
  }

  async find(id) {
    const e = this.store.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return e.payload;
  }

  async findByUid(uid) {
    for (const e of this.store.values()) if (e.payload.uid === uid) return e.payload;
    return undefined;
  }

  async findByUserCode(code) {
    for (const e of this.store.values()) if (e.payload.userCode === code) return e.payload;
    return undefined;
  }

  async consume(id) {
    const e = this.store.get(id);
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    this.store.delete(id);
  }

  async revokeByGrantId(grantId) {
    for (const [name, id] of byGrant.get(grantId) || []) stores.get(name)?.delete(id);
    byGrant.delete(grantId);
  }
}

const resourceScopes = [...new Set(`${CC_SCOPE} ${RT_SCOPE}`.split(' ').filter(Boolean))].join(' ');

const provider = new Provider(ISSUER, {
  adapter: MapAdapter,
  clients: [
    {
      client_id: env('BENCH_CC_ID'),
      client_secret: env('BENCH_CC_SECRET'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: CC_SCOPE || undefined,
    },
    {
      client_id: env('BENCH_RT_ID'),
      client_secret: env('BENCH_RT_SECRET'),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:9/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [{ ...jwk, alg: 'ES256', use: 'sig' }] },
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256'],
    userinfoSigningAlgValues: ['ES256'],
  },
  scopes: ['openid', 'offline_access', ...resourceScopes.split(' ')],
  claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name', 'family_name', 'given_name', 'birthdate', 'gender'] },
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: resourceScopes,
        audience: AUDIENCE,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  // dinhdanh's access tokens of a person carry the login's acr, amr, auth_time, sid and the
  // refresh family (fid). The same here.
  extraTokenClaims: (ctx) => {
    const rt = ctx?.oidc?.entities?.RefreshToken;
    if (!rt) return undefined;
    return { acr: rt.acr, amr: rt.amr, auth_time: rt.authTime, sid: rt.sid, fid: rt.grantId };
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 300,
    ClientCredentials: 300,
    IdToken: 300,
    RefreshToken: 30 * 24 * 3600,
    Grant: 30 * 24 * 3600,
  },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub }),
  }),
});
provider.on('server_error', (_ctx, err) => console.error(err));

// Refresh tokens as a code exchange leaves them: one grant each, the person's account, acr/amr.
const count = Number(process.env.BENCH_RT_POOL || 0);
if (count > 0) {
  const client = await provider.Client.find(env('BENCH_RT_ID'));
  const lines = [];
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const accountId = `bench-${i}`;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope(RT_SCOPE.split(' ').filter((s) => s === 'openid' || s === 'profile').join(' '));
    grant.addResourceScope(AUDIENCE, resourceScopes);
    const grantId = await grant.save();
    const rt = new provider.RefreshToken({
      accountId,
      client,
      grantId,
      scope: RT_SCOPE,
      resource: AUDIENCE,
      gty: 'authorization_code',
      acr: 'urn:dinhdanh:loa:1',
      amr: ['pwd'],
      authTime: now,
      sid: `bench-session-${i}`,
      iiat: now,
      rotations: 0,
    });
    lines.push(await rt.save());
  }
  fs.writeFileSync(env('BENCH_RT_FILE'), `${lines.join('\n')}\n`);
}

provider.listen(PORT, '127.0.0.1', () => console.log('ready'));
