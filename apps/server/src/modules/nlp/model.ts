/**
 * The sentiment model: one linear model over hashed features (features.ts), logistic output.
 * File format (apps/server/assets/models/sentiment-zh.bin, written by scripts/train-sentiment.ts):
 *   8 bytes magic "HKSENT01" · uint32 LE header length · header JSON (UTF-8) · zero padding to an even offset ·
 *   2^bits weights: int16 LE (header.weightBits 16, the default), or int8 codes (weightBits 8) companded by a
 *   square law, weight(q) = sign(q) · scale · (q / 127)², so small weights keep their precision in one byte.
 * logit = (bias + Σ weight(bucket) / √n) · n / (n + 15), n = number of buckets, P(positive) = σ(logit)
 * (int16: weight = scale · stored value).
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { extractFeatures, FEATURE_VERSION, type FeatureOptions, normalizeForSentiment } from './features.ts';

export type SentimentLabel = 'positive' | 'negative';
export type Sentiment = { label: SentimentLabel; score: number };

export type ModelHeader = FeatureOptions & {
  featureVersion: number;
  bias: number;
  scale: number;
  /** Bits per stored weight: 16 (int16 · scale, the default) or 8 (square-law companded int8). */
  weightBits?: 8 | 16;
  /** Free-form facts about training (data, split, held-out metrics) for people reading the file. */
  info: Record<string, unknown>;
};

const MAGIC = 'HKSENT01';
/**
 * Confidence shrinkage: the logit is multiplied by n / (n + this), n = the number of features of the text, so a
 * five-character message (about 15 features) keeps half of its logit and a long review nearly all. The model was
 * trained on product reviews; chat messages are shorter, and a plain question (请问有人吗) must not read as a
 * strongly negative one.
 */
export const CONFIDENCE_HALF_FEATURES = 15;

export const MODEL_PATH = fileURLToPath(new URL('../../../assets/models/sentiment-zh.bin', import.meta.url));

export function encodeModel(header: ModelHeader, weights: Int16Array | Int8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = 8 + 4 + json.length;
  const padding = prefix % 2;
  const width = weights instanceof Int8Array ? 1 : 2;
  const out = Buffer.alloc(prefix + padding + weights.length * width);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  const body = prefix + padding;
  if (width === 1) for (let i = 0; i < weights.length; i++) out.writeInt8(weights[i] ?? 0, body + i);
  else for (let i = 0; i < weights.length; i++) out.writeInt16LE(weights[i] ?? 0, body + i * 2);
  return out;
}

/** The weight of each int8 code (index = code + 128) of a weightBits 8 model. */
function companding(scale: number): Float64Array {
  const table = new Float64Array(256);
  for (let q = -128; q <= 127; q++) table[q + 128] = Math.sign(q) * scale * (q / 127) ** 2;
  return table;
}

export class SentimentModel {
  readonly header: ModelHeader;
  readonly weights: Int16Array | Int8Array;
  private readonly buffer: Int32Array;
  /** weightBits 8: the weight of each code; weightBits 16: null (weight = scale · value). */
  private readonly table: Float64Array | null;

  constructor(header: ModelHeader, weights: Int16Array | Int8Array) {
    if (header.featureVersion !== FEATURE_VERSION) {
      throw new Error(`情感模型的特征版本 ${header.featureVersion} 与代码 ${FEATURE_VERSION} 不一致，请重新训练`);
    }
    if (weights.length !== 2 ** header.bits) throw new Error('情感模型文件已损坏（权重数量不对）');
    this.header = header;
    this.weights = weights;
    if ((header.weightBits === 8) !== weights instanceof Int8Array)
      throw new Error('情感模型文件已损坏（权重位数不对）');
    this.buffer = new Int32Array(4096);
    this.table = header.weightBits === 8 ? companding(header.scale) : null;
  }

  static decode(data: Buffer): SentimentModel {
    if (data.length < 12 || data.toString('latin1', 0, 8) !== MAGIC) throw new Error('不是情感模型文件');
    const length = data.readUInt32LE(8);
    const header = JSON.parse(data.toString('utf8', 12, 12 + length)) as ModelHeader;
    const prefix = 12 + length;
    const body = prefix + (prefix % 2);
    if (header.weightBits === 8) {
      return new SentimentModel(
        header,
        new Int8Array(data.buffer.slice(data.byteOffset + body, data.byteOffset + data.length)),
      );
    }
    const count = (data.length - body) / 2;
    const weights = new Int16Array(count);
    if (os.endianness() === 'LE')
      weights.set(new Int16Array(data.buffer.slice(data.byteOffset + body, data.byteOffset + body + count * 2)));
    else for (let i = 0; i < count; i++) weights[i] = data.readInt16LE(body + i * 2);
    return new SentimentModel(header, weights);
  }

  /** P(positive) of a text. */
  probability(text: string): number {
    const normalized = normalizeForSentiment(text);
    const count = extractFeatures(normalized, this.header, this.buffer);
    let sum = 0;
    const table = this.table;
    if (table)
      for (let i = 0; i < count; i++) sum += table[(this.weights[this.buffer[i] as number] as number) + 128] as number;
    else {
      for (let i = 0; i < count; i++) sum += this.weights[this.buffer[i] as number] as number;
      sum *= this.header.scale;
    }
    const raw = this.header.bias + (count > 0 ? sum / Math.sqrt(count) : 0);
    // Short texts say little: their logit shrinks towards 0 (the label never changes, only its confidence).
    const logit = (raw * count) / (count + CONFIDENCE_HALF_FEATURES);
    return 1 / (1 + Math.exp(-logit));
  }

  score(text: string): Sentiment {
    const p = this.probability(text);
    return p >= 0.5 ? { label: 'positive', score: p } : { label: 'negative', score: 1 - p };
  }
}

let loaded: SentimentModel | undefined;

/** The committed model, read once on first use. */
export function sentimentModel(): SentimentModel {
  loaded ??= SentimentModel.decode(fs.readFileSync(MODEL_PATH));
  return loaded;
}

/** Label and probability of that label (0.5–1) for one text, with the committed model. */
export function scoreSentiment(text: string): Sentiment {
  return sentimentModel().score(text);
}
