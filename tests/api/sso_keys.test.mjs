// sso_keys.test.mjs — the provider's signing keys, on SQLite or PostgreSQL (DD_TEST_DB). Keys
// live in DATA_DIR/sso-keys/<kid>.pem (mode 0600). `dinhdanh keys rotate` makes a new current
// key; the running server signs with it within seconds (and after a restart), and the old
// public key stays in the JWKS so that tokens it signed still verify with jose.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './server.mjs';
import { clientAdd, jose, jwks, oidc, rp, startSsoServer, verifyAccessToken } from './sso_util.mjs';

let srv;
after(async () => {
  await srv?.stop();
});

const keyFiles = (dataDir) =>
  fs.readdirSync(path.join(dataDir, 'sso-keys')).filter((f) => f.endsWith('.pem'));

test('key rotation: a new current key, the old one kept in the JWKS, old tokens still verify', async () => {
  srv = await startSsoServer();
  const { db, dataDir } = srv;
  const c = clientAdd(srv, 'Trục dữ liệu', { grant: 'client_credentials', auth: 'client_secret_basic' });
  const mint = async () => {
    const config = await rp(srv, c.client_id, oidc.ClientSecretBasic(c.client_secret));
    return (await oidc.clientCredentialsGrant(config)).access_token;
  };
  const t1 = await mint();
  const kid1 = jose.decodeProtectedHeader(t1).kid;
  const before = await jwks(srv);
  assert.deepEqual(before.keys.map((k) => k.kid), [kid1]);
  const files = keyFiles(dataDir);
  assert.deepEqual(files, [`${kid1}.pem`]);
  const mode = fs.statSync(path.join(dataDir, 'sso-keys', files[0])).mode & 0o777;
  assert.equal(mode, 0o600, 'private keys are readable by the owner only');
  assert.equal(fs.statSync(path.join(dataDir, 'sso-keys')).mode & 0o077, 0, 'the key folder is private');

  const rot = runCli(['keys', 'rotate', '--data-dir', dataDir]);
  assert.equal(rot.status, 0, rot.stderr);
  const rotated = JSON.parse(rot.stdout);
  assert.equal(rotated.previous, kid1);
  const kid2 = rotated.kid;
  assert.notEqual(kid2, kid1);
  assert.deepEqual(keyFiles(dataDir).sort(), [`${kid1}.pem`, `${kid2}.pem`].sort());
  const list = runCli(['keys', 'list', '--data-dir', dataDir]);
  assert.equal(list.status, 0, list.stderr);
  const keys = Object.fromEntries(JSON.parse(list.stdout).keys.map((k) => [k.kid, k]));
  assert.equal(keys[kid2].current, true);
  assert.equal(keys[kid1].current, false);
  assert.equal(keys[kid1].published, true, 'the old key stays published');

  // The running server takes the new key within a few seconds, without a restart.
  const deadline = Date.now() + 15000;
  let t2;
  for (;;) {
    t2 = await mint();
    if (jose.decodeProtectedHeader(t2).kid === kid2) break;
    assert.ok(Date.now() < deadline, 'the running server did not take the new key');
    await new Promise((r) => setTimeout(r, 250));
  }
  const after2 = await jwks(srv);
  assert.deepEqual(after2.keys.map((k) => k.kid).sort(), [kid1, kid2].sort());
  await verifyAccessToken(srv, t2, { clientId: c.client_id });
  await verifyAccessToken(srv, t1, { clientId: c.client_id }); // the old one still verifies

  // After a restart too: both keys published, the new one signing.
  await srv.stop();
  srv = await startSsoServer([], { db, dataDir, port: srv.port }); // the same issuer
  assert.deepEqual((await jwks(srv)).keys.map((k) => k.kid).sort(), [kid1, kid2].sort());
  assert.equal(jose.decodeProtectedHeader(await mint()).kid, kid2);
  await verifyAccessToken(srv, t1, { clientId: c.client_id });
});
