// What the uploaded file really is, from its bytes: an MP4/MOV (ISO base media) file is a chain
// of top-level boxes, each declaring its size. Walking that chain (a few reads, never the whole
// file) tells a QuickTime/MP4 file from anything named .mp4, and a truncated upload (the last box
// runs past the end of the file) from a whole one, before ffprobe or a job sees it.
import fs from 'node:fs';

/** Box types that may open an MP4/MOV file (ftyp for MP4 and modern MOV; the rest old QuickTime). */
const FIRST_BOXES = new Set(['ftyp', 'wide', 'free', 'skip', 'mdat', 'moov', 'pnot']);
const BOX_TYPE = /^[A-Za-z0-9 ©_-]{4}$/;

export type ContainerCheck =
  | { ok: true }
  | { ok: false; problem: 'empty' | 'not_mp4' | 'truncated'; detected?: string };

/** Names common non-MP4 formats from their first bytes, for a clearer message. */
export function sniffOther(head: Buffer): string | undefined {
  if (head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return 'WebM/Matroska';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'AVI ') return 'AVI';
  if (head[0] === 0xff && head[1] === 0xd8) return 'JPEG';
  if (head.subarray(1, 4).toString('latin1') === 'PNG') return 'PNG';
  if (head.subarray(0, 3).toString('latin1') === 'GIF') return 'GIF';
  if (head[0] === 0x47 && head[188] === 0x47) return 'MPEG-TS';
  if (head.subarray(0, 4).toString('latin1') === 'OggS') return 'Ogg';
  return undefined;
}

export function checkContainer(file: string): ContainerCheck {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { ok: false, problem: 'empty' };
    const head = Buffer.alloc(Math.min(size, 256));
    fs.readSync(fd, head, 0, head.length, 0);
    const notMp4 = (): ContainerCheck => ({ ok: false, problem: 'not_mp4', detected: sniffOther(head) });
    let offset = 0;
    let boxes = 0;
    const header = Buffer.alloc(16);
    while (offset < size) {
      if (size - offset < 8) return boxes === 0 ? notMp4() : { ok: false, problem: 'truncated' };
      fs.readSync(fd, header, 0, 16, offset);
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (!BOX_TYPE.test(type) || (boxes === 0 && !FIRST_BOXES.has(type))) return boxes === 0 ? notMp4() : { ok: false, problem: 'truncated' };
      if (boxSize === 1) {
        if (size - offset < 16) return { ok: false, problem: 'truncated' };
        boxSize = Number(header.readBigUInt64BE(8));
      } else if (boxSize === 0) {
        boxSize = size - offset; // "to the end of the file"
      }
      if (boxSize < 8) return boxes === 0 ? notMp4() : { ok: false, problem: 'truncated' };
      if (offset + boxSize > size) return { ok: false, problem: 'truncated' };
      offset += boxSize;
      boxes += 1;
    }
    return { ok: true };
  } finally {
    fs.closeSync(fd);
  }
}
