// payments_vietqr.test.mjs — VietQR on the command line, checked against a real peer: the npm
// package vietnam-qr-pay decodes the payloads `dinhdanh pay vietqr` prints to the same fields
// (bank BIN, account, card or account service, amount, purpose, reference, static or dynamic),
// and `dinhdanh pay vietqr-parse` reads the payloads vietnam-qr-pay builds to the same fields
// and exits 0. A payload with a broken CRC or length exits 1 with the reason, a wrong command
// line 2; --png and --svg write the QR code. No database and no server are needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { QRPay } from 'vietnam-qr-pay';
import { runCli, tempDir } from './server.mjs';

function build(args) {
  const r = runCli(['pay', 'vietqr', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function parse(payload) {
  const r = runCli(['pay', 'vietqr-parse', payload]);
  return { status: r.status, json: JSON.parse(r.stdout), stderr: r.stderr };
}

describe('our payloads, read by vietnam-qr-pay', () => {
  const cases = [
    { args: ['--bin', '970415', '--account', '113366668888'], want: { bin: '970415', account: '113366668888', method: '11' } },
    {
      args: ['--bin', '970436', '--account', '0011004455667', '--amount', '150000', '--purpose', 'Le phi cap CCCD DDAB12CD34EF'],
      want: { bin: '970436', account: '0011004455667', method: '12', amount: '150000', purpose: 'Le phi cap CCCD DDAB12CD34EF' },
    },
    {
      args: ['--bin', '970418', '--account', '9704180012345678', '--card', '--amount', '5000', '--reference', 'DDREF0000001'],
      want: { bin: '970418', account: '9704180012345678', method: '12', amount: '5000', reference: 'DDREF0000001', service: 'QRIBFTTC' },
    },
  ];
  for (const c of cases)
    test(`pay vietqr ${c.args.join(' ')}`, () => {
      const payload = build(c.args);
      const peer = new QRPay(payload);
      assert.equal(peer.isValid, true, payload);
      assert.equal(peer.provider.guid, 'A000000727');
      assert.equal(peer.consumer.bankBin, c.want.bin);
      assert.equal(peer.consumer.bankNumber, c.want.account);
      assert.equal(peer.initMethod, c.want.method);
      assert.equal(peer.provider.service, c.want.service || 'QRIBFTTA');
      assert.equal(peer.amount, c.want.amount);
      assert.equal(peer.additionalData.purpose, c.want.purpose);
      assert.equal(peer.additionalData.reference, c.want.reference);
      assert.equal(peer.currency, '704');
      assert.equal(peer.nation, 'VN');
      // And the peer builds the very same text from what it read.
      assert.equal(peer.build(), payload);
    });
});

describe('vietnam-qr-pay payloads, read by us', () => {
  const cases = [
    { bankBin: '970415', bankNumber: '113366668888' },
    { bankBin: '970422', bankNumber: '0987654321', amount: '79000', purpose: 'Thanh toan don hang' },
    { bankBin: '970405', bankNumber: '1500201234567', amount: '1234567890' },
  ];
  for (const c of cases)
    test(`QRPay.initVietQR(${JSON.stringify(c)})`, () => {
      const payload = QRPay.initVietQR(c).build();
      const r = parse(payload);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json.valid, true);
      assert.equal(r.json.bin, c.bankBin);
      assert.equal(r.json.account, c.bankNumber);
      assert.equal(r.json.type, c.amount ? 'dynamic' : 'static');
      assert.equal(r.json.amount, c.amount ? Number(c.amount) : undefined);
      assert.equal(r.json.purpose, c.purpose);
      assert.equal(r.json.crc, payload.slice(-4));
    });

  test('a reference and a bill number set on the peer come back', () => {
    const q = QRPay.initVietQR({ bankBin: '970415', bankNumber: '113366668888', amount: '20000' });
    q.additionalData.reference = 'DDXYZ0000001';
    q.additionalData.billNumber = 'HD-0042';
    const r = parse(q.build());
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.reference, 'DDXYZ0000001');
    assert.equal(r.json.bill_number, 'HD-0042');
  });
});

describe('refusals and images', () => {
  test('a broken CRC or length exits 1 with the reason; both peers agree it is invalid', () => {
    const good = build(['--bin', '970415', '--account', '113366668888', '--amount', '79000']);
    const badCrc = good.slice(0, -4) + (good.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA');
    let r = parse(badCrc);
    assert.equal(r.status, 1);
    assert.equal(r.json.valid, false);
    assert.match(r.json.error, /CRC mismatch/);
    assert.match(r.stderr, /not valid: CRC mismatch/);
    assert.equal(new QRPay(badCrc).isValid, false);
    const changed = good.replace('540579000', '540579001');
    r = parse(changed);
    assert.equal(r.status, 1);
    assert.match(r.json.error, /CRC mismatch/);
    assert.equal(new QRPay(changed).isValid, false);
    r = parse('00020101021238990010A000000727');
    assert.equal(r.status, 1);
    assert.match(r.json.error, /6304/);
  });

  test('a wrong command line exits 2', () => {
    assert.equal(runCli(['pay', 'vietqr', '--bin', '970415']).status, 2);
    assert.equal(runCli(['pay', 'vietqr', '--bin', '97041', '--account', '1']).status, 2);
    assert.equal(runCli(['pay', 'vietqr', '--bin', '970415', '--account', '1', '--amount', '-1']).status, 2);
    assert.equal(runCli(['pay', 'vietqr-parse']).status, 2);
    assert.equal(runCli(['pay', 'nothing']).status, 2);
  });

  test('--png and --svg write the QR code', () => {
    const dir = tempDir('qr');
    const png = path.join(dir, 'q.png');
    const svg = path.join(dir, 'q.svg');
    build(['--bin', '970415', '--account', '113366668888', '--png', png, '--svg', svg]);
    const b = fs.readFileSync(png);
    assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(b.subarray(12, 16).toString(), 'IHDR');
    assert.match(fs.readFileSync(svg, 'utf8'), /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  });
});
