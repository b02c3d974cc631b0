import type { KeywordMatchMode } from '@huike/contracts';
import { RE2JS } from 're2js';
import { normalizeText, toSimplified } from '../../platform/text/index.ts';

/** Regex rules see at most this much of a message: with RE2's linear time this bounds every test. */
export const REGEX_INPUT_MAX = 2000;

/** The comparable form of a message or keyword: simplified, half width, lower case, without white space. */
export const normalizeForMatch = (text: string): string => normalizeText(text).replace(/\s+/gu, '');

/** Regexes see the message normalised but with its spaces (collapsed), so `\d{11}` or word gaps still work. */
export const normalizeForRegex = (text: string): string => normalizeText(text).slice(0, REGEX_INPUT_MAX);

/** Compiles a regex rule's pattern with RE2 (linear time, no back-references or look-around), case-insensitive. */
export const compileRegex = (pattern: string): RE2JS => RE2JS.compile(toSimplified(pattern), RE2JS.CASE_INSENSITIVE);

export type MatchableRule = {
  mode: KeywordMatchMode;
  /** Normalised with normalizeForMatch (regex rules: their patterns). */
  keywords: readonly string[];
};

export type KeywordMatcher = {
  /**
   * Indices (into the compiled rules, in no particular order) of the rules whose keywords the message matches. `normalized` is
   * normalizeForMatch(message); `regexText` is normalizeForRegex(message), needed only when regex rules exist.
   */
  match(normalized: string, regexText?: string): number[];
  readonly hasRegexRules: boolean;
  readonly ruleCount: number;
};

const NONE = -1;

/**
 * One matcher for all of a workspace's rules: an Aho–Corasick automaton over every contains/all_of keyword (one pass
 * over the message whatever the number of rules), a hash lookup for exact rules, and RE2 for the few regex rules.
 * Works on UTF-16 code units; the root's transitions are a dense table because most steps of a scan return there.
 */
export function compileMatcher(rules: readonly MatchableRule[]): KeywordMatcher {
  const keywordIds = new Map<string, number>();
  const keywordRules: number[][] = [];
  const required = new Int32Array(rules.length);
  const isAllOf = new Uint8Array(rules.length);
  const exact = new Map<string, number[]>();
  const regexes: { rule: number; patterns: RE2JS[] }[] = [];

  rules.forEach((rule, index) => {
    const keywords = [...new Set(rule.keywords.filter((keyword) => keyword.length > 0))];
    if (rule.mode === 'regex') {
      const patterns: RE2JS[] = [];
      for (const pattern of keywords) {
        try {
          patterns.push(compileRegex(pattern));
        } catch {
          // refused at save time; a pattern stored before a syntax change simply never matches
        }
      }
      if (patterns.length > 0) regexes.push({ rule: index, patterns });
      return;
    }
    if (rule.mode === 'exact') {
      for (const keyword of keywords) {
        const list = exact.get(keyword);
        if (list) list.push(index);
        else exact.set(keyword, [index]);
      }
      return;
    }
    isAllOf[index] = rule.mode === 'all_of' ? 1 : 0;
    required[index] = keywords.length;
    for (const keyword of keywords) {
      let id = keywordIds.get(keyword);
      if (id === undefined) {
        id = keywordRules.length;
        keywordIds.set(keyword, id);
        keywordRules.push([]);
      }
      keywordRules[id]!.push(index);
    }
  });

  // Trie. Node 0 is the root; its children live in `rootNext` (0 = none), others' in per-node maps.
  const rootNext = new Int32Array(65_536);
  const leaf: ReadonlyMap<number, number> = new Map();
  const children: Map<number, number>[] = [leaf as Map<number, number>];
  const outputs: number[] = [NONE];
  for (const [keyword, id] of keywordIds) {
    let state = 0;
    for (let i = 0; i < keyword.length; i++) {
      const code = keyword.charCodeAt(i);
      let next = state === 0 ? rootNext[code]! || undefined : children[state]!.get(code);
      if (next === undefined) {
        next = outputs.length;
        outputs.push(NONE);
        children.push(leaf as Map<number, number>);
        if (state === 0) rootNext[code] = next;
        else {
          let map = children[state]!;
          if (map === leaf) {
            map = new Map();
            children[state] = map;
          }
          map.set(code, next);
        }
      }
      state = next;
    }
    outputs[state] = id;
  }
  const nodeCount = outputs.length;
  const output = Int32Array.from(outputs);
  const fail = new Int32Array(nodeCount);
  // Nearest proper suffix state that ends a keyword (NONE: none): walking these lists every match at a position.
  const dictLink = new Int32Array(nodeCount).fill(NONE);

  const buildStep = (from: number, code: number): number => {
    let state = from;
    for (;;) {
      if (state === 0) return rootNext[code]!;
      const next = children[state]!.get(code);
      if (next !== undefined) return next;
      state = fail[state]!;
    }
  };

  // Breadth-first: a node's fail link is its parent's fail state stepped by the node's character.
  const queue: number[] = [];
  for (let code = 0; code < 65_536; code++) {
    const child = rootNext[code]!;
    if (child !== 0) queue.push(child);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    const target = fail[state]!;
    dictLink[state] = output[target]! !== NONE ? target : dictLink[target]!;
    for (const [code, child] of children[state]!) {
      fail[child] = buildStep(target, code);
      queue.push(child);
    }
  }

  // Scan-time layout, built for the cache. States are renumbered breadth-first, so the shallow states a scan
  // visits most sit together at the front. Each state has a 4-int record with what every step reads — fail link,
  // first state whose keyword ends here or on a suffix, and its only child (most states of Chinese keywords have
  // one) as code and target — so a step usually touches one record. Keyword ids and the next suffix with a
  // keyword are read only on hits. States with several children keep them in an open-addressing table keyed by
  // (state, code), slots [state, code, next] side by side.
  const F_FAIL = 0;
  const F_REPORT = 1;
  const F_CODE = 2;
  const F_NEXT = 3;
  const NO_CHILD = -1;
  const MANY = -2;
  const order = [0, ...queue];
  const renumbered = new Int32Array(nodeCount);
  order.forEach((old, index) => {
    renumbered[old] = index;
  });
  const renumber = (old: number) => (old === NONE ? NONE : renumbered[old]!);
  for (let code = 0; code < 65_536; code++) if (rootNext[code] !== 0) rootNext[code] = renumbered[rootNext[code]!]!;
  const node = new Int32Array(nodeCount * 4);
  const keywordAt = new Int32Array(nodeCount);
  const nextReport = new Int32Array(nodeCount);
  let multiEdges = 0;
  order.forEach((old, state) => {
    const map = children[old]!;
    const at = state * 4;
    node[at + F_FAIL] = renumber(fail[old]!);
    node[at + F_REPORT] = renumber(output[old]! !== NONE ? old : dictLink[old]!);
    keywordAt[state] = output[old]!;
    nextReport[state] = renumber(dictLink[old]!);
    if (map.size === 0) node[at + F_CODE] = NO_CHILD;
    else if (map.size === 1) {
      const [code, next] = map.entries().next().value as [number, number];
      node[at + F_CODE] = code;
      node[at + F_NEXT] = renumbered[next]!;
    } else {
      node[at + F_CODE] = MANY;
      multiEdges += map.size;
    }
  });
  let capacity = 16;
  while (capacity < multiEdges * 2) capacity *= 2;
  const mask = capacity - 1;
  const table = new Int32Array(capacity * 3).fill(NONE);
  const slotOf = (state: number, code: number) => (Math.imul(state, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b)) & mask;
  order.forEach((old, state) => {
    const map = children[old]!;
    if (map.size < 2) return;
    for (const [code, next] of map) {
      let slot = slotOf(state, code);
      while (table[slot * 3] !== NONE) slot = (slot + 1) & mask;
      table[slot * 3] = state;
      table[slot * 3 + 1] = code;
      table[slot * 3 + 2] = renumbered[next]!;
    }
  });
  children.length = 0;
  // Characters in no keyword send every state back to the root: one small table read instead of a fail chase.
  const inAlphabet = new Uint8Array(65_536);
  for (const keyword of keywordIds.keys())
    for (let i = 0; i < keyword.length; i++) inAlphabet[keyword.charCodeAt(i)] = 1;

  /** The automaton's next state from `from` on `code`. */
  const step = (from: number, code: number): number => {
    let state = from;
    for (;;) {
      if (state === 0) return rootNext[code]!;
      const at = state * 4;
      const only = node[at + F_CODE]!;
      if (only === code) return node[at + F_NEXT]!;
      if (only === MANY) {
        let slot = slotOf(state, code);
        for (;;) {
          const owner = table[slot * 3]!;
          if (owner === NONE) break;
          if (owner === state && table[slot * 3 + 1] === code) return table[slot * 3 + 2]!;
          slot = (slot + 1) & mask;
        }
      }
      state = node[at + F_FAIL]!;
    }
  };

  // Flattened keyword → rules lists.
  const ruleStart = new Int32Array(keywordRules.length + 1);
  for (let id = 0; id < keywordRules.length; id++) ruleStart[id + 1] = ruleStart[id]! + keywordRules[id]!.length;
  const ruleList = new Int32Array(ruleStart[keywordRules.length]!);
  keywordRules.forEach((list, id) => {
    ruleList.set(list, ruleStart[id]!);
  });

  // Generation stamps instead of clearing per message.
  const keywordSeen = new Uint32Array(keywordRules.length);
  const ruleSeen = new Uint32Array(rules.length);
  const ruleCount = new Int32Array(rules.length);
  // Each contains/all_of rule fires at most once per message.
  const firedBuffer = new Int32Array(rules.length);
  let generation = 0;

  return {
    hasRegexRules: regexes.length > 0,
    ruleCount: rules.length,
    match(normalized, regexText) {
      generation = (generation + 1) >>> 0;
      if (generation === 0) {
        keywordSeen.fill(0);
        ruleSeen.fill(0);
        generation = 1;
      }
      const stamp = generation;
      let count = 0;
      let state = 0;
      for (let i = 0; i < normalized.length; i++) {
        const code = normalized.charCodeAt(i);
        if (inAlphabet[code] === 0) {
          state = 0;
          continue;
        }
        state = step(state, code);
        let hit = node[state * 4 + F_REPORT]!;
        while (hit !== NONE) {
          const keyword = keywordAt[hit]!;
          hit = nextReport[hit]!;
          if (keywordSeen[keyword] === stamp) continue;
          keywordSeen[keyword] = stamp;
          for (let r = ruleStart[keyword]!, end = ruleStart[keyword + 1]!; r < end; r++) {
            const rule = ruleList[r]!;
            if (isAllOf[rule] === 0) {
              if (ruleSeen[rule] !== stamp) {
                ruleSeen[rule] = stamp;
                firedBuffer[count++] = rule;
              }
            } else {
              const seen = ruleSeen[rule] === stamp ? ruleCount[rule]! + 1 : 1;
              ruleSeen[rule] = stamp;
              ruleCount[rule] = seen;
              if (seen === required[rule]) firedBuffer[count++] = rule;
            }
          }
        }
      }
      // A plain copy: Array.from over a typed array goes through the iterator protocol and took more time than the scan.
      const fired: number[] = new Array(count);
      for (let i = 0; i < count; i++) fired[i] = firedBuffer[i]!;
      const exactRules = exact.get(normalized);
      if (exactRules) fired.push(...exactRules);
      if (regexes.length > 0) {
        const text = regexText ?? normalized.slice(0, REGEX_INPUT_MAX);
        for (const { rule, patterns } of regexes) {
          if (patterns.some((pattern) => pattern.test(text))) fired.push(rule);
        }
      }
      return fired;
    },
  };
}
