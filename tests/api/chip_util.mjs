// chip_util.mjs — chip ID card files for the tests, made here with the openssl command line: a
// CSCA and a document signer (P-256), the LDS security object over the data groups (DER written
// by hand), EF.SOD as `openssl cms -sign -econtent_type 2.23.136.1.1.1` around it, and DG1 holding
// the TD1 MRZ of a Vietnamese card (ICAO 9303 Part 5 check digits; document number = the last 9
// digits of the ID number, the full number first in the optional data).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const der = (tag, body) => {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 255];
  const t = tag > 0xff ? [tag >> 8, tag & 255] : [tag];
  return Buffer.concat([Buffer.from([...t, ...len]), body]);
};

// LDSSecurityObject v0 with SHA-256 over [[number, bytes], …].
export const lds = (groups) =>
  der(0x30, Buffer.concat([
    der(0x02, Buffer.from([0])),
    der(0x30, Buffer.from('0609608648016503040201', 'hex')),
    der(0x30, Buffer.concat(groups.map(([n, data]) =>
      der(0x30, Buffer.concat([der(0x02, Buffer.from([n])),
        der(0x04, createHash('sha256').update(data).digest())]))))),
  ]));

// The ICAO 9303 check digit of s.
export function checkDigit(s) {
  const w = [7, 3, 1];
  let sum = 0;
  [...s].forEach((c, i) => {
    const v = c === '<' ? 0 : /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * w[i % 3];
  });
  return String(sum % 10);
}

const plain = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').toUpperCase();

// The 90 characters of a Vietnamese card's MRZ for {id_number, full_name, birth_date, sex}.
export function vnMrz(p, expiry = '391231') {
  const doc = p.id_number.slice(3);
  const l1 = `IDVNM${doc}${checkDigit(doc)}${p.id_number}<<<`;
  const b = p.birth_date.slice(2).replace(/-/g, '');
  const head = `${b}${checkDigit(b)}${p.sex === 'female' ? 'F' : 'M'}${expiry}${checkDigit(expiry)}VNM${'<'.repeat(11)}`;
  const composite = checkDigit(l1.slice(5) + head.slice(0, 7) + head.slice(8, 15) + head.slice(18, 29));
  const words = plain(p.full_name).split(/\s+/);
  const l3 = `${words[0]}<<${words.slice(1).join('<')}`.padEnd(30, '<').slice(0, 30);
  return l1 + head + composite + l3;
}

// DG1: tag 61 around 5F1F holding the MRZ.
export const dg1Of = (mrz) => der(0x61, der(0x5f1f, Buffer.from(mrz, 'latin1')));

// A folder of keys and certificates; makeCert and sod work in it.
export class ChipFactory {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-chip-'));
  }

  ossl(...args) {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  // A P-256 key and a certificate CN=name, C=VN: self-signed for a CSCA, else issued by `issuer`.
  makeCert(name, { ca, issuer, days = 365 }) {
    this.ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    const ext = ca
      ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n'
      : 'keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
    fs.writeFileSync(path.join(this.dir, `${name}.ext`), ext);
    this.ossl('req', '-new', '-key', `${name}.key`, '-subj', `/C=VN/CN=${name}`, '-out', `${name}.csr`);
    const args = ['x509', '-req', '-in', `${name}.csr`, '-extfile', `${name}.ext`, '-out', `${name}.pem`,
      '-sha256', '-days', String(days), '-set_serial', String(1 + Math.floor(Math.random() * 1e9))];
    if (issuer) args.push('-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`);
    else args.push('-key', `${name}.key`);
    this.ossl(...args);
    return path.join(this.dir, `${name}.pem`);
  }

  // A folder holding only the CSCA `name`'s certificate: a trust store for --card-csca.
  trustStore(name) {
    const d = path.join(this.dir, `trust-${name}`);
    fs.mkdirSync(d, { recursive: true });
    fs.copyFileSync(path.join(this.dir, `${name}.pem`), path.join(d, 'csca.pem'));
    return d;
  }

  // EF.SOD over the data groups, signed by `signer`.
  sod(groups, signer) {
    const tag = `sod-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
    fs.writeFileSync(path.join(this.dir, `${tag}.lds`), lds(groups));
    this.ossl('cms', '-sign', '-binary', '-nodetach', '-econtent_type', '2.23.136.1.1.1', '-in', `${tag}.lds`,
      '-signer', `${signer}.pem`, '-inkey', `${signer}.key`, '-outform', 'DER', '-out', `${tag}.cms`);
    return der(0x77, fs.readFileSync(path.join(this.dir, `${tag}.cms`)));
  }

  // The body a kiosk posts for person p: {"sod", "dg": {"1"}} in base64.
  chipBody(p, signer) {
    const dg1 = dg1Of(vnMrz(p));
    return { sod: this.sod([[1, dg1]], signer).toString('base64'), dg: { 1: dg1.toString('base64') } };
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
