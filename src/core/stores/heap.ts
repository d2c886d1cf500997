/**
 * A binary min-heap of `{ at, key, seq }` entries with lazy deletion: callers push a new entry
 * whenever a key's time changes and treat entries whose `seq` is stale as absent. This keeps every
 * update O(log n) without a position index, which matters when 100,000 jobs fire in one second.
 */
export interface HeapEntry {
  at: number;
  key: string;
  seq: number;
}

export class MinHeap {
  readonly #items: HeapEntry[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(entry: HeapEntry): void {
    const items = this.#items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): HeapEntry | undefined {
    return this.#items[0];
  }

  pop(): HeapEntry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && less(items[l]!, items[m]!)) m = l;
        if (r < items.length && less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}

/** Earlier first; at equal times, the older entry first so that order is stable. */
function less(a: HeapEntry, b: HeapEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
