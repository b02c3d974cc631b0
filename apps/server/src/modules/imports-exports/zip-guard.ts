import { createInflateRaw } from 'node:zlib';
import { AppError } from '../../platform/errors.ts';

/** Keeps the last `size` bytes of a stream that passes through: the ZIP central directory lives at the end. */
export function createTailKeeper(size: number) {
  let tail: Buffer = Buffer.alloc(0);
  let total = 0;
  return {
    async *pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        total += chunk.length;
        tail =
          chunk.length >= size ? chunk.subarray(chunk.length - size) : Buffer.concat([tail, chunk]).subarray(-size);
        yield chunk;
      }
    },
    get tail() {
      return tail;
    },
    get total() {
      return total;
    },
  };
}

const MiB = 1024 * 1024;

export type ZipLimits = {
  /** All entries together, as inflated (also the ceiling for the sizes the directory declares). */
  maxUncompressedBytes: number;
  /** One worksheet, as inflated. */
  maxWorksheetBytes: number;
  /** Any other entry, as inflated: shared strings are held in memory whole; styles, relationships, media are small. */
  maxOtherEntryBytes: number;
  /**
   * The longest run of XML text (or attributes) between two tags in an entry exceljs parses (worksheets, shared
   * strings, workbook, styles, relationships): one cell's text, one shared string.
   */
  maxXmlTextBytes: number;
  maxRatio: number;
  maxEntries: number;
};

/**
 * Sized for the largest customer or order list we import (1,000,000 data rows, MAX_IMPORT_ROWS): a worksheet spends
 * ~100–150 bytes of XML per row for two or three columns and ~400 for ten, so 1M rows of a wide sheet fit in 512 MB;
 * a file that inflates past that is not a customer list. Shared strings are cached in memory whole, so they get less.
 * A cell holds at most 32,767 characters in Excel: ≤ ~200 KB of escaped UTF-8, hence 256 KiB of text between tags.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxUncompressedBytes: 512 * MiB,
  maxWorksheetBytes: 512 * MiB,
  maxOtherEntryBytes: 128 * MiB,
  maxXmlTextBytes: 256 * 1024,
  maxRatio: 200,
  maxEntries: 10_000,
};

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const CRX_SIGNATURE = 0x34327243;
const DESCRIPTOR_PATTERN = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const EOCD_PATTERN = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

const bomb = (message: string) => new AppError('import.zip_bomb', message);
const broken = (detail: string) => new AppError('import.unreadable', `XLSX 文件已损坏（${detail}）`);
const megabytes = (bytes: number) => `${Math.floor(bytes / MiB)} MB`;

/**
 * Reads the ZIP central directory from the end of the file (`tail`, `fileSize` bytes in all) and refuses
 * an archive whose entries say they would inflate past the limits — before anything is decompressed. The sizes
 * are the archive's own claims: `createZipGuard` counts what inflating really gives.
 */
export function assertSafeZip(tail: Buffer, fileSize: number, limits: ZipLimits = DEFAULT_ZIP_LIMITS): void {
  let eocd = -1;
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 0xffff); i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new AppError('import.unreadable', 'XLSX 文件已损坏（找不到 ZIP 目录）');
  const entries = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff)
    throw bomb('不支持 ZIP64 格式的 XLSX 文件');
  if (entries > limits.maxEntries) throw bomb(`XLSX 文件包含过多条目（${entries}），已拒绝`);
  const tailStart = fileSize - tail.length;
  const start = directoryOffset - tailStart;
  if (start < 0 || start + directorySize > eocd) throw bomb('XLSX 文件的 ZIP 目录异常，已拒绝');
  let offset = start;
  let total = 0;
  for (let index = 0; index < entries; index++) {
    if (offset + 46 > eocd || tail.readUInt32LE(offset) !== CENTRAL_SIGNATURE)
      throw new AppError('import.unreadable', 'XLSX 文件已损坏（ZIP 目录不完整）');
    const compressed = tail.readUInt32LE(offset + 20);
    const uncompressed = tail.readUInt32LE(offset + 24);
    if (compressed === 0xffffffff || uncompressed === 0xffffffff) throw bomb('不支持 ZIP64 格式的 XLSX 文件');
    total += uncompressed;
    if (total > limits.maxUncompressedBytes)
      throw bomb(`XLSX 解压后超过 ${megabytes(limits.maxUncompressedBytes)}，疑似压缩炸弹，已拒绝`);
    if (uncompressed > 1024 * 1024 && uncompressed > Math.max(compressed, 1) * limits.maxRatio)
      throw bomb('XLSX 文件压缩比异常，疑似压缩炸弹，已拒绝');
    offset += 46 + tail.readUInt16LE(offset + 28) + tail.readUInt16LE(offset + 30) + tail.readUInt16LE(offset + 32);
  }
}

// ---------------------------------------------------------------------------------------------------------
// What inflating really gives

/** The worksheets exceljs reads (its own, unanchored pattern); it reads the first one in archive order. */
const WORKSHEET = /xl\/worksheets\/sheet\d+[.]xml/;
/** The other entries exceljs parses (and holds while parsing); the rest it inflates and drops. */
const PARSED_ENTRY = /^xl\/(sharedStrings|styles|workbook)\.xml$|\.rels$/;
const OPEN_ROW = Buffer.from('<row');
const PREFIXED_ROW = Buffer.from(':row');
const isTagEnd = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x3e || byte === 0x2f || byte === 0x09 || byte === 0x0a || byte === 0x0d;
const isNameByte = (byte: number) =>
  (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39);
/** Bytes of one piece kept for the next: enough to see a tag that straddles the two. */
const OVERLAP = 24;

/**
 * Counts `<row …>` opening tags (also namespace-prefixed ones, `<x:row>`) in XML that arrives in pieces. Empty rows
 * that carry formatting count too, so this is an upper bound of a sheet's rows.
 */
function createRowCounter() {
  let rows = 0;
  let tail: Buffer = Buffer.alloc(0);
  /** `at` is where `<row` or `:row` starts in `data`; the tag must end right after `row`. */
  const opensRow = (data: Buffer, at: number, prefixed: boolean) => {
    if (!isTagEnd(data[at + 4])) return false;
    if (!prefixed) return true;
    // `<prefix:row`, never `</prefix:row`.
    for (let i = at - 1; i >= Math.max(0, at - 16); i--) {
      if (data[i] === 0x3c) return i < at - 1;
      if (!isNameByte(data[i]!)) return false;
    }
    return false;
  };
  /** Tags starting at `from` ≤ at < `to` whose end byte is in `data`. */
  const count = (data: Buffer, from: number, to: number) => {
    for (const [pattern, prefixed] of [
      [OPEN_ROW, false],
      [PREFIXED_ROW, true],
    ] as const) {
      for (let at = data.indexOf(pattern, from); at !== -1 && at < to; at = data.indexOf(pattern, at + 1)) {
        if (at + 4 >= data.length) break;
        if (opensRow(data, at, prefixed)) rows++;
      }
    }
  };
  return {
    scan(piece: Buffer) {
      // A tag is decided once the byte after it has arrived: those starting in the last 4 bytes of what came before
      // are decided here, on the joint of the two pieces (which also gives the look-back of the first bytes).
      const joint = Buffer.concat([tail, piece.subarray(0, OVERLAP)]);
      count(joint, Math.max(0, tail.length - 4), tail.length + Math.max(0, Math.min(piece.length, OVERLAP) - 4));
      // The rest of the piece (no copy of it), but for its last 4 bytes.
      if (piece.length > OVERLAP) count(piece, OVERLAP - 4, piece.length - 4);
      tail =
        piece.length >= OVERLAP
          ? Buffer.from(piece.subarray(piece.length - OVERLAP))
          : Buffer.concat([tail, piece]).subarray(-OVERLAP);
    },
    get rows() {
      return rows;
    },
  };
}

type Sink = { write(piece: Buffer): Promise<void>; end(): Promise<void> };

/**
 * Inflates one entry (or passes a stored one through), handing every inflated piece to `onData` as it comes out;
 * `onData` throwing stops the inflater at once. Nothing is kept.
 */
function entrySink(deflated: boolean, onData: (piece: Buffer) => void): Sink {
  if (!deflated) return { write: async (piece) => onData(piece), end: async () => {} };
  // Bigger pieces than zlib's 16 KiB default: inflating runs several times faster, and a piece is counted before
  // the next one is made.
  const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
  let failure: unknown;
  const failed = new Promise<never>((_, reject) => {
    // Every error (also a write that arrives after a failure) rejects; the first one decides.
    inflater.on('error', () => reject(failure ?? broken('解压失败')));
  });
  failed.catch(() => {});
  inflater.on('data', (piece: Buffer) => {
    if (failure) return;
    try {
      onData(piece);
    } catch (error) {
      failure = error;
      inflater.destroy(error as Error);
    }
  });
  const ended = new Promise<void>((resolve) => inflater.once('end', resolve));
  return {
    write: (piece) => Promise.race([new Promise<void>((resolve) => inflater.write(piece, () => resolve())), failed]),
    end: () => {
      inflater.end();
      return Promise.race([ended, failed]);
    },
  };
}

export type ZipInspection = {
  /** Bytes inflated from all entries. */
  inflatedBytes: number;
  /** Row tags of the first worksheet (the one imported): an upper bound of its rows; null without a worksheet. */
  worksheetRows: number | null;
};

type State =
  | { kind: 'header'; size: number; next: (header: Buffer) => Promise<void> | void }
  | { kind: 'skip'; left: number }
  | { kind: 'data'; left: number; sink: Sink; next: () => void }
  | { kind: 'until'; pattern: Buffer; consume: boolean; sink?: Sink; next: () => void }
  | { kind: 'done' };

/**
 * Walks a ZIP archive as it streams by, the way exceljs's reader (unzipper's `Parse`) walks it — local headers in
 * order, sizes from the local header or, with a data descriptor, up to the descriptor's signature — inflating every
 * entry and counting what comes out. Refuses (`import.zip_bomb`) as soon as an entry, the whole archive or one run
 * of XML text passes the limits, whatever sizes the archive declares. `write` resolves once the piece is inflated
 * and counted, so a reader fed only with pieces the guard has passed never inflates more than the limits.
 */
export function createZipGuard(limits: ZipLimits = DEFAULT_ZIP_LIMITS) {
  let state: State;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let carry: Buffer = Buffer.alloc(0);
  let reachedDirectory = false;
  let entries = 0;
  let inflatedBytes = 0;
  let worksheetRows: number | null = null;
  /** What follows a `skip` (else the next record's signature). */
  let afterSkip: (() => void) | undefined;

  const readSignature = () => {
    state = { kind: 'header', size: 4, next: onSignature };
  };

  function onSignature(header: Buffer) {
    const signature = header.readUInt32LE(0);
    if (signature === LOCAL_SIGNATURE) {
      state = { kind: 'header', size: 26, next: onLocalHeader };
    } else if (signature === CENTRAL_SIGNATURE) {
      reachedDirectory = true;
      state = {
        kind: 'header',
        size: 42,
        next: (central) => {
          state = {
            kind: 'skip',
            left: central.readUInt16LE(24) + central.readUInt16LE(26) + central.readUInt16LE(28),
          };
        },
      };
    } else if (signature === EOCD_SIGNATURE) {
      state = { kind: 'header', size: 18, next: onEndOfDirectory };
    } else if (signature === CRX_SIGNATURE) {
      state = {
        kind: 'header',
        size: 12,
        next: (crx) => {
          state = { kind: 'skip', left: crx.readUInt32LE(4) + crx.readUInt32LE(8) };
        },
      };
    } else if (reachedDirectory) {
      state = {
        kind: 'until',
        pattern: EOCD_PATTERN,
        consume: true,
        next: () => {
          state = { kind: 'header', size: 18, next: onEndOfDirectory };
        },
      };
    } else {
      throw broken('无法识别的 ZIP 结构');
    }
  }

  function onEndOfDirectory(eocd: Buffer) {
    const comment = eocd.readUInt16LE(16);
    state = { kind: 'skip', left: comment };
    afterSkip = () => {
      state = { kind: 'done' };
    };
  }

  function onLocalHeader(header: Buffer) {
    entries++;
    if (entries > limits.maxEntries) throw bomb(`XLSX 文件包含过多条目（超过 ${limits.maxEntries} 个），已拒绝`);
    const flags = header.readUInt16LE(2);
    const method = header.readUInt16LE(4);
    const compressed = header.readUInt32LE(14);
    const uncompressed = header.readUInt32LE(18);
    const nameLength = header.readUInt16LE(22);
    const extraLength = header.readUInt16LE(24);
    if (compressed === 0xffffffff || uncompressed === 0xffffffff) throw bomb('不支持 ZIP64 格式的 XLSX 文件');
    state = {
      kind: 'header',
      size: nameLength + extraLength,
      next: (nameAndExtra) =>
        startEntry(nameAndExtra.subarray(0, nameLength).toString('utf8'), {
          deflated: method !== 0,
          compressed,
          sizeKnown: !(flags & 0x08) || compressed > 0,
        }),
    };
  }

  function startEntry(name: string, entry: { deflated: boolean; compressed: number; sizeKnown: boolean }) {
    const isWorksheet = WORKSHEET.test(name);
    const isFirstWorksheet = isWorksheet && worksheetRows === null;
    const rowCounter = isFirstWorksheet ? createRowCounter() : undefined;
    if (isFirstWorksheet) worksheetRows = 0;
    const maxEntryBytes = isWorksheet ? limits.maxWorksheetBytes : limits.maxOtherEntryBytes;
    const checksText = isWorksheet || PARSED_ENTRY.test(name);
    let entryBytes = 0;
    let sinceTag = 0;
    const onData = (piece: Buffer) => {
      entryBytes += piece.length;
      inflatedBytes += piece.length;
      if (entryBytes > maxEntryBytes)
        throw bomb(`XLSX 中的 ${name} 解压后超过 ${megabytes(maxEntryBytes)}（文件过大或为压缩炸弹），已拒绝`);
      if (inflatedBytes > limits.maxUncompressedBytes)
        throw bomb(`XLSX 解压后超过 ${megabytes(limits.maxUncompressedBytes)}（文件过大或为压缩炸弹），已拒绝`);
      if (checksText) {
        // Between two tags of a piece no longer than the limit there is less text than the limit: only the runs
        // that reach across pieces (and pieces longer than the limit) need looking at.
        const first = piece.indexOf(0x3c);
        if (first === -1) sinceTag += piece.length;
        else {
          let longest = sinceTag + first;
          if (piece.length > limits.maxXmlTextBytes) {
            for (
              let at = first, next = piece.indexOf(0x3c, at + 1);
              next !== -1;
              at = next, next = piece.indexOf(0x3c, at + 1)
            )
              longest = Math.max(longest, next - at - 1);
          }
          if (longest > limits.maxXmlTextBytes) sinceTag = longest;
          else sinceTag = piece.length - piece.lastIndexOf(0x3c) - 1;
        }
        if (sinceTag > limits.maxXmlTextBytes)
          throw bomb(`XLSX 中的 ${name} 含有超过 ${limits.maxXmlTextBytes / 1024} KB 的单个文本，疑似压缩炸弹，已拒绝`);
      }
      if (rowCounter) {
        rowCounter.scan(piece);
        worksheetRows = rowCounter.rows;
      }
    };
    const sink = entrySink(entry.deflated, onData);
    const next = () => {
      if (entry.sizeKnown) readSignature();
      else state = { kind: 'header', size: 16, next: readSignature };
    };
    state = entry.sizeKnown
      ? { kind: 'data', left: entry.compressed, sink, next }
      : { kind: 'until', pattern: DESCRIPTOR_PATTERN, consume: false, sink, next };
  }

  /** Feeds `data` through the states; awaits each entry's inflater. */
  async function feed(input: Buffer) {
    let data = input;
    for (;;) {
      switch (state.kind) {
        case 'done':
          return;
        case 'header': {
          if (state.size === 0) {
            await state.next(Buffer.alloc(0));
            continue;
          }
          if (data.length === 0) return;
          const take = Math.min(state.size - pendingBytes, data.length);
          pending.push(data.subarray(0, take));
          pendingBytes += take;
          data = data.subarray(take);
          if (pendingBytes < state.size) return;
          const header = Buffer.concat(pending);
          pending = [];
          pendingBytes = 0;
          await state.next(header);
          continue;
        }
        case 'skip': {
          const take = Math.min(state.left, data.length);
          state.left -= take;
          data = data.subarray(take);
          if (state.left > 0) return;
          if (afterSkip) {
            const next = afterSkip;
            afterSkip = undefined;
            next();
          } else readSignature();
          continue;
        }
        case 'data': {
          if (state.left === 0) {
            const { sink, next } = state;
            await sink.end();
            next();
            continue;
          }
          if (data.length === 0) return;
          const take = Math.min(state.left, data.length);
          state.left -= take;
          await state.sink.write(data.subarray(0, take));
          data = data.subarray(take);
          continue;
        }
        case 'until': {
          if (data.length === 0) return;
          const joined = carry.length > 0 ? Buffer.concat([carry, data]) : data;
          carry = Buffer.alloc(0);
          const at = joined.indexOf(state.pattern);
          if (at === -1) {
            // The pattern may begin in the last bytes: keep them for the next piece.
            const keep = Math.min(joined.length, state.pattern.length - 1);
            if (state.sink && joined.length > keep) await state.sink.write(joined.subarray(0, joined.length - keep));
            carry = joined.subarray(joined.length - keep);
            return;
          }
          const end = state.consume ? at + state.pattern.length : at;
          if (state.sink) {
            if (at > 0) await state.sink.write(joined.subarray(0, at));
            await state.sink.end();
          }
          data = joined.subarray(end);
          state.next();
          continue;
        }
      }
    }
  }

  readSignature();
  return {
    /** Inspects the next piece of the archive; rejects when the archive breaks a limit or is not a ZIP. */
    write: (piece: Buffer) => feed(piece),
    /** After the last piece: rejects an archive that ended before its end-of-directory record. */
    async end(): Promise<ZipInspection> {
      if (state.kind === 'data' && state.left === 0) await feed(Buffer.alloc(0));
      if (state.kind !== 'done') throw broken('文件不完整');
      return { inflatedBytes, worksheetRows };
    },
  };
}

/** Inspects a whole archive (see createZipGuard): what inflating it gives, or the refusal. */
export async function inspectZip(source: AsyncIterable<Buffer>, limits?: ZipLimits): Promise<ZipInspection> {
  const guard = createZipGuard(limits);
  for await (const chunk of source) await guard.write(chunk);
  return guard.end();
}

/**
 * The archive's bytes, each handed on only after the guard has inflated and counted it: what reads from this
 * never inflates more than the limits (it is refused first).
 */
export async function* guardZip(source: AsyncIterable<Buffer>, limits?: ZipLimits): AsyncGenerator<Buffer> {
  const guard = createZipGuard(limits);
  for await (const chunk of source) {
    await guard.write(chunk);
    yield chunk;
  }
  await guard.end();
}
