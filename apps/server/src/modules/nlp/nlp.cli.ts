/**
 * `huike nlp sentiment`: one text per line on stdin → one JSON per line on stdout,
 * `{"label":"positive"|"negative","score":0.5..1}`. Streams (constant memory for any input size); an empty
 * line still gets its line of output. Honours back-pressure on stdout.
 */
import { once } from 'node:events';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { scoreSentiment } from './model.ts';

export async function sentimentCli(input: Readable, output: Writable): Promise<void> {
  const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const { label, score } = scoreSentiment(line);
    const record = `{"label":"${label}","score":${Math.round(score * 10000) / 10000}}\n`;
    if (!output.write(record)) await once(output, 'drain');
  }
}
