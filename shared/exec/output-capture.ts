/**
 * Bounded capture of a process's combined output. The first quarter of the
 * budget keeps the head (what the program was doing), the rest keeps the tail
 * (where errors are); whatever fell between them is replaced by one marker
 * line that says how many bytes were dropped.
 */

/** Default output budget of a run. @default 1 MiB */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** The marker put where output was dropped. */
export function droppedMarker(bytes: number): string {
  return `\n[... nightshift dropped ${bytes} bytes of output here ...]\n`;
}

export class OutputCapture {
  private readonly headMax: number;
  private readonly tailMax: number;
  private readonly head: Buffer[] = [];
  private headLen = 0;
  private readonly tail: Buffer[] = [];
  private tailLen = 0;
  private total = 0;

  /** @param maxBytes output kept, not counting the marker. @default 1 MiB */
  constructor(maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES) {
    const max = Math.max(16, Math.floor(maxBytes));
    this.headMax = Math.floor(max / 4);
    this.tailMax = max - this.headMax;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headLen < this.headMax) {
      const take = Math.min(this.headMax - this.headLen, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headLen += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailLen += rest.length;
    // Drop whole chunks from the front while the rest still covers the budget,
    // so memory stays near tailMax plus one chunk however much is written.
    while (this.tail.length > 1 && this.tailLen - this.tail[0]!.length >= this.tailMax) {
      this.tailLen -= this.tail.shift()!.length;
    }
  }

  /** Bytes the process wrote, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  /** True when some output was dropped. */
  get truncated(): boolean {
    return this.total > this.headMax + this.tailMax;
  }

  /** The kept output as UTF-8 text, with the marker where bytes were dropped. */
  text(): string {
    const head = Buffer.concat(this.head, this.headLen);
    let tail = Buffer.concat(this.tail, this.tailLen);
    if (tail.length > this.tailMax) tail = tail.subarray(tail.length - this.tailMax);
    const dropped = this.total - head.length - tail.length;
    if (dropped === 0) return Buffer.concat([head, tail]).toString('utf8');
    return trimUtf8End(head).toString('utf8') + droppedMarker(dropped) + trimUtf8Start(tail).toString('utf8');
  }
}

// A cut can fall inside a multi-byte character; trimming the partial
// sequence avoids a replacement character at the seam.
function trimUtf8Start(buf: Buffer): Buffer {
  let i = 0;
  while (i < buf.length && i < 4 && (buf[i]! & 0xc0) === 0x80) i++;
  return buf.subarray(i);
}

function trimUtf8End(buf: Buffer): Buffer {
  // Walk back over continuation bytes to the lead byte of the last character.
  let i = buf.length - 1;
  while (i >= 0 && buf.length - i <= 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return buf;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i < need ? buf.subarray(0, i) : buf;
}
