#!/usr/bin/env node
// Draws Cairn's app icon (a cairn: three stacked stones on a rounded dark square) and writes it as a PNG with a
// hand-written encoder (signature, IHDR, one zlib IDAT, IEND, CRC-32 per chunk), so no image tool or package is
// needed. Shapes are anti-aliased by 4x4 supersampling. Run: node resources/generate-icon.mjs [size]
// (default 1024; electron-builder derives the .icns and .ico sizes from it).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const size = Number(process.argv[2] ?? 1024);
const samplesPerAxis = 4;

/** Shapes in unit coordinates (0..1), painted in order; colours are [r, g, b]. */
const background = { radius: 0.2, color: [31, 41, 51] };
const stones = [
  { cx: 0.5, cy: 0.74, rx: 0.3, ry: 0.11, color: [138, 129, 120] },
  { cx: 0.49, cy: 0.55, rx: 0.22, ry: 0.09, color: [170, 160, 148] },
  { cx: 0.51, cy: 0.39, rx: 0.15, ry: 0.075, color: [201, 191, 178] },
  { cx: 0.5, cy: 0.265, rx: 0.085, ry: 0.05, color: [232, 168, 56] },
];

function insideRoundedSquare(x, y) {
  const r = background.radius;
  const dx = Math.max(r - x, 0, x - (1 - r));
  const dy = Math.max(r - y, 0, y - (1 - r));
  return dx * dx + dy * dy <= r * r;
}

function colourAt(x, y) {
  if (!insideRoundedSquare(x, y)) return null;
  let colour = background.color;
  for (const stone of stones) {
    const nx = (x - stone.cx) / stone.rx;
    const ny = (y - stone.cy) / stone.ry;
    if (nx * nx + ny * ny <= 1) colour = stone.color;
  }
  return colour;
}

function render() {
  const stride = size * 4 + 1;
  const raw = Buffer.alloc(stride * size);
  for (let row = 0; row < size; row += 1) {
    raw[row * stride] = 0; // filter type 0 (None) for every scanline
    for (let column = 0; column < size; column += 1) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < samplesPerAxis; sy += 1) {
        for (let sx = 0; sx < samplesPerAxis; sx += 1) {
          const colour = colourAt((column + (sx + 0.5) / samplesPerAxis) / size, (row + (sy + 0.5) / samplesPerAxis) / size);
          if (!colour) continue;
          r += colour[0]; g += colour[1]; b += colour[2]; covered += 1;
        }
      }
      const offset = row * stride + 1 + column * 4;
      if (covered > 0) {
        raw[offset] = Math.round(r / covered);
        raw[offset + 1] = Math.round(g / covered);
        raw[offset + 2] = Math.round(b / covered);
      }
      raw[offset + 3] = Math.round((255 * covered) / (samplesPerAxis * samplesPerAxis));
    }
  }
  return raw;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(raw) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // colour type: RGBA
  header[10] = 0; // deflate
  header[11] = 0; // adaptive filtering
  header[12] = 0; // no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const output = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(output, encodePng(render()));
console.log(`wrote ${output} (${size}x${size})`);
