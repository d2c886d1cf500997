/**
 * A binary min-heap of `{ at, key, seq }` entries with lazy deletion: callers push a new entry
 * whenever a key's time changes and treat entries whose `seq` is stale as absent. This keeps every
 * update O(log n) without a position index, which matters when 100,000 jobs fire in one second.
 * Sifting moves a hole instead of swapping pairs, so that no temporary array is allocated.
 */
export interface HeapEntry<K = string> {
  at: number;
  /** What the entry is for: an id, or the object itself (which saves a lookup when it is popped). */
  key: K;
  /** Increases with every push: the tie-breaker that keeps equal times in push order. */
  seq: number;
}

export class MinHeap<K = string> {
  readonly #items: Array<HeapEntry<K>> = [];

  get size(): number {
    return this.#items.length;
  }

  push(entry: HeapEntry<K>): void {
    const items = this.#items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!less(entry, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  peek(): HeapEntry<K> | undefined {
    return this.#items[0];
  }

  pop(): HeapEntry<K> | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    if (n > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && less(items[r]!, items[l]!) ? r : l;
        const c = items[child]!;
        if (!less(c, last)) break;
        items[i] = c;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}

/** Earlier first; at equal times, the older entry first so that order is stable. */
function less<K>(a: HeapEntry<K>, b: HeapEntry<K>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
