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

export type ZipLimits = { maxUncompressedBytes: number; maxRatio: number; maxEntries: number };

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxUncompressedBytes: 1024 * 1024 * 1024,
  maxRatio: 200,
  maxEntries: 10_000,
};

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

const bomb = (message: string) => new AppError('import.zip_bomb', message);

/**
 * Reads the ZIP central directory from the end of the file (`tail`, `fileSize` bytes in all) and refuses
 * an archive whose entries would inflate past the limits — before anything is decompressed.
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
      throw bomb(`XLSX 解压后超过 ${Math.floor(limits.maxUncompressedBytes / 1024 / 1024)} MB，疑似压缩炸弹，已拒绝`);
    if (uncompressed > 1024 * 1024 && uncompressed > Math.max(compressed, 1) * limits.maxRatio)
      throw bomb('XLSX 文件压缩比异常，疑似压缩炸弹，已拒绝');
    offset += 46 + tail.readUInt16LE(offset + 28) + tail.readUInt16LE(offset + 30) + tail.readUInt16LE(offset + 32);
  }
}
