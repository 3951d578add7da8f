// `node dist/bench/hash.js`: the inlined two-lane JS hash against xxhash-wasm's h64 on
// packed states of 1 to 512 words, to decide where each wins (design.md: "measure"). The engine
// switches at XXHASH_FROM words (fingerprint.ts), later than here: see the comment there.
import xxhash from 'xxhash-wasm';
import { hashLanes } from '../src/explorer/fingerprint.js';

const { h64Raw } = await xxhash();
const N = 2_000_000;
console.log('words  js ns/hash  xxhash-wasm ns/hash');
for (const words of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) {
  const buf = new Int32Array(words * 1024);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) | 0;
  const bytes = new Uint8Array(buf.buffer);
  let sink = 0;
  let t = performance.now();
  for (let i = 0; i < N; i++) { hashLanes(buf, (i & 1023) * words, words); }
  const js = ((performance.now() - t) * 1e6) / N;
  t = performance.now();
  for (let i = 0; i < N; i++) { const o = (i & 1023) * words * 4; sink ^= Number(h64Raw(bytes.subarray(o, o + words * 4)) & 0xffn); }
  const xx = ((performance.now() - t) * 1e6) / N;
  console.log(`${String(words).padStart(5)}  ${js.toFixed(1).padStart(10)}  ${xx.toFixed(1).padStart(19)}${sink === 0.5 ? '' : ''}`);
}
