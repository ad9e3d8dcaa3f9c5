import { crc32, deflateSync } from 'node:zlib';
import express from 'express';

/**
 * MinerGraph's icon: white peaks on Bitcoin orange. Drawn once from these shapes, as SVG for
 * browsers that take it and as a 32×32 PNG inside an ICO for those that ask for /favicon.ico,
 * so the two cannot drift apart and nothing is fetched from elsewhere.
 */
const SIZE = 32;
const CORNER_RADIUS = 7;
const BACKGROUND = [0xf7, 0x93, 0x1a] as const;
const PEAKS: readonly (readonly [number, number])[] = [
  [5, 25],
  [12, 10],
  [16, 17],
  [21, 7],
  [27, 25],
];

export const FAVICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}">` +
  `<rect width="${SIZE}" height="${SIZE}" rx="${CORNER_RADIUS}" fill="#${BACKGROUND.map((c) => c.toString(16).padStart(2, '0')).join('')}"/>` +
  `<polygon points="${PEAKS.map(([x, y]) => `${x},${y}`).join(' ')}" fill="#fff"/>` +
  `</svg>\n`;

function insideRoundedSquare(x: number, y: number): boolean {
  const dx = Math.max(CORNER_RADIUS - x, 0, x - (SIZE - CORNER_RADIUS));
  const dy = Math.max(CORNER_RADIUS - y, 0, y - (SIZE - CORNER_RADIUS));
  return dx * dx + dy * dy <= CORNER_RADIUS * CORNER_RADIUS;
}

function insidePeaks(x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = PEAKS.length - 1; i < PEAKS.length; j = i++) {
    const [xi, yi] = PEAKS[i]!;
    const [xj, yj] = PEAKS[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** RGBA rows, each pixel the average of 4×4 samples, so edges are smoothed as in the SVG. */
function pixels(): Buffer {
  const samples = 4;
  const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
  for (let py = 0; py < SIZE; py++) {
    const rowStart = py * (1 + SIZE * 4);
    rows[rowStart] = 0; // PNG filter: none
    for (let px = 0; px < SIZE; px++) {
      let covered = 0;
      let white = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = px + (sx + 0.5) / samples;
          const y = py + (sy + 0.5) / samples;
          if (!insideRoundedSquare(x, y)) continue;
          covered += 1;
          if (insidePeaks(x, y)) white += 1;
        }
      }
      const offset = rowStart + 1 + px * 4;
      const share = covered === 0 ? 0 : white / covered;
      BACKGROUND.forEach((channel, index) => {
        rows[offset + index] = Math.round(channel + (255 - channel) * share);
      });
      rows[offset + 3] = Math.round((255 * covered) / (samples * samples));
    }
  }
  return rows;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.writeUInt8(8, 8); // bits per channel
  header.writeUInt8(6, 9); // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels())),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ICO holding one PNG image, which every browser that still asks for /favicon.ico reads. */
function ico(): Buffer {
  const image = png();
  const directory = Buffer.alloc(22);
  directory.writeUInt16LE(0, 0);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(1, 4); // one image
  directory.writeUInt8(SIZE, 6);
  directory.writeUInt8(SIZE, 7);
  directory.writeUInt16LE(1, 10); // colour planes
  directory.writeUInt16LE(32, 12); // bits per pixel
  directory.writeUInt32LE(image.length, 14);
  directory.writeUInt32LE(22, 18); // where the image starts
  return Buffer.concat([directory, image]);
}

export const FAVICON_PATH = '/favicon.svg';

/** /favicon.svg and /favicon.ico, whether or not the playground is on. */
export function faviconRouter(): express.Router {
  const icon = ico();
  const router = express.Router();
  const cache = 'public, max-age=86400';
  router.get(FAVICON_PATH, (_req, res) => {
    res.set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': cache }).send(FAVICON_SVG);
  });
  router.get('/favicon.ico', (_req, res) => {
    res.set({ 'Content-Type': 'image/x-icon', 'Cache-Control': cache }).send(icon);
  });
  return router;
}
