// units.test.mjs — administrative units: `dinhdanh units import` (built-in copy, twice, a bad
// folder that stores nothing), GET /api/v1/units (communes of a province in force today or on a
// date, provinces, cursor pages, bad parameters) and GET /api/v1/units/{code} (a new commune with
// the old ones it was formed from, an old one with where it went, provinces and districts, a
// code two provinces share, unknown and malformed codes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, assertProblem, freshDb, runCli, startServer, tempDir } from './server.mjs';

const API = '/api/v1/units';
let srv;
let db;

// Parses the counts `units import` prints.
function importCounts(stdout) {
  const old = /^before 2025-07-01: (\d+) provinces, (\d+) districts, (\d+) communes$/m.exec(stdout);
  const now = /^from 2025-07-01: (\d+) provinces, (\d+) communes$/m.exec(stdout);
  const conv = /^conversion rows: (\d+)$/m.exec(stdout);
  const added = /^added (\d+) rows/m.exec(stdout);
  assert.ok(old && now && conv && added, `units import printed:\n${stdout}`);
  return {
    provincesOld: Number(old[1]),
    districts: Number(old[2]),
    communesOld: Number(old[3]),
    provinces: Number(now[1]),
    communes: Number(now[2]),
    conversions: Number(conv[1]),
    added: Number(added[1]),
  };
}

async function getJson(p, headers = {}) {
  const r = await srv.get(p, { headers });
  assert.equal(r.status, 200, `${p}: ${r.text}`);
  assert.match(r.headers['content-type'], /^application\/json/);
  return r.json();
}

// Every item of a list, following next_cursor.
async function all(query) {
  const items = [];
  let cursor = null;
  let pages = 0;
  do {
    const q = cursor ? `${query}&cursor=${encodeURIComponent(cursor)}` : query;
    const page = await getJson(`${API}?${q}`);
    assert.ok(Array.isArray(page.items));
    assert.ok('next_cursor' in page);
    items.push(...page.items);
    cursor = page.next_cursor;
    assert.ok(++pages < 100, 'too many pages');
  } while (cursor);
  return { items, pages };
}

before(async () => {
  db = freshDb();
  const r = runCli(['units', 'import', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  const c = importCounts(r.stdout);
  assert.equal(c.provinces, 34);
  assert.equal(c.communes, 3321);
  assert.ok(c.added > 20000);
  srv = await startServer({ db });
});
after(async () => {
  await srv?.stop();
});

describe('units import', () => {
  test('answers --help and refuses unknown words', () => {
    const h = runCli(['units', '--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /dinhdanh units import \[--dir DIR\]/);
    assert.equal(runCli(['units', 'export']).status, 2);
    assert.equal(runCli(['units']).status, 2);
    assert.equal(runCli(['units', 'import', '--kind', 'commune', '--db', db]).status, 2);
  });

  test('a second import adds nothing and reports the same counts', () => {
    const r = runCli(['units', 'import', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    const c = importCounts(r.stdout);
    assert.equal(c.added, 0);
    assert.deepEqual(
      [c.provincesOld, c.districts, c.provinces, c.communes, c.conversions],
      [63, 696, 34, 3321, 10571],
    );
  });

  test('a folder that is missing or holds a malformed file stores nothing', () => {
    const fresh = freshDb();
    const missing = runCli(['units', 'import', '--dir', '/nonexistent-units', '--db', fresh]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /communes-2025-01-04\.csv/);
    const dir = tempDir('units');
    fs.copyFileSync(
      path.join(ROOT, 'data/admin-units/communes-2025-01-04.csv'),
      path.join(dir, 'communes-2025-01-04.csv'),
    );
    fs.writeFileSync(
      path.join(dir, 'conversion-2025-07-01.csv'),
      'h\nh\nTỉnh Khánh Hòa (56),Phường Nha Trang,22366,Phường Tân Tiến,22366,"Nhập toàn bộ\n',
    );
    const bad = runCli(['units', 'import', '--dir', dir, '--db', fresh]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /conversion-2025-07-01\.csv line 3: a quoted field is not closed/);
    const listed = runCli(['units', 'list', '--kind', 'province', '--date', '2025-01-01',
      '--db', fresh]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(listed.stdout, '', 'nothing was stored');
  });

  test('units list prints the communes of a province', () => {
    const r = runCli(['units', 'list', '--province', '56', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 65);
    assert.ok(lines.includes('56\t22366\tPhường Nha Trang\tPhường'), lines.slice(0, 3).join('\n'));
    const bad = runCli(['units', 'list', '--date', '2025-02-30', '--db', db]);
    assert.equal(bad.status, 2);
  });
});

describe('GET /api/v1/units', () => {
  test('lists the 65 communes of Khánh Hòa in force, a page at a time, in code order', async () => {
    const first = await getJson(`${API}?province=56`);
    assert.equal(first.items.length, 50);
    assert.equal(typeof first.next_cursor, 'string');
    const { items, pages } = await all('province=56&limit=20');
    assert.equal(pages, 4);
    assert.equal(items.length, 65);
    const codes = items.map((u) => u.code);
    assert.deepEqual(codes, [...codes].sort());
    assert.equal(new Set(codes).size, 65);
    for (const u of items) {
      assert.equal(u.kind, 'commune');
      assert.equal(u.province_code, '56');
      assert.equal(u.valid_from, '2025-07-01');
      assert.equal(u.valid_to, null);
      assert.equal(u.district_code, null);
      assert.ok(['Phường', 'Xã', 'Đặc khu'].includes(u.level), u.level);
      assert.ok(u.name.startsWith(u.level), u.name);
    }
    const nhaTrang = items.find((u) => u.code === '22366');
    assert.equal(nhaTrang.name, 'Phường Nha Trang');
    assert.ok(items.some((u) => u.name === 'Đặc khu Trường Sa'));
  });

  test('lists provinces now (34) and before the reform (63)', async () => {
    const now = await all('kind=province');
    assert.equal(now.items.length, 34);
    const kh = now.items.find((p) => p.code === '56');
    assert.equal(kh.name, 'Tỉnh Khánh Hòa');
    assert.equal(kh.level, 'Tỉnh');
    assert.ok(!now.items.some((p) => p.code === '58'), 'Ninh Thuận is no more');
    const before = await all('kind=province&date=2025-06-30&limit=500');
    assert.equal(before.items.length, 63);
    assert.equal(before.pages, 1);
    assert.equal(before.items.find((p) => p.code === '58').name, 'Tỉnh Ninh Thuận');
    assert.ok(before.items.every((p) => p.valid_to === '2025-06-30'));
  });

  test('lists what was in force on a date: old communes with their district', async () => {
    const { items } = await all('province=58&date=2025-01-01&limit=500');
    assert.ok(items.length > 40, `${items.length} communes`);
    for (const u of items) {
      assert.equal(u.province_code, '58');
      assert.match(u.district_code, /^\d{3}$/);
      assert.equal(u.valid_to, '2025-06-30');
    }
    assert.ok(items.some((u) => u.code === '22738' && u.name === 'Phường Đô Vinh'));
    const districts = await all('kind=district&province=58&date=2025-01-01');
    assert.ok(districts.items.some((d) => d.code === '582'));
  });

  test('a province not in force on the date is 404', async () => {
    const r = await srv.get(`${API}?province=58`);
    const b = assertProblem(r, 404, 'not-found');
    assert.match(b.detail, /58/);
  });

  test('bad parameters are 400 validation-failed, each named', async () => {
    const cases = [
      ['province=5', 'province'],
      ['province=056', 'province'],
      ['province=', 'province'],
      ['date=2025-02-30', 'date'],
      ['date=01/07/2025', 'date'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['kind=village', 'kind'],
      ['cursor=56', 'cursor'],
      ['cursor=56-123', 'cursor'],
      ['province=56&cursor=xx-22366', 'cursor'],
    ];
    for (const [q, field] of cases) {
      const b = assertProblem(await srv.get(`${API}?${q}`), 400, 'validation-failed');
      assert.deepEqual(b.errors.map((e) => e.field), [field], q);
    }
    const b = assertProblem(
      await srv.get(`${API}?limit=0&date=x`, { headers: { 'Accept-Language': 'en' } }),
      400,
      'validation-failed',
    );
    assert.deepEqual(b.errors.map((e) => e.field).sort(), ['date', 'limit']);
    assert.match(b.errors.find((e) => e.field === 'limit').message, /whole number from 1 to 500/);
  });
});

describe('GET /api/v1/units/{code}', () => {
  test('a Khánh Hòa commune tells the Ninh Thuận communes it was formed from', async () => {
    const u = await getJson(`${API}/22738`);
    assert.equal(u.kind, 'commune');
    assert.equal(u.province_code, '56');
    assert.equal(u.province_name, 'Tỉnh Khánh Hòa');
    assert.equal(u.name, 'Phường Đô Vinh');
    assert.equal(u.valid_from, '2025-07-01');
    assert.equal(u.valid_to, null);
    assert.deepEqual(u.successors, []);
    assert.ok(u.predecessors.length >= 2);
    const self = u.predecessors.find((p) => p.commune_code === '22738');
    assert.deepEqual(self, {
      province_code: '58',
      province_name: 'Tỉnh Ninh Thuận',
      district_code: '582',
      district_name: 'Thành phố Phan Rang-Tháp Chàm',
      commune_code: '22738',
      commune_name: 'Phường Đô Vinh',
      note: 'Nhập toàn bộ',
      whole: true,
    });
    assert.ok(u.predecessors.every((p) => p.province_code === '58'));
  });

  test('with ?province= the old commune of the same code tells where it went', async () => {
    const u = await getJson(`${API}/22738?province=58`);
    assert.equal(u.province_code, '58');
    assert.equal(u.district_code, '582');
    assert.equal(u.district_name, 'Thành phố Phan Rang-Tháp Chàm');
    assert.equal(u.valid_from, null);
    assert.equal(u.valid_to, '2025-06-30');
    assert.deepEqual(u.predecessors, []);
    assert.deepEqual(u.successors, [
      {
        province_code: '56',
        province_name: 'Tỉnh Khánh Hòa',
        commune_code: '22738',
        commune_name: 'Phường Đô Vinh',
        note: 'Nhập toàn bộ',
        whole: true,
      },
    ]);
    const onDate = await getJson(`${API}/22738?date=2025-06-30`);
    assert.equal(onDate.province_code, '58');
  });

  test('an old commune split between new ones lists each part', async () => {
    const split = await getJson(`${API}/00016?province=01`);
    assert.equal(split.name, 'Phường Ngọc Hà');
    assert.ok(split.successors.length >= 2, JSON.stringify(split.successors));
    assert.ok(split.successors.every((s) => s.province_code === '01' && !s.whole));
  });

  test('provinces and districts have their history too', async () => {
    const kh = await getJson(`${API}/56`);
    assert.equal(kh.kind, 'province');
    assert.deepEqual(
      kh.predecessors.map((p) => p.province_code),
      ['56', '58'],
    );
    const nt = await getJson(`${API}/58`);
    assert.equal(nt.name, 'Tỉnh Ninh Thuận');
    assert.equal(nt.valid_to, '2025-06-30');
    assert.deepEqual(nt.successors, [{ province_code: '56', province_name: 'Tỉnh Khánh Hòa' }]);
    const d = await getJson(`${API}/582`);
    assert.equal(d.kind, 'district');
    assert.equal(d.level, 'Thành phố');
    assert.equal(d.province_name, 'Tỉnh Ninh Thuận');
    assert.ok(d.successors.some((s) => s.commune_code === '22738' && s.province_code === '56'));
  });

  test('unknown codes are 404, malformed ones 400', async () => {
    assertProblem(await srv.get(`${API}/99999`), 404, 'not-found');
    assertProblem(await srv.get(`${API}/22738?province=01`), 404, 'not-found');
    assertProblem(await srv.get(`${API}/56?date=1990-01-01&province=57`), 404, 'not-found');
    // Khánh Hòa had no commune 22738 before the reform (it was Ninh Thuận's).
    const early = assertProblem(
      await srv.get(`${API}/22738?province=56&date=2025-06-30`),
      404,
      'not-found',
    );
    assert.match(early.detail, /22738.*56.*2025-06-30/);
    for (const code of ['1234', '5a', '123456', 'x']) {
      const b = assertProblem(await srv.get(`${API}/${code}`), 400, 'validation-failed');
      assert.deepEqual(b.errors.map((e) => e.field), ['code'], code);
    }
    const b = assertProblem(
      await srv.get(`${API}/22738?province=5&date=2025-06-31`),
      400,
      'validation-failed',
    );
    assert.deepEqual(b.errors.map((e) => e.field).sort(), ['date', 'province']);
  });
});

describe('a commune code that two provinces share', () => {
  let other;
  before(async () => {
    // A small data set in the published shapes where commune 00001 exists in provinces 01 and
    // 02 after the reform: codes do not encode the province.
    const dir = tempDir('units');
    fs.writeFileSync(
      path.join(dir, 'communes-2025-01-04.csv'),
      'Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n' +
        'Tỉnh A,01,Huyện H,001,Xã Cũ,00001,Xã,\n' +
        'Tỉnh B,02,Huyện K,002,Xã Khác,00002,Xã,\n',
    );
    fs.writeFileSync(
      path.join(dir, 'conversion-2025-07-01.csv'),
      'Đơn vị hành chính từ ngày 01/7/2025,,,,,,,,\n' +
        '"Tỉnh, thành phố",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n' +
        'TỈNH A,,,,,,,,\n' +
        'Tỉnh A (01),Xã Một,00001,Xã Cũ,00001,Nhập toàn bộ,Huyện H (001),Tỉnh A (01),\n' +
        'TỈNH B,,,,,,,,\n' +
        'Tỉnh B (02),Xã Hai,00001,Xã Khác,00002,Nhập toàn bộ,Huyện K (002),Tỉnh B (02),\n',
    );
    const odb = freshDb();
    const r = runCli(['units', 'import', '--dir', dir, '--db', odb]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^from 2025-07-01: 2 provinces, 2 communes$/m);
    other = await startServer({ db: odb });
  });
  after(async () => {
    await other?.stop();
  });

  test('without ?province= the answer is 400 naming both provinces', async () => {
    const r = await other.get(`${API}/00001`);
    const b = assertProblem(r, 400, 'validation-failed');
    assert.equal(b.errors.length, 1);
    assert.equal(b.errors[0].field, 'province');
    assert.equal(b.errors[0].code, 'province-required');
    assert.match(b.errors[0].message, /01, 02/);
  });

  test('with ?province= or a date when only one had it, the unit', async () => {
    const two = (await other.get(`${API}/00001?province=02`)).json();
    assert.equal(two.name, 'Xã Hai');
    assert.deepEqual(
      two.predecessors.map((p) => [p.province_code, p.commune_code, p.commune_name]),
      [['02', '00002', 'Xã Khác']],
    );
    const old = (await other.get(`${API}/00001?date=2025-01-01`)).json();
    assert.equal(old.name, 'Xã Cũ');
    assert.deepEqual(
      old.successors.map((s) => [s.province_code, s.commune_code]),
      [['01', '00001']],
    );
  });
});
