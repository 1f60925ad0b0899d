/**
 * Optimal one-to-one assignment (Hungarian algorithm with potentials, O(n²·m), the Jonker–Volgenant style
 * shortest augmenting path formulation). Greedy pairing can steal a name's only good partner; the optimal
 * assignment cannot (research §1.5 step 8).
 */

/**
 * Minimum-cost assignment of every row to a distinct column. Requires rows ≤ columns.
 * `cost[i][j]` must be finite. Returns, for each row, its column.
 */
export function hungarian(cost: number[][] | Float64Array[], rows: number, cols: number): Int32Array {
  if (rows > cols) throw new Error('hungarian: rows must not exceed columns');
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const p = new Int32Array(cols + 1); // p[j] = row (1-based) assigned to column j
  const way = new Int32Array(cols + 1);
  const minv = new Float64Array(cols + 1);
  const used = new Uint8Array(cols + 1);
  for (let i = 1; i <= rows; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(INF);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      const row = cost[i0 - 1]!;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const cur = row[j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Int32Array(rows).fill(-1);
  for (let j = 1; j <= cols; j++) if (p[j]! > 0) result[p[j]! - 1] = j - 1;
  return result;
}

export interface Edge {
  a: number;
  b: number;
  /** Positive gain of pairing a with b; pairs not listed (or with gain ≤ 0) are never made. */
  gain: number;
}

/**
 * Maximum-gain partial matching on a sparse bipartite graph: solved per connected component, each with the
 * dense Hungarian algorithm (leaving a node unpaired has gain 0). Components larger than `maxDense` nodes
 * on a side fall back to greedy by gain, which keeps 10,000 × 10,000 lists fast; with top-k pruned edges
 * such components do not arise in practice.
 */
export function maxGainMatching(edges: Edge[], maxDense = 700): Array<[number, number]> {
  const good = edges.filter((e) => e.gain > 0);
  // union-find over nodes, a-side ids and b-side ids kept apart by prefix
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (parent.get(c) !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const e of good) {
    const a = `a${e.a}`;
    const b = `b${e.b}`;
    add(a);
    add(b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const comps = new Map<string, Edge[]>();
  for (const e of good) {
    const r = find(`a${e.a}`);
    let list = comps.get(r);
    if (!list) comps.set(r, (list = []));
    list.push(e);
  }
  const out: Array<[number, number]> = [];
  for (const list of comps.values()) {
    const as = [...new Set(list.map((e) => e.a))];
    const bs = [...new Set(list.map((e) => e.b))];
    if (as.length === 1 || bs.length === 1) {
      let best = list[0]!;
      for (const e of list) if (e.gain > best.gain) best = e;
      out.push([best.a, best.b]);
      continue;
    }
    if (Math.max(as.length, bs.length) > maxDense) {
      out.push(...greedy(list));
      continue;
    }
    const flip = as.length > bs.length; // rows must not exceed columns
    const rowsIds = flip ? bs : as;
    const colIds = flip ? as : bs;
    const rIndex = new Map(rowsIds.map((x, i) => [x, i]));
    const cIndex = new Map(colIds.map((x, i) => [x, i]));
    const cost = rowsIds.map(() => new Float64Array(colIds.length)); // 0 = not paired
    for (const e of list) {
      const r = rIndex.get(flip ? e.b : e.a)!;
      const c = cIndex.get(flip ? e.a : e.b)!;
      cost[r]![c] = Math.min(cost[r]![c]!, -e.gain);
    }
    const asg = hungarian(cost, rowsIds.length, colIds.length);
    for (let r = 0; r < asg.length; r++) {
      const c = asg[r]!;
      if (c < 0 || cost[r]![c]! >= 0) continue; // assigned to a non-edge: stays unpaired
      const x = rowsIds[r]!;
      const y = colIds[c]!;
      out.push(flip ? [y, x] : [x, y]);
    }
  }
  return out;
}

function greedy(list: Edge[]): Array<[number, number]> {
  const sorted = [...list].sort((x, y) => y.gain - x.gain || x.a - y.a || x.b - y.b);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const out: Array<[number, number]> = [];
  for (const e of sorted) {
    if (usedA.has(e.a) || usedB.has(e.b)) continue;
    usedA.add(e.a);
    usedB.add(e.b);
    out.push([e.a, e.b]);
  }
  return out;
}
