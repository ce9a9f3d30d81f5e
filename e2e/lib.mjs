// Helpers for the browser scenario: TOTP codes, a PNG made in memory, axe-core
// checks, screenshots, and the failure report. No test logic here.

import AxeBuilder from '@axe-core/playwright';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const OUT = path.resolve(process.env.E2E_OUT ?? '../target/e2e');
fs.mkdirSync(OUT, { recursive: true });
// What an earlier failing run left must not be taken for this run's.
for (const f of fs.readdirSync(OUT)) if (f.startsWith('failure-')) fs.rmSync(path.join(OUT, f));

// ---------------------------------------------------------------- TOTP (RFC 6238)

/** Bytes of an RFC 4648 base32 string (spaces, hyphens and padding ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in the two-factor secret`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit HMAC-SHA1 code for a 30-second step `counter`. */
export function totpAt(secret, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', secret).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export const totpCounter = (ms = Date.now()) => Math.floor(ms / 1000 / 30);

// RFC 6238 appendix B, SHA-1: the code generator is checked before it is trusted.
assert.equal(totpAt(Buffer.from('12345678901234567890'), Math.floor(59 / 30), 8), '94287082');
assert.equal(totpAt(Buffer.from('12345678901234567890'), Math.floor(1111111109 / 30), 8), '07081804');
assert.equal(base32Decode('GEZDGNBVGY3TQOJQ').toString(), '1234567890');

// ---------------------------------------------------------------- a real PNG

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid `size`×`size` RGB PNG: a diagonal gradient, so it is not blank. */
export function makePng(size = 48) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      row[1 + x * 3] = (x * 255) / size;
      row[2 + x * 3] = (y * 255) / size;
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- accessibility

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Every page's axe violations, reported together at the end of the run. */
export const a11yFailures = [];
const checkedPages = [];

/** Run axe-core on the page as it is now; record violations under `label`. */
export async function checkA11y(page, label) {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  checkedPages.push(label);
  if (result.violations.length > 0) {
    a11yFailures.push({ label, url: pathOf(page.url()), violations: result.violations });
    console.log(`  axe: ${result.violations.length} violation(s) on ${label}`);
  }
}

/** A legible report of every violation found, or '' when there were none. */
export function a11yReport() {
  const lines = [];
  for (const f of a11yFailures) {
    lines.push(`\n● ${f.label} (${f.url})`);
    for (const v of f.violations) {
      lines.push(`  [${v.impact}] ${v.id}: ${v.help}`);
      lines.push(`    ${v.helpUrl}`);
      for (const n of v.nodes.slice(0, 8)) {
        lines.push(`    - ${n.target.join(' ')}`);
        lines.push(`      ${n.html.replace(/\s+/g, ' ').slice(0, 200)}`);
        const why = (n.failureSummary ?? '').split('\n').slice(1, 3).join(' ').trim();
        if (why) lines.push(`      ${why}`);
      }
      if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
    }
  }
  return lines.join('\n');
}

export const a11yCheckedCount = () => checkedPages.length;

// ---------------------------------------------------------------- pages

export const pathOf = (url) => {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
};

/** A full-page screenshot saved as `OUT/<name>.png`. */
export async function shot(page, name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Save what the page shows and holds, for a failing step. */
export async function saveFailure(page, name) {
  if (!page || page.isClosed()) return [];
  const base = path.join(OUT, `failure-${name.replace(/[^a-z0-9-]+/gi, '-')}`);
  try {
    await page.screenshot({ path: `${base}.png`, fullPage: true });
    fs.writeFileSync(`${base}.html`, await page.content());
    return [`${base}.png`, `${base}.html`];
  } catch {
    return [];
  }
}

/** The visible text of the page's main content (or body). */
export async function mainText(page) {
  const main = page.locator('main');
  return (await main.count()) > 0 ? main.first().innerText() : page.locator('body').innerText();
}

/**
 * Watch a page for what a user must never meet: script errors, console
 * errors (a blocked inline script or style reports there as a CSP violation)
 * and server errors. `problems` collects them.
 */
export function watch(page, label, problems) {
  page.on('pageerror', (e) => problems.push(`${label}: script error: ${e.message}`));
  page.on('console', (m) => {
    // A failed load is reported below with its address; the console line says less.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`${label}: console error on ${pathOf(page.url())}: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    const what = `${r.status()} from ${r.request().method()} ${pathOf(r.url())}`;
    if (r.status() >= 500) problems.push(`${label}: ${what}`);
    // Pages may answer 403/404 on purpose (the probes check those); a
    // stylesheet, script or image that fails to load is a fault.
    else if (r.status() >= 400 && r.request().resourceType() !== 'document' && !r.url().endsWith('/favicon.ico')) {
      problems.push(`${label}: ${what} (${r.request().resourceType()})`);
    }
  });
}
