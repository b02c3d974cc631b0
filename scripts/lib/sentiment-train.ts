/**
 * Training pieces of the sentiment model, shared by scripts/train-sentiment.ts and bench/sentiment.bench.ts
 * (which trains the plain character n-gram baseline with them for its reference figures).
 * Model: logistic regressions over hashed features (apps/server/src/modules/nlp/features.ts): on binary
 * features ('plain') and on NB log-count-ratio scaled features ('nb', NB-LR after Wang & Manning 2012), each
 * L2-normalised per text, trained with AdaGrad in a fixed order (seeded shuffles), so training is reproducible
 * byte for byte. Linear models average (mean of logits) into one weight vector, quantised to int16 or (weightBits 8)
 * square-law companded int8.
 */
import {
  extractFeatures,
  FEATURE_VERSION,
  type FeatureOptions,
  normalizeForSentiment,
} from '../../apps/server/src/modules/nlp/features.ts';
import { FOOD_DELIVERY_SANITY } from '../../apps/server/src/modules/nlp/food-delivery-sanity.ts';
import { encodeModel, type ModelHeader, SentimentModel } from '../../apps/server/src/modules/nlp/model.ts';
import { classificationMetrics, type Review, seededRandom, shuffle } from './sentiment-data.ts';

export type Settings = FeatureOptions & {
  epochs: number;
  /** Average the weights of the second half of the epochs (Polyak averaging) instead of taking the last. */
  average?: boolean;
  rate: number;
  l2: number;
  nbAlpha: number;
  /** Bits per stored weight: 16 (int16, default) or 8 (square-law companded int8, half the file). */
  weightBits?: 8 | 16;
  /** Which models form the ensemble. */
  models: ('plain' | 'nb')[];
};

/** Chosen by 5-fold cross-validation over the training part (`--tune`, FOLDS=5); the held-out part never seen. */
export const DEFAULTS: Settings = {
  bits: 21,
  weightBits: 8,
  maxN: 3,
  words: true,
  wordNegation: 3,
  negation: true,
  contrast: true,
  epochs: 6,
  rate: 0.2,
  l2: 1e-6,
  nbAlpha: 1,
  models: ['plain', 'nb'],
};

type Encoded = { features: Int32Array; offsets: Int32Array; labels: Uint8Array };

function encode(reviews: Review[], options: FeatureOptions): Encoded {
  const scratch = new Int32Array(4096);
  const parts: Int32Array[] = [];
  const offsets = new Int32Array(reviews.length + 1);
  let total = 0;
  reviews.forEach((review, i) => {
    const count = extractFeatures(normalizeForSentiment(review.text), options, scratch);
    parts.push(scratch.slice(0, count));
    total += count;
    offsets[i + 1] = total;
  });
  const features = new Int32Array(total);
  let at = 0;
  for (const part of parts) {
    features.set(part, at);
    at += part.length;
  }
  return { features, offsets, labels: Uint8Array.from(reviews, (review) => review.label) };
}

/** NB log-count ratios per bucket: log((p/|p|₁)/(q/|q|₁)) with p, q = alpha + feature counts per class. */
function nbRatios(data: Encoded, size: number, alpha: number): Float64Array {
  const p = new Float64Array(size).fill(alpha);
  const q = new Float64Array(size).fill(alpha);
  for (let d = 0; d < data.labels.length; d++) {
    const target = data.labels[d] === 1 ? p : q;
    for (let k = data.offsets[d] as number; k < (data.offsets[d + 1] as number); k++) {
      const f = data.features[k] as number;
      target[f] = (target[f] as number) + 1;
    }
  }
  let pSum = 0;
  let qSum = 0;
  for (let i = 0; i < size; i++) {
    pSum += p[i] as number;
    qSum += q[i] as number;
  }
  const r = new Float64Array(size);
  for (let i = 0; i < size; i++) r[i] = Math.log((p[i] as number) / pSum / ((q[i] as number) / qSum));
  return r;
}

/** Logistic regression with AdaGrad and lazy L2 on touched weights; `scale` multiplies each feature value. */
function trainLogistic(data: Encoded, size: number, settings: Settings, scale: Float64Array | null, seed: number) {
  const w = new Float64Array(size);
  const g2 = new Float64Array(size);
  let bias = 0;
  let biasG2 = 0;
  const random = seededRandom(seed);
  const order = Array.from({ length: data.labels.length }, (_, i) => i);
  const sum = settings.average ? new Float64Array(size) : null;
  let biasSum = 0;
  let snapshots = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffle(order, random);
    for (const d of order) {
      const start = data.offsets[d] as number;
      const end = data.offsets[d + 1] as number;
      const norm = end > start ? 1 / Math.sqrt(end - start) : 0;
      let z = bias;
      for (let k = start; k < end; k++) {
        const f = data.features[k] as number;
        z += (w[f] as number) * norm * (scale ? (scale[f] as number) : 1);
      }
      const gradient = 1 / (1 + Math.exp(-z)) - (data.labels[d] as number);
      for (let k = start; k < end; k++) {
        const f = data.features[k] as number;
        const value = norm * (scale ? (scale[f] as number) : 1);
        const step = gradient * value + settings.l2 * (w[f] as number);
        g2[f] = (g2[f] as number) + step * step;
        w[f] = (w[f] as number) - (settings.rate * step) / Math.sqrt((g2[f] as number) + 1e-8);
      }
      biasG2 += gradient * gradient;
      bias -= (settings.rate * gradient) / Math.sqrt(biasG2 + 1e-8);
    }
    if (sum && epoch >= Math.floor(settings.epochs / 2)) {
      for (let i = 0; i < size; i++) sum[i] = (sum[i] as number) + (w[i] as number);
      biasSum += bias;
      snapshots++;
    }
  }
  if (sum) {
    for (let i = 0; i < size; i++) w[i] = (sum[i] as number) / snapshots;
    bias = biasSum / snapshots;
  }
  if (scale) for (let i = 0; i < size; i++) w[i] = (w[i] as number) * (scale[i] as number);
  return { w, bias };
}

/** Trains the ensemble and quantises it into a runnable model. */
export function train(reviews: Review[], settings: Settings, info: Record<string, unknown>): SentimentModel {
  const size = 2 ** settings.bits;
  const data = encode(reviews, settings);
  const combined = new Float64Array(size);
  let bias = 0;
  for (const [index, kind] of settings.models.entries()) {
    const scale = kind === 'nb' ? nbRatios(data, size, settings.nbAlpha) : null;
    const model = trainLogistic(data, size, settings, scale, 1000 + index);
    for (let i = 0; i < size; i++)
      combined[i] = (combined[i] as number) + (model.w[i] as number) / settings.models.length;
    bias += model.bias / settings.models.length;
  }
  let max = 0;
  for (let i = 0; i < size; i++) max = Math.max(max, Math.abs(combined[i] as number));
  const compact = settings.weightBits === 8;
  const quantum = compact ? max || 1 : max > 0 ? max / 32767 : 1;
  const weights = compact ? new Int8Array(size) : new Int16Array(size);
  for (let i = 0; i < size; i++) {
    const w = combined[i] as number;
    weights[i] = compact ? Math.sign(w) * Math.round(127 * Math.sqrt(Math.abs(w) / quantum)) : Math.round(w / quantum);
  }
  const header: ModelHeader = {
    featureVersion: FEATURE_VERSION,
    bits: settings.bits,
    maxN: settings.maxN,
    words: settings.words,
    negation: settings.negation,
    contrast: settings.contrast,
    ...(compact ? { weightBits: 8 as const } : {}),
    ...(settings.skip ? { skip: true } : {}),
    ...(settings.wordNegation ? { wordNegation: settings.wordNegation } : {}),
    bias: Number(bias.toPrecision(9)),
    scale: Number(quantum.toPrecision(9)),
    info,
  };
  return SentimentModel.decode(encodeModel(header, weights));
}

export function evaluate(model: SentimentModel, reviews: Review[]) {
  const predicted = reviews.map((review) => (model.probability(review.text) >= 0.5 ? 1 : 0) as 0 | 1);
  return classificationMetrics(
    reviews.map((review) => review.label),
    predicted,
  );
}

export function evaluateFood(model: SentimentModel) {
  const misses = FOOD_DELIVERY_SANITY.filter((item) => model.score(item.text).label !== item.label);
  return { accuracy: 1 - misses.length / FOOD_DELIVERY_SANITY.length, misses: misses.map((item) => item.text) };
}
